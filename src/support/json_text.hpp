// JSON text output shared by every component that answers in JSON.
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace capstan {

// Serializes `value` as compact JSON. Unlike boost::json::serialize in 1.81, doubles come out in
// their shortest round-trip form ("1.5", never "1.5E0"); integral doubles keep a ".0" so that
// the type survives a round trip.
std::string toJsonText(const boost::json::value& value);

// Appends `value` to `out` (same rules as toJsonText).
void appendJsonText(std::string& out, const boost::json::value& value);

// Appends `text` as a quoted JSON string with RFC 8259 escaping.
void appendJsonString(std::string& out, std::string_view text);

}  // namespace capstan
