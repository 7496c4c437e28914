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

TEST(JsonText, RoundTripsNestedDocument) {
  auto text = R"({"a":[1,-2,true,null,"x"],"b":{"c":18446744073709551615}})";
  EXPECT_EQ(toJsonText(boost::json::parse(text)), text);
}

}  // namespace
}  // namespace capstan
