// The capability's MCP face: input schemas (DESIGN.md §4) and engine outcomes as tool results
// (DESIGN.md §7).
#include "mcp/capability_tools.hpp"

#include <gtest/gtest.h>

namespace capstan::mcp {
namespace {

engine::ParameterInfo parameter(std::string name, std::string type, bool required = false) {
  engine::ParameterInfo info;
  info.name = std::move(name);
  info.type = std::move(type);
  info.required = required;
  return info;
}

TEST(CapabilitySchemas, AreObjectsWithPropertiesEvenWithoutParameters) {
  engine::ExposedOperation operation;
  auto schema = inputSchemaFor(operation);
  EXPECT_EQ(schema.at("type"), "object");
  EXPECT_TRUE(schema.at("properties").is_object());
  EXPECT_FALSE(schema.contains("required"));
}

TEST(CapabilitySchemas, KeepTypesDescriptionsEnumsAndRequired) {
  engine::ExposedOperation operation;
  operation.parameters.push_back(parameter("limit", "integer"));
  operation.parameters.back().description = "Maximum number of jobs";
  operation.parameters.push_back(parameter("jobId", "string", true));
  operation.parameters.push_back(parameter("sort", "string"));
  operation.parameters.back().enum_values = std::vector<std::string>{"asc", "desc"};
  auto schema = inputSchemaFor(operation);
  const auto& properties = schema.at("properties").as_object();
  EXPECT_EQ(properties.at("limit").at("type"), "integer");
  EXPECT_EQ(properties.at("limit").at("description"), "Maximum number of jobs");
  EXPECT_EQ(properties.at("sort").at("enum").as_array().size(), 2u);
  ASSERT_EQ(schema.at("required").as_array().size(), 1u);
  EXPECT_EQ(schema.at("required").as_array()[0], "jobId");
}

TEST(CapabilitySchemas, ArraysHaveItems) {
  // VS Code refuses array parameters without `items` (research-notes/mcp.md §6.5).
  engine::ExposedOperation operation;
  operation.parameters.push_back(parameter("tags", "array"));
  EXPECT_TRUE(inputSchemaFor(operation).at("properties").at("tags").as_object().contains("items"));
}

std::string textOf(const ToolResult& result) {
  return std::string(result.content.at(0).at("text").as_string());
}

TEST(CapabilityResults, SuccessCarriesStructuredContentAndTheSameText) {
  engine::CallOutcome outcome;
  outcome.upstream_status = 200;
  outcome.body = R"({"data":[],"total":0})";
  auto result = toolResultFor(outcome);
  EXPECT_FALSE(result.is_error);
  ASSERT_TRUE(result.structured_content);
  EXPECT_EQ(result.structured_content->at("total"), 0);
  EXPECT_EQ(textOf(result), outcome.body);
}

TEST(CapabilityResults, AnEmptyTwoHundredIsASuccess) {
  engine::CallOutcome outcome;
  outcome.upstream_status = 204;
  auto result = toolResultFor(outcome);
  EXPECT_FALSE(result.is_error);
  EXPECT_FALSE(result.structured_content);
}

TEST(CapabilityResults, AnUpstreamErrorIsAnIsErrorResultWithStatusAndBody) {
  engine::CallOutcome outcome;
  outcome.kind = engine::ErrorKind::kUpstreamStatus;
  outcome.upstream_status = 400;
  outcome.body = R"({"status":"ERROR","code":"JOB_NOT_CANCELLABLE"})";
  auto result = toolResultFor(outcome);
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(textOf(result).find("400"), std::string::npos) << textOf(result);
  EXPECT_NE(textOf(result).find("JOB_NOT_CANCELLABLE"), std::string::npos) << textOf(result);
}

TEST(CapabilityResults, AnInvalidArgumentNamesIt) {
  engine::CallOutcome outcome;
  outcome.kind = engine::ErrorKind::kInvalidArgument;
  outcome.parameter = "limit";
  outcome.message = "must be an integer";
  auto result = toolResultFor(outcome);
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(textOf(result).find("'limit'"), std::string::npos) << textOf(result);
}

TEST(CapabilityResults, ATransportFailureNamesItsKind) {
  engine::CallOutcome outcome;
  outcome.kind = engine::ErrorKind::kTimeout;
  auto result = toolResultFor(outcome);
  EXPECT_TRUE(result.is_error);
  EXPECT_NE(textOf(result).find(std::string(outcome.info().metric)), std::string::npos)
      << textOf(result);
}

}  // namespace
}  // namespace capstan::mcp
