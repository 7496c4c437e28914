#include "jsonpath/unicode_category.hpp"

#include <algorithm>

namespace capstan::jsonpath::unicode {

Category categoryOf(char32_t code_point) {
  if (code_point > 0x10FFFF) return Category::kCn;
  const char32_t* begin = kCategoryRunStart;
  const char32_t* end = kCategoryRunStart + kCategoryRunCount;
  const char32_t* run = std::upper_bound(begin, end, code_point) - 1;
  return kCategoryRunValue[run - begin];
}

}  // namespace capstan::jsonpath::unicode
