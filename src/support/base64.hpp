// Base64 encoding (RFC 4648 §4, with padding) for Basic credentials (RFC 7617 §2).
#pragma once

#include <string>
#include <string_view>

namespace capstan {

inline std::string base64Encode(std::string_view input) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < input.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(input[i]) << 16) |
                       (static_cast<unsigned char>(input[i + 1]) << 8) |
                       static_cast<unsigned char>(input[i + 2]);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63],
            kAlphabet[n & 63]};
  }
  if (i + 1 == input.size()) {
    const unsigned n = static_cast<unsigned char>(input[i]) << 16;
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], '=', '='};
  } else if (i + 2 == input.size()) {
    const unsigned n = (static_cast<unsigned char>(input[i]) << 16) |
                       (static_cast<unsigned char>(input[i + 1]) << 8);
    out += {kAlphabet[(n >> 18) & 63], kAlphabet[(n >> 12) & 63], kAlphabet[(n >> 6) & 63], '='};
  }
  return out;
}

}  // namespace capstan
