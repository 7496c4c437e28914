// I-Regexp (RFC 9485), the regular expression dialect of the JSONPath functions match() and
// search() (RFC 9535 §2.4.6, §2.4.7).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "jsonpath/unicode_category.hpp"

namespace capstan::jsonpath::iregexp {

// A compiled I-Regexp. Matching runs a Pike VM over code points: time is linear in the input
// (times the program size) and there is no backtracking, so no pattern can make it explode.
class Regex {
 public:
  // Returns nothing when `pattern` is not an I-Regexp (RFC 9485 §5) or compiles to more than
  // kMaxProgramSize instructions (counted repetitions expand).
  static std::optional<Regex> compile(std::string_view pattern);

  // The whole of `text` matches (match(), RFC 9535 §2.4.6).
  bool fullMatch(std::string_view text) const;

  // Some substring of `text` matches (search(), RFC 9535 §2.4.7).
  bool search(std::string_view text) const;

  static constexpr std::size_t kMaxProgramSize = 50000;

  // Implementation details, public for the compiler in iregexp.cpp.
  struct ClassItem {
    unicode::CategoryMask categories = 0;
    bool complement = false;  // \P{..}
  };
  struct CharClass {
    std::vector<std::pair<char32_t, char32_t>> ranges;
    std::vector<ClassItem> properties;
    bool negated = false;
    bool contains(char32_t code_point) const;
  };
  enum class Op : std::uint8_t {
    kLiteral,
    kAnyButNewline,
    kClass,
    kAssertStart,
    kAssertEnd,
    kSplit,
    kJump,
    kMatch
  };
  struct Instruction {
    Op op = Op::kMatch;
    char32_t literal = 0;
    std::uint32_t x = 0;  // kSplit, kJump: first target; kClass: class index
    std::uint32_t y = 0;  // kSplit: second target
  };

 private:
  bool run(std::string_view text, bool unanchored) const;
  bool consumes(const Instruction& instruction, char32_t code_point) const;

  std::vector<Instruction> program_;
  std::vector<CharClass> classes_;
};

}  // namespace capstan::jsonpath::iregexp
