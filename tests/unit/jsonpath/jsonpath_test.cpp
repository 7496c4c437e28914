// Behaviour beyond the compliance suite: error offsets, the "$." option, query properties and
// number handling across Boost.JSON's three number kinds.
#include "jsonpath/jsonpath.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capstan::jsonpath {
namespace {

std::size_t errorOffset(std::string_view text) {
  auto query = compile(text);
  EXPECT_FALSE(query.ok()) << text << " should be rejected";
  return query.ok() ? static_cast<std::size_t>(-1) : query.error().offset;
}

TEST(JsonpathErrors, MissingRootIsReportedAtOffsetZero) { EXPECT_EQ(errorOffset("a.b"), 0u); }

TEST(JsonpathErrors, UnclosedBracketIsReportedAtTheEnd) { EXPECT_EQ(errorOffset("$['a'"), 5u); }

TEST(JsonpathErrors, TrailingBlankIsReportedWhereItStarts) { EXPECT_EQ(errorOffset("$.a "), 3u); }

TEST(JsonpathErrors, DotWithoutNameIsReportedAfterTheDot) { EXPECT_EQ(errorOffset("$.a.[0]"), 4u); }

TEST(JsonpathErrors, LeadingZeroIndexIsReportedAtTheNumber) { EXPECT_EQ(errorOffset("$[01]"), 2u); }

TEST(JsonpathErrors, IndexBeyondExactRangeIsRejected) {
  EXPECT_EQ(errorOffset("$[9007199254740992]"), 2u);
  EXPECT_TRUE(compile("$[9007199254740991]").ok());
}

TEST(JsonpathErrors, NonSingularComparisonNamesTheQuery) {
  auto query = compile("$[?@.* == 1]");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().offset, 3u);
  EXPECT_NE(query.error().message.find("singular"), std::string::npos) << query.error().message;
}

TEST(JsonpathErrors, UnknownFunctionIsReportedAtItsName) {
  auto query = compile("$[?foo(@)]");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().offset, 3u);
  EXPECT_NE(query.error().message.find("foo"), std::string::npos);
}

TEST(JsonpathErrors, WrongArityIsReportedAtTheFunction) {
  EXPECT_EQ(errorOffset("$[?@.a && length(@, 1) > 0]"), 10u);
}

TEST(JsonpathErrors, LogicalFunctionCannotBeCompared) {
  EXPECT_EQ(errorOffset("$[?match(@, 'a') == true]"), 3u);
}

TEST(JsonpathErrors, UnterminatedStringIsReportedAtItsQuote) {
  EXPECT_EQ(errorOffset("$['abc"), 2u);
}

TEST(JsonpathErrors, DescribeNamesTheOffset) {
  auto query = compile("$..");
  ASSERT_FALSE(query.ok());
  EXPECT_EQ(query.error().describe(), query.error().message + " at offset 3");
}

TEST(JsonpathErrors, DeepNestingIsRejectedNotCrashing) {
  std::string text = "$[?" + std::string(5000, '(') + "@" + std::string(5000, ')') + "]";
  EXPECT_FALSE(compile(text).ok());
}

TEST(JsonpathErrors, InvalidUtf8InNameIsRejected) { EXPECT_EQ(errorOffset("$.a\xff"), 3u); }

TEST(JsonpathDotRoot, RejectedByDefaultAsRfc9535Requires) { EXPECT_EQ(errorOffset("$."), 2u); }

TEST(JsonpathDotRoot, AcceptedWithTheOptionAndReported) {
  auto query = compile("$.", Options{.allow_dot_root = true});
  ASSERT_TRUE(query.ok());
  EXPECT_TRUE(query->usedDotRoot());
  EXPECT_TRUE(query->isIdentity());
  boost::json::value document = boost::json::parse(R"({"a":1})");
  auto nodes = query->select(document);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes.front(), &document);
}

TEST(JsonpathDotRoot, PlainRootDoesNotReportDotRoot) {
  auto query = compile("$", Options{.allow_dot_root = true});
  ASSERT_TRUE(query.ok());
  EXPECT_FALSE(query->usedDotRoot());
  EXPECT_TRUE(query->isIdentity());
}

TEST(JsonpathProperties, SingularQueriesAreDetected) {
  EXPECT_TRUE(compile("$.a['b'][0][-1]")->isSingular());
  EXPECT_FALSE(compile("$.a[*]")->isSingular());
  EXPECT_FALSE(compile("$..a")->isSingular());
  EXPECT_FALSE(compile("$[0,1]")->isSingular());
  EXPECT_FALSE(compile("$.a")->isIdentity());
}

TEST(JsonpathSelect, ResultsPointIntoTheDocument) {
  boost::json::value document = boost::json::parse(R"({"data":[{"id":"a"},{"id":"b"}]})");
  auto nodes = compile("$.data[*].id")->select(document);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(nodes[0], &document.at("data").at(0).at("id"));
  EXPECT_EQ(nodes[1], &document.at("data").at(1).at("id"));
}

TEST(JsonpathSelect, SelectFirstStopsAtTheFirstNode) {
  boost::json::value document = boost::json::parse(R"([1,2,3])");
  const auto* first = compile("$[*]")->selectFirst(document);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(*first, 1);
  EXPECT_EQ(compile("$.missing")->selectFirst(document), nullptr);
}

TEST(JsonpathSelect, IntegerAndDoubleCompareByValue) {
  boost::json::value document =
      boost::json::parse(R"([{"n":1},{"n":1.0},{"n":2},{"n":18446744073709551615}])");
  EXPECT_EQ(compile("$[?@.n == 1]")->select(document).size(), 2u);
  EXPECT_EQ(compile("$[?@.n > 1.5]")->select(document).size(), 2u);
  EXPECT_EQ(compile("$[?@.n == 18446744073709551615]")->select(document).size(), 1u);
}

TEST(JsonpathSelect, SelectIntoAppends) {
  boost::json::value document = boost::json::parse(R"({"a":1,"b":2})");
  NodeList nodes;
  compile("$.a")->selectInto(document, nodes);
  compile("$.b")->selectInto(document, nodes);
  ASSERT_EQ(nodes.size(), 2u);
  EXPECT_EQ(*nodes[1], 2);
}

TEST(JsonpathPaths, NamesAreEscapedAsRfc9535Section27Requires) {
  boost::json::value document = boost::json::parse(R"({"it's":{"a\u0001\n":[0]}})");
  auto nodes = compile("$..[0]")->selectLocated(document);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes.front().path, R"($['it\'s']['a\u0001\n'][0])");
}

TEST(JsonpathText, KeepsTheOriginalText) { EXPECT_EQ(compile("$.a")->text(), "$.a"); }

}  // namespace
}  // namespace capstan::jsonpath
