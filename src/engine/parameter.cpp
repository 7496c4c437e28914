#include "engine/parameter.hpp"

#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <limits>

#include "support/json_text.hpp"

namespace capstan::engine {

namespace {

bool isUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void appendPercent(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0x0F]);
}

// A double that holds an integer value representable as int64.
std::optional<std::int64_t> integralDouble(double value) {
  if (!std::isfinite(value) || std::trunc(value) != value) return std::nullopt;
  if (value < -9.2e18 || value > 9.2e18) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

// A whole string that is a JSON number ("10", "-3", "10.0", "1e3"); no blanks, no hex.
std::optional<boost::json::value> numberFromText(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const char first = text.front();
  if (first != '-' && (first < '0' || first > '9')) return std::nullopt;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_number()) return std::nullopt;
  return parsed;
}

std::optional<boost::json::value> toInteger(const boost::json::value& value) {
  if (value.is_int64() || value.is_uint64()) return value;
  if (value.is_double()) {
    if (auto whole = integralDouble(value.get_double())) return boost::json::value(*whole);
    return std::nullopt;
  }
  if (value.is_string()) {
    auto number = numberFromText(value.get_string());
    if (!number) return std::nullopt;
    return toInteger(*number);
  }
  return std::nullopt;
}

std::optional<boost::json::value> toNumber(const boost::json::value& value) {
  if (value.is_number()) return value;
  if (value.is_string()) return numberFromText(value.get_string());
  return std::nullopt;
}

std::optional<boost::json::value> toBoolean(const boost::json::value& value) {
  if (value.is_bool()) return value;
  if (!value.is_string()) return std::nullopt;
  if (value.get_string() == "true") return boost::json::value(true);
  if (value.get_string() == "false") return boost::json::value(false);
  return std::nullopt;
}

std::string typeExpectation(std::string_view type) {
  if (type == "integer") return "must be an integer";
  if (type == "number") return "must be a number";
  if (type == "boolean") return "must be true or false";
  if (type == "array") return "must be an array";
  if (type == "object") return "must be an object";
  return "must be a string";
}

}  // namespace

std::string_view locationName(ParamLocation location) {
  switch (location) {
    case ParamLocation::kPath:
      return "path";
    case ParamLocation::kQuery:
      return "query";
    case ParamLocation::kHeader:
      return "header";
    case ParamLocation::kBody:
      return "body";
    case ParamLocation::kCookie:
      return "cookie";
    case ParamLocation::kArgument:
      return "argument";
  }
  return "argument";
}

std::optional<boost::json::value> coerceValue(const boost::json::value& value,
                                              std::string_view type) {
  if (type == "integer") return toInteger(value);
  if (type == "number") return toNumber(value);
  if (type == "boolean") return toBoolean(value);
  if (type == "object") {
    if (value.is_object()) return value;
    return std::nullopt;
  }
  if (type == "array") {
    if (value.is_array()) return value;
    if (value.is_object() || value.is_null()) return std::nullopt;
    return boost::json::value(boost::json::array{value});
  }
  // string, or no declared type: any scalar, as its text when declared string.
  if (value.is_object() || value.is_array()) {
    if (type.empty()) return value;
    return std::nullopt;
  }
  if (type.empty() || value.is_string()) return value;
  return boost::json::value(scalarText(value));
}

ValidatedArguments validateArguments(const std::vector<ParameterInfo>& parameters,
                                     const boost::json::object& arguments) {
  ValidatedArguments out;
  for (const ParameterInfo& parameter : parameters) {
    const boost::json::value* given = arguments.if_contains(parameter.name);
    if (given == nullptr || given->is_null()) {
      if (!parameter.required) continue;
      out.error = ArgumentError{parameter.name, "parameter '" + parameter.name + "' is required"};
      return out;
    }
    auto coerced = coerceValue(*given, parameter.type);
    if (!coerced) {
      out.error = ArgumentError{
          parameter.name, "parameter '" + parameter.name + "' " + typeExpectation(parameter.type)};
      return out;
    }
    if (parameter.enum_values && !coerced->is_array() && !coerced->is_object()) {
      const std::string text = scalarText(*coerced);
      bool allowed = false;
      for (const auto& candidate : *parameter.enum_values) allowed = allowed || candidate == text;
      if (!allowed) {
        std::string list;
        for (const auto& candidate : *parameter.enum_values) {
          list += list.empty() ? "" : ", ";
          list += candidate;
        }
        out.error = ArgumentError{parameter.name,
                                  "parameter '" + parameter.name + "' must be one of: " + list};
        return out;
      }
    }
    out.values[parameter.name] = std::move(*coerced);
  }
  return out;
}

std::string scalarText(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::int64:
      return std::to_string(value.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(value.get_uint64());
    case boost::json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case boost::json::kind::null:
      return "";
    case boost::json::kind::double_:
      if (auto whole = integralDouble(value.get_double())) return std::to_string(*whole);
      return toJsonText(value);
    default:
      return toJsonText(value);
  }
}

std::string encodePathSegment(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char raw : value) {
    const auto c = static_cast<unsigned char>(raw);
    if (isUnreserved(c)) {
      out.push_back(raw);
    } else {
      appendPercent(out, c);
    }
  }
  return out;
}

std::string encodeFormComponent(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char raw : value) {
    const auto c = static_cast<unsigned char>(raw);
    if (isUnreserved(c)) {
      out.push_back(raw);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      appendPercent(out, c);
    }
  }
  return out;
}

}  // namespace capstan::engine
