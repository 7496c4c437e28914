// Lower-case hexadecimal text of bytes (HMAC tags, digests, random ids).
#pragma once

#include <cstddef>
#include <string>

namespace capstan {

inline std::string toHex(const unsigned char* data, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0x0f]);
  }
  return out;
}

}  // namespace capstan
