#include "rest/inbound_auth.hpp"

#include <algorithm>
#include <cctype>

namespace capstan::rest {

namespace {

// RFC 9110 §11.1: the auth-scheme is case-insensitive; one or more spaces precede the token.
std::optional<std::string_view> credentialsFor(std::string_view header, std::string_view scheme) {
  if (header.size() <= scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) !=
        std::tolower(static_cast<unsigned char>(scheme[i]))) {
      return std::nullopt;
    }
  }
  if (header[scheme.size()] != ' ') return std::nullopt;
  std::string_view rest = header.substr(scheme.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return rest;
}

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

bool constantTimeEquals(std::string_view a, std::string_view b) {
  unsigned difference = a.size() == b.size() ? 0U : 1U;
  const std::size_t length = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < length; ++i) {
    const auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0U;
    const auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0U;
    difference |= x ^ y;
  }
  return difference == 0;
}

std::optional<std::string> decodeBase64(std::string_view text) {
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (const char c : text) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding != 0) return std::nullopt;  // data after padding
    const int value = base64Value(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (padding > 2) return std::nullopt;
  return out;
}

bool isAuthorized(const InboundAuth& auth, std::optional<std::string_view> authorization,
                  std::optional<std::string_view> apikey_value) {
  if (auth.type == "apikey")
    return apikey_value && constantTimeEquals(*apikey_value, auth.expected);
  if (!authorization) return false;
  if (auth.type == "bearer") {
    auto token = credentialsFor(*authorization, "Bearer");
    return token && constantTimeEquals(*token, auth.expected);
  }
  if (auth.type == "basic") {
    auto encoded = credentialsFor(*authorization, "Basic");
    if (!encoded) return false;
    auto decoded = decodeBase64(*encoded);
    return decoded && constantTimeEquals(*decoded, auth.expected);
  }
  return false;
}

std::string challengeFor(const InboundAuth& auth) {
  if (auth.type == "basic") return R"(Basic realm="capstan", charset="UTF-8")";
  if (auth.type == "apikey") return R"(ApiKey realm="capstan", name=")" + auth.key + "\"";
  return R"(Bearer realm="capstan")";
}

}  // namespace capstan::rest
