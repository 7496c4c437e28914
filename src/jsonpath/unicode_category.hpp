// Unicode General Category lookup, for I-Regexp character class escapes (RFC 9485 §5.3.3).
#pragma once

#include <cstddef>
#include <cstdint>

namespace capstan::jsonpath::unicode {

// The 30 General Category values of the Unicode Character Database, in UCD order.
enum class Category : std::uint8_t {
  kLu,
  kLl,
  kLt,
  kLm,
  kLo,
  kMn,
  kMc,
  kMe,
  kNd,
  kNl,
  kNo,
  kPc,
  kPd,
  kPs,
  kPe,
  kPi,
  kPf,
  kPo,
  kZs,
  kZl,
  kZp,
  kSm,
  kSc,
  kSk,
  kSo,
  kCc,
  kCf,
  kCs,
  kCo,
  kCn,
};

// A set of categories, one bit per Category value.
using CategoryMask = std::uint32_t;

constexpr CategoryMask categoryBit(Category category) {
  return CategoryMask{1} << static_cast<unsigned>(category);
}

// General Category of `code_point`; Cn for values above U+10FFFF.
Category categoryOf(char32_t code_point);

// Generated tables (unicode_category_table.cpp).
extern const std::size_t kCategoryRunCount;
extern const char32_t kCategoryRunStart[];
extern const Category kCategoryRunValue[];

}  // namespace capstan::jsonpath::unicode
