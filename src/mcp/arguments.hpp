// Tool argument checking and coercion (DESIGN.md §5). Pure logic.
#pragma once

#include <boost/json/object.hpp>
#include <string>

namespace capstan::mcp {

namespace json = boost::json;

// Checks `arguments` against the portable subset of a tool's input schema (type, required, enum,
// additionalProperties:false) and coerces unambiguous strings ("10" for an integer, "true" for a
// boolean; research-notes/mcp.md §6.8). Returns the coerced arguments, or a message naming the
// offending argument.
struct ArgumentCheck {
  json::object arguments;
  std::string error;  // empty on success
};
ArgumentCheck checkArguments(const json::object& schema, const json::object& arguments);

}  // namespace capstan::mcp
