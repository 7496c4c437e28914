// Output shaping (DESIGN.md §6): mapping, value, properties, items, coercion and its errors.
#include "shaping/shaper.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace capstan::shaping {
namespace {

using boost::json::parse;
using boost::json::value;

OutputSpec mapped(std::string name, std::string type, std::string mapping) {
  OutputSpec spec;
  spec.name = std::move(name);
  spec.type = std::move(type);
  spec.mapping = std::move(mapping);
  return spec;
}

OutputSpec typed(std::string name, std::string type) {
  OutputSpec spec;
  spec.name = std::move(name);
  spec.type = std::move(type);
  return spec;
}

Shaper compiled(const std::vector<OutputSpec>& outputs) {
  auto shaper = compileShaper(outputs);
  EXPECT_TRUE(shaper.ok()) << (shaper.ok() ? "" : shaper.error().describe());
  return shaper.ok() ? shaper.value() : Shaper{};
}

value shapedOk(const std::vector<OutputSpec>& outputs, const value& upstream) {
  auto result = compiled(outputs).apply(upstream);
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().describe());
  return result.ok() ? result.value() : value{};
}

Error shapedError(const std::vector<OutputSpec>& outputs, const value& upstream) {
  auto result = compiled(outputs).apply(upstream);
  EXPECT_FALSE(result.ok()) << "shaping should fail";
  return result.ok() ? Error{} : result.error();
}

const value kJob = parse(R"({"id":"j1","status":"completed","progress":"100","width":1024,
  "ratio":"1.5","done":"true","owner":{"name":"ann"},"urls":["u1","u2"]})");

TEST(ShapingIdentity, SeedDotRootMappingIsIdentity) {
  auto shaper = compiled({mapped("", "object", "$.")});
  EXPECT_TRUE(shaper.isIdentity());
  EXPECT_EQ(shaper.dotRootParameters(), std::vector<std::string>{"(unnamed)"});
  EXPECT_EQ(shaper.apply(kJob).value(), kJob);
}

TEST(ShapingIdentity, RootMappingIsIdentity) {
  EXPECT_TRUE(compiled({mapped("", "object", "$")}).isIdentity());
  EXPECT_TRUE(compiled({mapped("", "", "$")}).isIdentity());
}

TEST(ShapingIdentity, NoOutputsIsIdentity) { EXPECT_TRUE(compiled({}).isIdentity()); }

TEST(ShapingIdentity, NamedRootMappingIsNotIdentity) {
  auto shaper = compiled({mapped("job", "object", "$")});
  EXPECT_FALSE(shaper.isIdentity());
  EXPECT_EQ(shaper.apply(kJob).value(), value({{"job", kJob}}));
}

TEST(ShapingMapping, ObjectWithoutPropertiesReturnsTheMappedValue) {
  EXPECT_EQ(shapedOk({mapped("", "object", "$.owner")}, kJob), parse(R"({"name":"ann"})"));
}

TEST(ShapingMapping, NamedOutputsBuildAnObjectKeyedByName) {
  auto result =
      shapedOk({mapped("id", "string", "$.id"), mapped("state", "string", "$.status")}, kJob);
  EXPECT_EQ(result, parse(R"({"id":"j1","state":"completed"})"));
}

TEST(ShapingMapping, MissingNodeGivesNull) {
  EXPECT_EQ(shapedOk({mapped("x", "string", "$.nope")}, kJob), parse(R"({"x":null})"));
}

TEST(ShapingMapping, NonSingularMappingGivesAnArray) {
  auto document = parse(R"({"data":[{"id":1},{"id":2}]})");
  EXPECT_EQ(shapedOk({mapped("", "array", "$.data[*].id")}, document), parse("[1,2]"));
}

TEST(ShapingMapping, InvalidMappingIsACompileErrorNamingTheParameter) {
  auto shaper = compileShaper({mapped("jobs", "array", "$.data[")});
  ASSERT_FALSE(shaper.ok());
  EXPECT_EQ(shaper.error().parameter, "jobs");
  EXPECT_EQ(shaper.error().code, Error::Code::kInvalidSpec);
  EXPECT_NE(shaper.error().message.find("offset 7"), std::string::npos) << shaper.error().message;
}

TEST(ShapingMapping, DollarValueIsReadAsAMapping) {
  OutputSpec spec;
  spec.name = "result";
  spec.type = "object";
  spec.value = "$.owner";
  EXPECT_EQ(shapedOk({spec}, kJob), parse(R"({"result":{"name":"ann"}})"));
}

TEST(ShapingProperties, BuildNestedObjectsRelativeToTheMappedNode) {
  OutputSpec owner = mapped("owner", "object", "$.owner");
  owner.properties.push_back(mapped("login", "string", "$.name"));
  OutputSpec job = mapped("", "object", "$");
  job.properties.push_back(mapped("id", "string", "$.id"));
  job.properties.push_back(owner);
  EXPECT_EQ(shapedOk({job}, kJob), parse(R"({"id":"j1","owner":{"login":"ann"}})"));
}

TEST(ShapingProperties, PropertyWithoutMappingTakesTheSameNamedMember) {
  OutputSpec job;
  job.type = "object";
  job.properties.push_back(typed("status", "string"));
  EXPECT_EQ(shapedOk({job}, kJob), parse(R"({"status":"completed"})"));
}

TEST(ShapingProperties, PropertiesOverANonObjectIsAnError) {
  OutputSpec job = mapped("job", "object", "$.id");
  job.properties.push_back(mapped("x", "string", "$.x"));
  auto error = shapedError({job}, kJob);
  EXPECT_EQ(error.parameter, "job");
  EXPECT_EQ(error.code, Error::Code::kWrongStructure);
}

TEST(ShapingProperties, DuplicatePropertyIsACompileError) {
  OutputSpec job = mapped("job", "object", "$");
  job.properties.push_back(mapped("x", "string", "$.a"));
  job.properties.push_back(mapped("x", "string", "$.b"));
  EXPECT_FALSE(compileShaper({job}).ok());
}

TEST(ShapingItems, MapEachElement) {
  auto document = parse(R"({"data":[{"id":"a","n":"1"},{"id":"b","n":"2"}]})");
  OutputSpec item;
  item.type = "object";
  item.properties.push_back(mapped("id", "string", "$.id"));
  item.properties.push_back(mapped("n", "integer", "$.n"));
  OutputSpec jobs = mapped("jobs", "array", "$.data");
  jobs.items = std::make_shared<OutputSpec>(item);
  EXPECT_EQ(shapedOk({jobs}, document), parse(R"({"jobs":[{"id":"a","n":1},{"id":"b","n":2}]})"));
}

TEST(ShapingItems, ScalarItemsCoerceEachElement) {
  OutputSpec numbers = mapped("", "array", "$");
  numbers.items = std::make_shared<OutputSpec>(typed("", "number"));
  EXPECT_EQ(shapedOk({numbers}, parse(R"(["1","2.5",3])")), parse("[1,2.5,3]"));
}

TEST(ShapingItems, ErrorInAnElementNamesTheItemParameter) {
  OutputSpec item;
  item.type = "object";
  item.properties.push_back(mapped("n", "integer", "$.n"));
  OutputSpec jobs = mapped("jobs", "array", "$.data");
  jobs.items = std::make_shared<OutputSpec>(item);
  auto error = shapedError({jobs}, parse(R"({"data":[{"n":"1"},{"n":"x"}]})"));
  EXPECT_EQ(error.parameter, "jobs[].n");
  EXPECT_EQ(error.code, Error::Code::kNotCoercible);
}

TEST(ShapingItems, ItemsOverANonArrayIsAnError) {
  OutputSpec jobs = mapped("jobs", "array", "$.owner");
  jobs.items = std::make_shared<OutputSpec>(typed("", "string"));
  EXPECT_EQ(shapedError({jobs}, kJob).code, Error::Code::kWrongStructure);
}

TEST(ShapingCoercion, NumericStringBecomesInteger) {
  EXPECT_EQ(shapedOk({mapped("p", "integer", "$.progress")}, kJob), parse(R"({"p":100})"));
}

TEST(ShapingCoercion, IntegralDoubleBecomesInteger) {
  auto result = shapedOk({mapped("", "integer", "$.n")}, parse(R"({"n":10.0})"));
  EXPECT_TRUE(result.is_int64());
  EXPECT_EQ(result, 10);
}

TEST(ShapingCoercion, FractionalValueIsNotAnInteger) {
  auto error = shapedError({mapped("n", "integer", "$.n")}, parse(R"({"n":10.5})"));
  EXPECT_EQ(error.parameter, "n");
  EXPECT_EQ(error.code, Error::Code::kNotCoercible);
  EXPECT_EQ(shapedError({mapped("n", "integer", "$.n")}, parse(R"({"n":"10.5"})")).parameter, "n");
}

TEST(ShapingCoercion, NonNumericStringIsNotAnInteger) {
  auto error = shapedError({mapped("state", "integer", "$.status")}, kJob);
  EXPECT_EQ(error.parameter, "state");
  EXPECT_NE(error.describe().find("completed"), std::string::npos) << error.describe();
}

TEST(ShapingCoercion, NumericStringBecomesNumber) {
  EXPECT_EQ(shapedOk({mapped("r", "number", "$.ratio")}, kJob), parse(R"({"r":1.5})"));
}

TEST(ShapingCoercion, NumberKeepsNumbers) {
  EXPECT_EQ(shapedOk({mapped("w", "number", "$.width")}, kJob), parse(R"({"w":1024})"));
}

TEST(ShapingCoercion, LooseNumericTextIsNotANumber) {
  for (const char* text : {R"(" 1")", R"("1 ")", R"("0x10")", R"("")", R"("1.")", R"("01")"}) {
    auto document = parse(std::string(R"({"n":)") + text + "}");
    EXPECT_EQ(shapedError({mapped("n", "number", "$.n")}, document).code,
              Error::Code::kNotCoercible)
        << text;
  }
}

TEST(ShapingCoercion, BooleanObjectIsNotANumber) {
  EXPECT_EQ(shapedError({mapped("n", "number", "$.owner")}, kJob).code, Error::Code::kNotCoercible);
  EXPECT_EQ(shapedError({mapped("n", "number", "$.n")}, parse(R"({"n":true})")).code,
            Error::Code::kNotCoercible);
}

TEST(ShapingCoercion, TrueFalseStringsBecomeBooleans) {
  EXPECT_EQ(shapedOk({mapped("d", "boolean", "$.done")}, kJob), parse(R"({"d":true})"));
  EXPECT_EQ(shapedOk({mapped("d", "boolean", "$.d")}, parse(R"({"d":"false"})")),
            parse(R"({"d":false})"));
}

TEST(ShapingCoercion, OtherStringsAreNotBooleans) {
  EXPECT_EQ(shapedError({mapped("d", "boolean", "$.d")}, parse(R"({"d":"yes"})")).parameter, "d");
  EXPECT_EQ(shapedError({mapped("d", "boolean", "$.d")}, parse(R"({"d":1})")).parameter, "d");
}

TEST(ShapingCoercion, ScalarsBecomeStrings) {
  auto result = shapedOk({mapped("w", "string", "$.width"), mapped("b", "string", "$.b")},
                         parse(R"({"width":1024,"b":false})"));
  EXPECT_EQ(result, parse(R"({"w":"1024","b":"false"})"));
}

TEST(ShapingCoercion, ContainerIsNotAString) {
  EXPECT_EQ(shapedError({mapped("u", "string", "$.urls")}, kJob).code, Error::Code::kNotCoercible);
}

TEST(ShapingCoercion, NullStaysNullWhateverTheType) {
  EXPECT_EQ(shapedOk({mapped("n", "integer", "$.n")}, parse(R"({"n":null})")),
            parse(R"({"n":null})"));
}

TEST(ShapingCoercion, UnknownTypeIsACompileError) {
  auto shaper = compileShaper({mapped("n", "float", "$.n")});
  ASSERT_FALSE(shaper.ok());
  EXPECT_EQ(shaper.error().parameter, "n");
}

TEST(ShapingCoercion, TypeNamesAreCaseInsensitive) {
  EXPECT_EQ(shapedOk({mapped("p", "Integer", "$.progress")}, kJob), parse(R"({"p":100})"));
}

TEST(ShapingMaxLength, TruncatesByCodePoint) {
  OutputSpec spec = mapped("", "string", "$.s");
  spec.max_length = 2;
  EXPECT_EQ(shapedOk({spec}, parse(R"({"s":"\u00e9t\u00e9"})")), value("\u00e9t"));
}

TEST(ShapingMaxLength, ShortStringIsUnchanged) {
  OutputSpec spec = mapped("", "string", "$.s");
  spec.max_length = 10;
  EXPECT_EQ(shapedOk({spec}, parse(R"({"s":"abc"})")), value("abc"));
}

TEST(ShapingValue, StaticValueIsCoerced) {
  OutputSpec spec;
  spec.name = "limit";
  spec.type = "integer";
  spec.value = "25";
  EXPECT_EQ(shapedOk({spec}, kJob), parse(R"({"limit":25})"));
}

TEST(ShapingValue, TemplateSubstitutesCallerParameters) {
  OutputSpec spec;
  spec.name = "message";
  spec.type = "string";
  spec.value = "job {{ jobId }} of {{owner}}{{missing}}";
  auto params = parse(R"({"jobId":"j1","owner":7})").as_object();
  auto result = compiled({spec}).apply(kJob, &params);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), parse(R"({"message":"job j1 of 7"})"));
}

TEST(ShapingOutputs, UnnamedAmongSeveralIsACompileError) {
  auto shaper = compileShaper({mapped("a", "string", "$.a"), mapped("", "string", "$.b")});
  ASSERT_FALSE(shaper.ok());
  EXPECT_EQ(shaper.error().code, Error::Code::kInvalidSpec);
}

TEST(ShapingOutputs, DuplicateNameIsACompileError) {
  EXPECT_FALSE(compileShaper({mapped("a", "string", "$.a"), mapped("a", "string", "$.b")}).ok());
}

}  // namespace
}  // namespace capstan::shaping
