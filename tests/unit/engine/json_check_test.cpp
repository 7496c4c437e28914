#include "engine/json_check.hpp"

#include <gtest/gtest.h>

namespace capstan::engine {
namespace {

TEST(IsJsonText, AcceptsAnyValueWithSurroundingWhitespace) {
  // RFC 8259 §2: a JSON text is one value, with insignificant whitespace around it.
  for (const char* text : {"{}", " {\"a\":[1,2.5e3,true,null]}\n", "\"s\"", "0", "-1.5E-2"}) {
    EXPECT_TRUE(isJsonText(text)) << text;
  }
}

TEST(IsJsonText, RefusesTwoValuesOrTrailingText) {
  // A naive "did the parser accept a prefix" check would pass these.
  EXPECT_FALSE(isJsonText("{}{}"));
  EXPECT_FALSE(isJsonText("{\"a\":1} trailing"));
  EXPECT_FALSE(isJsonText("[1] <html>"));
}

TEST(IsJsonText, RefusesTruncatedAndEmptyBodies) {
  EXPECT_FALSE(isJsonText(""));
  EXPECT_FALSE(isJsonText("   "));
  EXPECT_FALSE(isJsonText("{\"data\":[1,2"));
  EXPECT_FALSE(isJsonText("nul"));
}

TEST(IsJsonText, RefusesWhatRfc8259DoesNotAllow) {
  EXPECT_FALSE(isJsonText("[1,]")) << "§5: no trailing comma";
  EXPECT_FALSE(isJsonText("01")) << "§6: no leading zero";
  EXPECT_FALSE(isJsonText("/* c */ {}")) << "no comments";
  EXPECT_FALSE(isJsonText("{'a':1}")) << "§7: strings use double quotes";
  EXPECT_FALSE(isJsonText("\"\xff\"")) << "§8.1: UTF-8 only";
  EXPECT_FALSE(isJsonText("<html><body>not JSON</body></html>"));
}

}  // namespace
}  // namespace capstan::engine
