// Caller-facing parameters of an exposed operation and their validation (DESIGN.md §4, §5).
// Pure logic: no network headers.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capstan::engine {

enum class Surface { kRest, kMcp };

enum class ParamLocation { kPath, kQuery, kHeader, kBody, kCookie, kArgument };

std::string_view locationName(ParamLocation location);

// One caller-facing parameter, inferred per DESIGN.md §4.
struct ParameterInfo {
  std::string name;
  std::string type;  // string|integer|number|boolean|array|object
  std::string description;
  bool required = false;
  std::optional<std::vector<std::string>> enum_values;
  ParamLocation location = ParamLocation::kArgument;
};

struct ArgumentError {
  std::string parameter;
  std::string message;  // names the parameter and the expectation, never echoes long values
};

// Coerces `value` to `type` (DESIGN.md §5): integer accepts 10, "10", 10.0 and refuses "abc",
// 10.5, arrays and objects; number accepts numbers and numeric strings; boolean accepts true,
// false, "true", "false"; string accepts strings and scalars (as their text); array wraps a lone
// scalar (a REST query key given once). nullopt when the value does not fit.
std::optional<boost::json::value> coerceValue(const boost::json::value& value,
                                              std::string_view type);

// Checks every declared parameter of `parameters` against `arguments` and returns the coerced
// arguments (declared names only: undeclared input never travels further), or the first error.
struct ValidatedArguments {
  boost::json::object values;
  std::optional<ArgumentError> error;
};
ValidatedArguments validateArguments(const std::vector<ParameterInfo>& parameters,
                                     const boost::json::object& arguments);

// The text form of a scalar for URLs and headers: strings as is, integers in decimal, numbers in
// shortest round-trip form, booleans as true/false; arrays and objects as compact JSON.
std::string scalarText(const boost::json::value& value);

// RFC 3986 §2.3: everything but unreserved characters percent-encoded, so a value is exactly one
// path segment (a `/` in a job id cannot change the path).
std::string encodePathSegment(std::string_view value);

// application/x-www-form-urlencoded (WHATWG URL §5.2): space as '+', unreserved kept.
std::string encodeFormComponent(std::string_view value);

}  // namespace capstan::engine
