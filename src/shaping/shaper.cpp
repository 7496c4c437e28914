#include "shaping/shaper.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <set>
#include <string_view>
#include <utility>

#include "jsonpath/jsonpath.hpp"

namespace capstan::shaping {
namespace detail {

enum class Type { kAny, kString, kNumber, kInteger, kBoolean, kObject, kArray };

struct CompiledOutput {
  std::string name;
  std::string parameter;  // dotted name used in errors
  Type type = Type::kAny;
  std::optional<jsonpath::Query> mapping;
  std::optional<boost::json::value> value;
  bool value_is_template = false;
  std::vector<CompiledOutput> properties;
  std::unique_ptr<CompiledOutput> items;
  std::optional<std::size_t> max_length;
};

}  // namespace detail

namespace {

using boost::json::value;
using detail::CompiledOutput;
using detail::Type;

std::optional<Type> parseType(std::string_view text) {
  // The Java engine dispatches on type case-insensitively; capabilities in the wild rely on it.
  std::string lower;
  for (char c : text) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  static const std::pair<std::string_view, Type> kTypes[] = {
      {"", Type::kAny},
      {"string", Type::kString},
      {"number", Type::kNumber},
      {"integer", Type::kInteger},
      {"boolean", Type::kBoolean},
      {"object", Type::kObject},
      {"array", Type::kArray},
  };
  for (const auto& [name, type] : kTypes) {
    if (name == lower) return type;
  }
  return std::nullopt;
}

std::string_view typeName(Type type) {
  switch (type) {
    case Type::kString:
      return "string";
    case Type::kNumber:
      return "number";
    case Type::kInteger:
      return "integer";
    case Type::kBoolean:
      return "boolean";
    case Type::kObject:
      return "object";
    case Type::kArray:
      return "array";
    case Type::kAny:
      break;
  }
  return "any";
}

std::string_view kindName(const value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "number";
    case boost::json::kind::string:
      return "string";
    case boost::json::kind::array:
      return "array";
    case boost::json::kind::object:
      return "object";
  }
  return "value";
}

// A short rendering of an offending value for error messages.
std::string preview(const value& v) {
  if (!v.is_string()) return std::string(kindName(v));
  std::string_view text = v.get_string();
  std::string out = "string \"";
  out.append(text.substr(0, 40));
  if (text.size() > 40) out += "...";
  out += '"';
  return out;
}

class OutputCompiler {
 public:
  explicit OutputCompiler(std::vector<std::string>& dot_root_parameters)
      : dot_root_parameters_(dot_root_parameters) {}

  bool compile(const OutputSpec& spec, std::string parameter, CompiledOutput& out) {
    out.name = spec.name;
    out.parameter = std::move(parameter);
    out.max_length = spec.max_length;

    auto type = parseType(spec.type);
    if (!type) {
      return fail(out.parameter, "type '" + spec.type +
                                     "' is not one of string, number, integer, boolean, "
                                     "object, array");
    }
    out.type = *type;

    // Naftiko reads a `value` that starts with "$" (and no `mapping`) as a mapping.
    std::optional<std::string> mapping = spec.mapping;
    if (!mapping && spec.value && spec.value->is_string() &&
        spec.value->get_string().starts_with("$")) {
      mapping = std::string(spec.value->get_string());
    } else if (spec.value) {
      out.value = *spec.value;
      out.value_is_template =
          spec.value->is_string() &&
          std::string_view(spec.value->get_string()).find("{{") != std::string_view::npos;
    }
    if (mapping && !compileMapping(*mapping, out)) return false;

    if (!spec.properties.empty()) {
      if (out.type != Type::kObject && out.type != Type::kAny) {
        return fail(out.parameter, "properties need type object");
      }
      out.type = Type::kObject;
      if (!compileProperties(spec.properties, out)) return false;
    }
    if (spec.items) {
      if (out.type != Type::kArray && out.type != Type::kAny) {
        return fail(out.parameter, "items need type array");
      }
      out.type = Type::kArray;
      out.items = std::make_unique<CompiledOutput>();
      if (!compile(*spec.items, out.parameter + "[]", *out.items)) return false;
    }
    return true;
  }

  const Error& error() const { return *error_; }

 private:
  bool fail(const std::string& parameter, std::string message) {
    if (!error_) error_ = Error{Error::Code::kInvalidSpec, parameter, std::move(message)};
    return false;
  }

  bool compileMapping(const std::string& mapping, CompiledOutput& out) {
    auto query = jsonpath::compile(mapping, jsonpath::Options{.allow_dot_root = true});
    if (!query) {
      return fail(out.parameter, "invalid mapping '" + mapping + "': " + query.error().describe());
    }
    if (query->usedDotRoot()) dot_root_parameters_.push_back(out.parameter);
    out.mapping = std::move(query.value());
    return true;
  }

  bool compileProperties(const std::vector<OutputSpec>& properties, CompiledOutput& out) {
    std::set<std::string, std::less<>> names;
    for (const OutputSpec& property : properties) {
      if (property.name.empty()) return fail(out.parameter, "a property has no name");
      if (!names.insert(property.name).second) {
        return fail(out.parameter, "property '" + property.name + "' is declared twice");
      }
      if (!compile(property, out.parameter + "." + property.name, out.properties.emplace_back())) {
        return false;
      }
    }
    return true;
  }

  std::vector<std::string>& dot_root_parameters_;
  std::optional<Error> error_;
};

// JSON number syntax (RFC 8259 §6), for numeric strings coerced to number or integer.
std::optional<value> parseNumericString(std::string_view text) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return std::nullopt;
  }
  bool integral = true;
  if (i < text.size() && text[i] == '.') {
    ++i;
    integral = false;
    if (!digits()) return std::nullopt;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    integral = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;

  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (integral) {
    std::int64_t integer = 0;
    if (std::from_chars(first, last, integer).ec == std::errc{}) return value(integer);
    std::uint64_t unsigned_integer = 0;
    if (std::from_chars(first, last, unsigned_integer).ec == std::errc{}) {
      return value(unsigned_integer);
    }
  }
  double real = 0;
  if (std::from_chars(first, last, real).ec != std::errc{}) return std::nullopt;
  return value(real);
}

std::string numberText(const value& number) {
  if (number.is_int64()) return std::to_string(number.get_int64());
  if (number.is_uint64()) return std::to_string(number.get_uint64());
  std::array<char, 32> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), number.get_double());
  return std::string(buffer.data(), end);
}

// Keeps the first `limit` code points of a UTF-8 string.
void truncateCodePoints(boost::json::string& text, std::size_t limit) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (count++ == limit) {
      text.resize(i);
      return;
    }
  }
}

class Applier {
 public:
  explicit Applier(const boost::json::object* params) : params_(params) {}

  bool shape(const CompiledOutput& output, const value& context, bool is_property, value& result) {
    value owned;
    const value* source = resolve(output, context, is_property, owned);
    if (!build(output, source, result)) return false;
    if (output.max_length && result.is_string()) {
      truncateCodePoints(result.get_string(), *output.max_length);
    }
    return true;
  }

  const Error& error() const { return *error_; }

 private:
  // The node an output starts from: its value, its mapping applied to the context, or (without
  // either) the context's member of the same name for a property and the context itself
  // otherwise. nullptr when the mapping selects nothing.
  const value* resolve(const CompiledOutput& output, const value& context, bool is_property,
                       value& owned) {
    if (output.value) {
      if (!output.value_is_template) return &*output.value;
      owned = render(output.value->get_string());
      return &owned;
    }
    if (output.mapping) {
      const jsonpath::Query& query = *output.mapping;
      if (query.isIdentity()) return &context;
      if (query.isSingular()) return query.selectFirst(context);
      // A non-singular mapping yields the array of every selected node (as Jayway does).
      boost::json::array& nodes = owned.emplace_array();
      for (const value* node : query.select(context)) nodes.push_back(*node);
      return &owned;
    }
    if (is_property) {
      const auto* object = context.if_object();
      return object != nullptr ? object->if_contains(output.name) : nullptr;
    }
    return &context;
  }

  // {{name}} placeholders from the caller's parameters; an absent parameter renders empty, as
  // in Mustache.
  std::string render(std::string_view text) const {
    std::string out;
    while (true) {
      std::size_t open = text.find("{{");
      std::size_t close = open == std::string_view::npos ? open : text.find("}}", open + 2);
      if (close == std::string_view::npos) break;
      out.append(text.substr(0, open));
      std::string_view name = text.substr(open + 2, close - open - 2);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      if (const value* param = params_ != nullptr ? params_->if_contains(name) : nullptr) {
        if (param->is_string()) {
          out.append(param->get_string());
        } else if (param->is_number()) {
          out += numberText(*param);
        } else if (param->is_bool()) {
          out += param->get_bool() ? "true" : "false";
        }
      }
      text.remove_prefix(close + 2);
    }
    out.append(text);
    return out;
  }

  bool fail(Error::Code code, const CompiledOutput& output, std::string message) {
    if (!error_) error_ = Error{code, output.parameter, std::move(message)};
    return false;
  }

  bool build(const CompiledOutput& output, const value* source, value& result) {
    // Absent or null stays null whatever the declared type: optional upstream fields are common.
    if (source == nullptr || source->is_null()) {
      result = nullptr;
      return true;
    }
    switch (output.type) {
      case Type::kObject:
        if (output.properties.empty()) break;
        return buildObject(output, *source, result);
      case Type::kArray:
        if (!output.items) break;
        return buildArray(output, *source, result);
      case Type::kString:
        return coerceString(output, *source, result);
      case Type::kNumber:
        return coerceNumber(output, *source, result, false);
      case Type::kInteger:
        return coerceNumber(output, *source, result, true);
      case Type::kBoolean:
        return coerceBoolean(output, *source, result);
      case Type::kAny:
        break;
    }
    result = *source;
    return true;
  }

  bool buildObject(const CompiledOutput& output, const value& source, value& result) {
    if (!source.is_object()) {
      return fail(Error::Code::kWrongStructure, output,
                  "properties need an object, the mapping gave " + preview(source));
    }
    boost::json::object& object = result.emplace_object();
    object.reserve(output.properties.size());
    for (const CompiledOutput& property : output.properties) {
      value shaped;
      if (!shape(property, source, true, shaped)) return false;
      object.emplace(property.name, std::move(shaped));
    }
    return true;
  }

  bool buildArray(const CompiledOutput& output, const value& source, value& result) {
    if (!source.is_array()) {
      return fail(Error::Code::kWrongStructure, output,
                  "items need an array, the mapping gave " + preview(source));
    }
    boost::json::array& array = result.emplace_array();
    array.reserve(source.get_array().size());
    for (const value& element : source.get_array()) {
      if (!shape(*output.items, element, false, array.emplace_back(nullptr))) return false;
    }
    return true;
  }

  bool notCoercible(const CompiledOutput& output, const value& source) {
    return fail(Error::Code::kNotCoercible, output,
                "cannot coerce " + preview(source) + " to " + std::string(typeName(output.type)));
  }

  bool coerceString(const CompiledOutput& output, const value& source, value& result) {
    if (source.is_string()) {
      result = source;
    } else if (source.is_number()) {
      result = numberText(source);
    } else if (source.is_bool()) {
      result = source.get_bool() ? "true" : "false";
    } else {
      return notCoercible(output, source);
    }
    return true;
  }

  // number: any number, or a string in JSON number syntax. integer: the same, provided the
  // value is integral (10, "10", 10.0 and "1e1" qualify; 10.5 does not).
  bool coerceNumber(const CompiledOutput& output, const value& source, value& result,
                    bool integral) {
    std::optional<value> number;
    if (source.is_number()) {
      number = source;
    } else if (source.is_string()) {
      number = parseNumericString(source.get_string());
    }
    if (!number) return notCoercible(output, source);
    if (integral && number->is_double()) {
      double real = number->get_double();
      bool exact =
          std::isfinite(real) && std::trunc(real) == real && real >= -9.2e18 && real <= 9.2e18;
      if (!exact) return notCoercible(output, source);
      number = value(static_cast<std::int64_t>(real));
    }
    result = std::move(*number);
    return true;
  }

  bool coerceBoolean(const CompiledOutput& output, const value& source, value& result) {
    if (source.is_bool()) {
      result = source;
      return true;
    }
    if (source.is_string() && (source.get_string() == "true" || source.get_string() == "false")) {
      result = source.get_string() == "true";
      return true;
    }
    return notCoercible(output, source);
  }

  const boost::json::object* params_;
  std::optional<Error> error_;
};

bool isPassThrough(const CompiledOutput& output) {
  return output.name.empty() && output.mapping && output.mapping->isIdentity() && !output.value &&
         output.properties.empty() && !output.items && !output.max_length &&
         (output.type == Type::kAny || output.type == Type::kObject || output.type == Type::kArray);
}

}  // namespace

std::string Error::describe() const { return "output parameter '" + parameter + "': " + message; }

Result<Shaper> compileShaper(const std::vector<OutputSpec>& outputs) {
  Shaper shaper;
  auto compiled = std::make_shared<std::vector<CompiledOutput>>();
  OutputCompiler compiler(shaper.dot_root_parameters_);
  std::set<std::string, std::less<>> names;
  bool keyed = outputs.size() > 1 || (outputs.size() == 1 && !outputs.front().name.empty());
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputSpec& spec = outputs[i];
    std::string parameter = spec.name.empty() ? "(unnamed)" : spec.name;
    if (keyed && spec.name.empty()) {
      return Error{Error::Code::kInvalidSpec, parameter,
                   "output parameter " + std::to_string(i + 1) +
                       " needs a name: the response is an object keyed by name"};
    }
    if (keyed && !names.insert(spec.name).second) {
      return Error{Error::Code::kInvalidSpec, parameter, "declared twice"};
    }
    if (!compiler.compile(spec, parameter, compiled->emplace_back())) return compiler.error();
  }
  shaper.keyed_ = keyed;
  shaper.identity_ = compiled->empty() || (!keyed && isPassThrough(compiled->front()));
  shaper.outputs_ = std::move(compiled);
  return shaper;
}

Result<boost::json::value> Shaper::apply(const boost::json::value& upstream,
                                         const boost::json::object* params) const {
  if (identity_) return upstream;
  Applier applier(params);
  if (!keyed_) {
    boost::json::value result;
    if (!applier.shape(outputs_->front(), upstream, false, result)) return applier.error();
    return result;
  }
  boost::json::value result(boost::json::object_kind);
  boost::json::object& object = result.get_object();
  for (const CompiledOutput& output : *outputs_) {
    boost::json::value shaped;
    if (!applier.shape(output, upstream, false, shaped)) return applier.error();
    object.emplace(output.name, std::move(shaped));
  }
  return result;
}

}  // namespace capstan::shaping
