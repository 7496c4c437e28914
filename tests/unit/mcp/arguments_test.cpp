// Argument checking and coercion (DESIGN.md §5; research-notes/mcp.md §6.8).
#include "mcp/arguments.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capstan::mcp {
namespace {

json::object schema() {
  return json::parse(R"({"type":"object","properties":{
      "limit":{"type":"integer"},"ratio":{"type":"number"},"flag":{"type":"boolean"},
      "jobId":{"type":"string"},"sort":{"type":"string","enum":["asc","desc"]}},
      "required":["jobId"]})")
      .as_object();
}

ArgumentCheck check(std::string_view arguments) {
  return checkArguments(schema(), json::parse(arguments).as_object());
}

TEST(Arguments, IntegerAcceptsNumbersNumericStringsAndWholeDoubles) {
  auto result = check(R"({"jobId":"j","limit":"10"})");
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.arguments.at("limit"), 10);
  EXPECT_TRUE(result.arguments.at("limit").is_int64());
  EXPECT_EQ(check(R"({"jobId":"j","limit":10.0})").arguments.at("limit"), 10);
  EXPECT_EQ(check(R"({"jobId":"j","limit":10})").arguments.at("limit"), 10);
}

TEST(Arguments, IntegerRefusesTextFractionsAndContainers) {
  for (auto bad : {R"("abc")", "10.5", "[1]", R"({"a":1})"}) {
    auto result = check(std::string(R"({"jobId":"j","limit":)") + bad + "}");
    EXPECT_NE(result.error.find("'limit'"), std::string::npos) << bad << ": " << result.error;
  }
}

TEST(Arguments, BooleansAndNumbersFromStrings) {
  auto result = check(R"({"jobId":"j","flag":"true","ratio":"1.5"})");
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.arguments.at("flag"), true);
  EXPECT_EQ(result.arguments.at("ratio"), 1.5);
}

TEST(Arguments, AMissingRequiredArgumentIsNamed) {
  auto result = check(R"({"limit":1})");
  EXPECT_NE(result.error.find("'jobId'"), std::string::npos) << result.error;
}

TEST(Arguments, EnumValuesAreEnforced) {
  EXPECT_EQ(check(R"({"jobId":"j","sort":"asc"})").error, "");
  EXPECT_NE(check(R"({"jobId":"j","sort":"sideways"})").error.find("'sort'"), std::string::npos);
}

TEST(Arguments, NullMeansNotGiven) {
  auto result = check(R"({"jobId":"j","limit":null})");
  ASSERT_EQ(result.error, "");
  EXPECT_FALSE(result.arguments.contains("limit"));
}

TEST(Arguments, ClosedSchemasRefuseUnknownArguments) {
  auto closed =
      json::parse(R"({"type":"object","properties":{},"additionalProperties":false})").as_object();
  auto result = checkArguments(closed, json::parse(R"({"extra":1})").as_object());
  EXPECT_NE(result.error.find("'extra'"), std::string::npos) << result.error;
}

}  // namespace
}  // namespace capstan::mcp
