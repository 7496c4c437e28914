// Fuzzes the I-Regexp (RFC 9485) compiler and matcher: the first line is the pattern, the rest
// the subject. Nothing may crash, and a full match implies a search match.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jsonpath/iregexp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string_view pattern = input.substr(0, newline);
  std::string_view subject =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  auto regex = capstan::jsonpath::iregexp::Regex::compile(pattern);
  if (!regex) return 0;
  if (regex->fullMatch(subject) && !regex->search(subject)) std::abort();
  return 0;
}
