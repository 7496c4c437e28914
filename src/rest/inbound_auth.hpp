// Inbound authentication of a REST adapter (bearer, apikey in header or query, basic). Pure logic:
// the adapter hands in the relevant header and query values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace capstan::rest {

struct InboundAuth {
  std::string type;       // bearer | basic | apikey
  std::string expected;   // bearer: token; basic: "user:password"; apikey: value
  std::string key;        // apikey: header or query parameter name
  std::string placement;  // apikey: header | query
};

// Compares without an early exit, so the time taken does not reveal how much of a guess matched.
bool constantTimeEquals(std::string_view a, std::string_view b);

// `authorization`: the Authorization header; `apikey_value`: the header or query value named by
// `auth.key` (the adapter looks it up per placement).
bool isAuthorized(const InboundAuth& auth, std::optional<std::string_view> authorization,
                  std::optional<std::string_view> apikey_value);

// RFC 9110 §11.6.1: the challenge a 401 carries.
std::string challengeFor(const InboundAuth& auth);

std::optional<std::string> decodeBase64(std::string_view text);

}  // namespace capstan::rest
