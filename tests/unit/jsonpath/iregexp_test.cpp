// I-Regexp (RFC 9485) beyond the compliance suite.
#include "jsonpath/iregexp.hpp"

#include <gtest/gtest.h>

#include <string>

namespace capstan::jsonpath::iregexp {
namespace {

bool fullMatch(std::string_view pattern, std::string_view text) {
  auto regex = Regex::compile(pattern);
  EXPECT_TRUE(regex.has_value()) << pattern << " should compile";
  return regex && regex->fullMatch(text);
}

TEST(IRegexp, CountedRepetition) {
  EXPECT_TRUE(fullMatch("a{2,3}", "aa"));
  EXPECT_TRUE(fullMatch("a{2,3}", "aaa"));
  EXPECT_FALSE(fullMatch("a{2,3}", "aaaa"));
  EXPECT_TRUE(fullMatch("a{2,}", "aaaaa"));
  EXPECT_FALSE(fullMatch("a{2}", "a"));
}

TEST(IRegexp, CharacterClassesAndRanges) {
  EXPECT_TRUE(fullMatch("[a-c-]+", "ab-c"));
  EXPECT_TRUE(fullMatch("[^0-9]", "x"));
  EXPECT_FALSE(fullMatch("[^0-9]", "5"));
  EXPECT_TRUE(fullMatch("[\\p{Nd}x]+", "12x3"));
}

TEST(IRegexp, DotSkipsLineBreaksOnly) {
  EXPECT_TRUE(fullMatch(".", "\xE2\x82\xAC"));  // one code point, three bytes
  EXPECT_FALSE(fullMatch(".", "\n"));
  EXPECT_FALSE(fullMatch(".", "\r"));
}

TEST(IRegexp, CategoryEscapes) {
  EXPECT_TRUE(fullMatch("\\p{L}+", "\xC3\xA9t\xC3\xA9"));  // été
  EXPECT_FALSE(fullMatch("\\p{Lu}", "a"));
  EXPECT_TRUE(fullMatch("\\P{Lu}", "a"));
}

TEST(IRegexp, OutsideTheGrammarIsRejected) {
  for (std::string_view pattern :
       {"a**", "(a", "a)", "[a", "[]", "\\d", "a{3,2}", "\\p{Xx}", "{"}) {
    EXPECT_FALSE(Regex::compile(pattern).has_value()) << pattern;
  }
}

TEST(IRegexp, SearchFindsASubstring) {
  auto regex = Regex::compile("b+c");
  ASSERT_TRUE(regex);
  EXPECT_TRUE(regex->search("aabbcd"));
  EXPECT_FALSE(regex->search("aacd"));
}

TEST(IRegexp, NestedQuantifiersStayLinear) {
  auto regex = Regex::compile("(a*)*b");
  ASSERT_TRUE(regex);
  EXPECT_FALSE(regex->fullMatch(std::string(100000, 'a')));
}

TEST(IRegexp, HugeCountedRepetitionIsRefused) {
  EXPECT_FALSE(Regex::compile("(a{1000}){1000}").has_value());
}

}  // namespace
}  // namespace capstan::jsonpath::iregexp
