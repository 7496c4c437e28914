#include "support/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capstan {
namespace {

TEST(JsonText, DoublesUseShortestDecimalForm) {
  EXPECT_EQ(toJsonText(boost::json::value(1.5)), "1.5");
  EXPECT_EQ(toJsonText(boost::json::value(0.1)), "0.1");
}

TEST(JsonText, IntegralDoubleKeepsFraction) {
  EXPECT_EQ(toJsonText(boost::json::value(2.0)), "2.0");
}

TEST(JsonText, ControlCharactersAreEscaped) {
  EXPECT_EQ(toJsonText(boost::json::value("a\nb\x01")), R"("a\nb\u0001")");
}

TEST(JsonText, WellFormedUtf8IsKept) {
  // é (2 bytes), € (3 bytes), 😀 (4 bytes).
  EXPECT_EQ(toJsonText(boost::json::value("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80")),
            "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
}

TEST(JsonText, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  // RFC 8259 §8.1 / RFC 3629 §4: a lone 0xFF, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(toJsonText(boost::json::value("a\xFF")), R"("a\ufffd")");
  EXPECT_EQ(toJsonText(boost::json::value("\xE2\x82")), R"("\ufffd\ufffd")");
  EXPECT_EQ(toJsonText(boost::json::value("\xC0\xAF")), R"("\ufffd\ufffd")");
  EXPECT_EQ(toJsonText(boost::json::value("\xED\xA0\x80")), R"("\ufffd\ufffd\ufffd")");
}

TEST(JsonText, RoundTripsNestedDocument) {
  auto text = R"({"a":[1,-2,true,null,"x"],"b":{"c":18446744073709551615}})";
  EXPECT_EQ(toJsonText(boost::json::parse(text)), text);
}

}  // namespace
}  // namespace capstan
