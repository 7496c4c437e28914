#include "mcp/arguments.hpp"

#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

#include "support/json_text.hpp"

namespace capstan::mcp {

namespace {

std::optional<json::value> asInteger(const json::value& value) {
  if (value.is_int64() || value.is_uint64()) return value;
  if (value.is_double()) {
    double number = value.get_double();
    if (std::isfinite(number) && std::floor(number) == number && std::fabs(number) < 9.0e15) {
      return json::value(static_cast<std::int64_t>(number));
    }
    return std::nullopt;
  }
  if (value.is_string()) {
    std::string_view text = value.get_string();
    std::int64_t parsed = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) {
      return json::value(parsed);
    }
  }
  return std::nullopt;
}

std::optional<json::value> asNumber(const json::value& value) {
  if (value.is_number()) return value;
  if (!value.is_string()) return std::nullopt;
  std::string text(value.get_string());
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double parsed = std::strtod(text.c_str(), &end);
  if (*end != '\0' || !std::isfinite(parsed)) return std::nullopt;
  if (auto integer = asInteger(value)) return integer;
  return json::value(parsed);
}

std::optional<json::value> asBoolean(const json::value& value) {
  if (value.is_bool()) return value;
  if (value.is_string()) {
    if (value.get_string() == "true") return json::value(true);
    if (value.get_string() == "false") return json::value(false);
  }
  return std::nullopt;
}

std::optional<json::value> asString(const json::value& value) {
  if (value.is_string()) return value;
  // A model that sends 42 for an id field means "42".
  if (value.is_number() || value.is_bool()) return json::value(capstan::toJsonText(value));
  return std::nullopt;
}

// Hosts that stringify structured arguments send JSON text; accept it when it parses to the
// declared kind.
std::optional<json::value> asStructured(const json::value& value, bool want_array) {
  if (want_array ? value.is_array() : value.is_object()) return value;
  if (!value.is_string()) return std::nullopt;
  boost::system::error_code ec;
  auto parsed = json::parse(value.get_string(), ec);
  if (ec) return std::nullopt;
  if (want_array ? parsed.is_array() : parsed.is_object()) return parsed;
  return std::nullopt;
}

std::optional<json::value> coerce(const json::value& value, std::string_view type) {
  if (type == "integer") return asInteger(value);
  if (type == "number") return asNumber(value);
  if (type == "boolean") return asBoolean(value);
  if (type == "string") return asString(value);
  if (type == "array") return asStructured(value, true);
  if (type == "object") return asStructured(value, false);
  return value;
}

std::string_view article(std::string_view type) {
  return type == "integer" || type == "array" || type == "object" ? "an" : "a";
}

}  // namespace

ArgumentCheck checkArguments(const json::object& schema, const json::object& arguments) {
  ArgumentCheck check;
  const json::object* properties = nullptr;
  if (const auto* found = schema.if_contains("properties")) properties = found->if_object();
  bool closed = false;
  if (const auto* additional = schema.if_contains("additionalProperties")) {
    closed = additional->is_bool() && !additional->get_bool();
  }

  for (const auto& [name, value] : arguments) {
    const json::object* property = nullptr;
    if (properties != nullptr) {
      if (const auto* found = properties->if_contains(name)) property = found->if_object();
    }
    if (property == nullptr) {
      if (closed) {
        check.error = "unknown argument '" + std::string(name) + "'";
        return check;
      }
      check.arguments[name] = value;
      continue;
    }
    // An explicit null for an optional argument means "not given".
    if (value.is_null()) continue;

    json::value coerced = value;
    if (const auto* type = property->if_contains("type"); type != nullptr && type->is_string()) {
      auto converted = coerce(value, type->get_string());
      if (!converted) {
        std::string_view type_name = type->get_string();
        check.error = "argument '" + std::string(name) + "' must be " +
                      std::string(article(type_name)) + " " + std::string(type_name) + ", got " +
                      capstan::toJsonText(value);
        return check;
      }
      coerced = std::move(*converted);
    }
    if (const auto* allowed = property->if_contains("enum");
        allowed != nullptr && allowed->is_array()) {
      bool member = false;
      for (const auto& option : allowed->get_array()) member = member || option == coerced;
      if (!member) {
        check.error = "argument '" + std::string(name) + "' must be one of " +
                      capstan::toJsonText(*allowed) + ", got " + capstan::toJsonText(value);
        return check;
      }
    }
    check.arguments[name] = std::move(coerced);
  }

  if (const auto* required = schema.if_contains("required");
      required != nullptr && required->is_array()) {
    for (const auto& entry : required->get_array()) {
      if (!entry.is_string()) continue;
      if (!check.arguments.contains(entry.get_string())) {
        check.error = "missing required argument '" + std::string(entry.get_string()) + "'";
        return check;
      }
    }
  }
  return check;
}

}  // namespace capstan::mcp
