#include "engine/parameter.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capstan::engine {
namespace {

namespace json = boost::json;

std::optional<json::value> coerce(std::string_view json_text, std::string_view type) {
  return coerceValue(json::parse(json_text), type);
}

TEST(CoerceValue, IntegerAcceptsNumberNumericStringAndIntegralDouble) {
  EXPECT_EQ(coerce("10", "integer"), json::value(10));
  EXPECT_EQ(coerce("\"10\"", "integer"), json::value(10));
  EXPECT_EQ(coerce("10.0", "integer"), json::value(10));
}

TEST(CoerceValue, IntegerRefusesTextFractionArrayAndObject) {
  EXPECT_FALSE(coerce("\"abc\"", "integer"));
  EXPECT_FALSE(coerce("10.5", "integer"));
  EXPECT_FALSE(coerce("\"10.5\"", "integer"));
  EXPECT_FALSE(coerce("[10]", "integer"));
  EXPECT_FALSE(coerce("{\"a\":10}", "integer"));
  EXPECT_FALSE(coerce("\" 10\"", "integer")) << "blanks are not a number";
  EXPECT_FALSE(coerce("true", "integer"));
}

TEST(CoerceValue, BooleanAcceptsOnlyTrueAndFalse) {
  EXPECT_EQ(coerce("\"true\"", "boolean"), json::value(true));
  EXPECT_EQ(coerce("false", "boolean"), json::value(false));
  EXPECT_FALSE(coerce("\"yes\"", "boolean"));
  EXPECT_FALSE(coerce("1", "boolean"));
}

TEST(CoerceValue, StringRefusesStructuresButTakesScalarText) {
  EXPECT_EQ(coerce("42", "string"), json::value("42"));
  EXPECT_FALSE(coerce("[\"a\"]", "string"));
  EXPECT_FALSE(coerce("{}", "string"));
}

TEST(ValidateArguments, MissingRequiredParameterIsNamed) {
  std::vector<ParameterInfo> parameters{
      {"jobId", "string", "", true, std::nullopt, ParamLocation::kArgument}};
  auto result = validateArguments(parameters, json::object{});
  ASSERT_TRUE(result.error);
  EXPECT_EQ(result.error->parameter, "jobId");
}

TEST(ValidateArguments, ValueOutsideEnumIsRefused) {
  std::vector<ParameterInfo> parameters{{"status", "string", "", false,
                                         std::vector<std::string>{"pending", "completed"},
                                         ParamLocation::kQuery}};
  EXPECT_FALSE(validateArguments(parameters, json::object{{"status", "pending"}}).error);
  auto refused = validateArguments(parameters, json::object{{"status", "done"}});
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(refused.error->parameter, "status");
}

TEST(ValidateArguments, UndeclaredArgumentsAreDropped) {
  std::vector<ParameterInfo> parameters{
      {"limit", "integer", "", false, std::nullopt, ParamLocation::kQuery}};
  auto result = validateArguments(parameters,
                                  json::object{{"limit", "5"}, {"Authorization", "Bearer stolen"}});
  ASSERT_FALSE(result.error);
  EXPECT_EQ(result.values, (json::object{{"limit", 5}}));
}

TEST(Encoding, PathSegmentKeepsOnlyUnreservedCharacters) {
  // RFC 3986 §2.3 unreserved: ALPHA DIGIT - . _ ~
  EXPECT_EQ(encodePathSegment("a/b c?d#e%f"), "a%2Fb%20c%3Fd%23e%25f");
  EXPECT_EQ(encodePathSegment("Az09-._~"), "Az09-._~");
  EXPECT_EQ(encodePathSegment("é"), "%C3%A9");
}

TEST(Encoding, FormComponentWritesSpaceAsPlus) {
  EXPECT_EQ(encodeFormComponent("a b&c=d+e"), "a+b%26c%3Dd%2Be");
}

TEST(ScalarText, IntegralDoublePrintsWithoutFraction) {
  EXPECT_EQ(scalarText(json::value(10.0)), "10");
  EXPECT_EQ(scalarText(json::value(2.5)), "2.5");
  EXPECT_EQ(scalarText(json::value(true)), "true");
}

}  // namespace
}  // namespace capstan::engine
