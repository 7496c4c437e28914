#include "engine/planner.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "engine/startup_error.hpp"
#include "spec/loader.hpp"
#include "spec/lookup.hpp"

namespace capstan::engine {
namespace {

namespace json = boost::json;

constexpr const char* kBase = "https://api.midjourney.com";

class SeedCapability : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = spec::loadDocument(CAPSTAN_SEED_CAPABILITY);
    ASSERT_TRUE(loaded.ok()) << "the seed capability must load";
    document_ = std::move(*loaded.document);
    binds_ = BindTable::resolve(document_.binds,
                                [](const std::string& name) -> std::optional<std::string> {
                                  if (name == "MIDJOURNEY_API_KEY") return "sk-test-123";
                                  return std::nullopt;
                                },
                                {});
  }

  CompiledCall rest(std::size_t resource_index,
                    const std::map<std::string, std::string>& overrides = {}) {
    const spec::RestAdapter& adapter = document_.capability.rest.at(0);
    const spec::RestResource& resource = adapter.resources.at(resource_index);
    const spec::RestOperation& operation = resource.operations.at(0);
    std::vector<std::string> placeholders;
    for (const auto& p : spec::pathPlaceholders(resource.path)) placeholders.push_back(p.name);
    return compileCall(document_, Surface::kRest, adapter.namespace_, operation.call,
                       operation.with, operation.input_parameters, placeholders,
                       operation.output_parameters, binds_, overrides);
  }

  CompiledCall tool(std::size_t tool_index) {
    const spec::McpAdapter& adapter = document_.capability.mcp.at(0);
    const spec::McpTool& mcp_tool = adapter.tools.at(tool_index);
    return compileCall(document_, Surface::kMcp, adapter.namespace_, mcp_tool.call, mcp_tool.with,
                       mcp_tool.input_parameters, {}, mcp_tool.output_parameters, binds_, {});
  }

  UpstreamCall build(const CompiledCall& compiled, const json::object& arguments) {
    auto validated = validateArguments(compiled.parameters, arguments);
    EXPECT_FALSE(validated.error) << validated.error->message;
    auto built = buildUpstreamCall(compiled, validated.values, binds_);
    EXPECT_FALSE(built.error) << built.error->message;
    return built.call.value_or(UpstreamCall{});
  }

  std::optional<ArgumentError> refusal(const CompiledCall& compiled,
                                       const json::object& arguments) {
    auto validated = validateArguments(compiled.parameters, arguments);
    if (validated.error) return validated.error;
    return buildUpstreamCall(compiled, validated.values, binds_).error;
  }

  static std::optional<std::string> header(const UpstreamCall& call, std::string_view name) {
    for (const auto& [key, value] : call.headers) {
      if (key == name) return value;
    }
    return std::nullopt;
  }

  spec::Document document_;
  BindTable binds_;
};

TEST_F(SeedCapability, ListSendsTheCallersValuesNotTheReferenceText) {
  auto call = build(rest(0), {{"status", "pending"}, {"limit", "10"}});
  EXPECT_EQ(call.method, "GET");
  EXPECT_EQ(call.url, std::string(kBase) + "/v1/jobs?status=pending&limit=10");
  EXPECT_EQ(call.url.find("rest."), std::string::npos);
}

TEST_F(SeedCapability, AbsentOptionalReferencesAreOmitted) {
  auto call = build(rest(0), {});
  EXPECT_EQ(call.url, std::string(kBase) + "/v1/jobs") << "never status= nor the literal text";
}

TEST_F(SeedCapability, ListParametersAreTypedFromTheConsumedParameterTheyFeed) {
  auto compiled = rest(0);
  auto limit = std::find_if(compiled.parameters.begin(), compiled.parameters.end(),
                            [](const ParameterInfo& p) { return p.name == "limit"; });
  ASSERT_NE(limit, compiled.parameters.end());
  EXPECT_EQ(limit->type, "integer");
  EXPECT_EQ(limit->location, ParamLocation::kQuery);
  EXPECT_FALSE(limit->required);
  EXPECT_EQ(limit->description, "Maximum number of jobs to return per page.");
}

TEST_F(SeedCapability, NonIntegerLimitIsRefusedBeforeAnyCall) {
  auto error = refusal(rest(0), {{"limit", "ten"}});
  ASSERT_TRUE(error);
  EXPECT_EQ(error->parameter, "limit");
}

TEST_F(SeedCapability, JobIdIsFedByTheCaseInsensitiveExposedPathParameter) {
  auto call = build(rest(1), {{"jobid", "job-42"}});
  EXPECT_EQ(call.url, std::string(kBase) + "/v1/jobs/job-42");
}

TEST_F(SeedCapability, JobIdIsPercentEncodedAsOneSegment) {
  // RFC 3986 §2.3: unreserved characters stay, everything else is percent-encoded.
  auto call = build(rest(1), {{"jobid", "a..b c%?#~_"}});
  EXPECT_EQ(call.url, std::string(kBase) + "/v1/jobs/a..b%20c%25%3F%23~_");
}

TEST_F(SeedCapability, DotDotJobIdIsRefused) {
  // A '/' is refused too: "../imagine" sent as "..%2Fimagine" is decoded by many servers.
  for (const char* value : {"..", ".", "", "../imagine", "a/b", "/"}) {
    auto error = refusal(rest(2), {{"jobid", value}});
    ASSERT_TRUE(error) << "value '" << value << "' must be refused";
    EXPECT_EQ(error->parameter, "jobid");
  }
}

TEST_F(SeedCapability, BearerTokenComesFromTheEnvironmentBind) {
  auto call = build(rest(0), {});
  EXPECT_EQ(header(call, "Authorization"), "Bearer sk-test-123");
}

TEST_F(SeedCapability, CancelPostsWithAnEmptyBody) {
  auto call = build(rest(2), {{"jobid", "j1"}});
  EXPECT_EQ(call.method, "POST");
  EXPECT_EQ(call.url, std::string(kBase) + "/v1/jobs/j1/cancel");
  EXPECT_EQ(call.body, std::string());
}

TEST_F(SeedCapability, McpToolForGetInfersARequiredJobId) {
  auto compiled = tool(1);
  ASSERT_EQ(compiled.parameters.size(), 1u);
  EXPECT_EQ(compiled.parameters[0].name, "jobId");
  EXPECT_TRUE(compiled.parameters[0].required);
  EXPECT_EQ(compiled.parameters[0].type, "string");
  auto call = build(compiled, {{"jobId", "x1"}});
  EXPECT_EQ(call.url, std::string(kBase) + "/v1/jobs/x1");
}

TEST_F(SeedCapability, McpListToolCoercesIntegerLimit) {
  auto call = build(tool(0), {{"limit", 10.0}, {"sort", "newest"}});
  EXPECT_EQ(call.url, std::string(kBase) + "/v1/jobs?limit=10&sort=newest");
}

TEST_F(SeedCapability, UpstreamOverrideReplacesTheBaseUri) {
  auto call = build(rest(0, {{"image-generation-jobs", "http://127.0.0.1:9/"}}), {});
  EXPECT_EQ(call.url, "http://127.0.0.1:9/v1/jobs");
}

TEST_F(SeedCapability, IdentityMappingIsDetected) { EXPECT_TRUE(rest(0).identity_output); }

TEST(Binds, MissingSecretIsAStartupErrorNamingTheVariable) {
  auto loaded = spec::loadDocument(CAPSTAN_SEED_CAPABILITY);
  ASSERT_TRUE(loaded.ok());
  try {
    BindTable::resolve(loaded.document->binds,
                       [](const std::string&) { return std::optional<std::string>(); }, {});
    FAIL() << "a missing secret must stop the start";
  } catch (const StartupError& error) {
    EXPECT_NE(std::string(error.what()).find("MIDJOURNEY_API_KEY"), std::string::npos);
  }
}

TEST(Binds, RedactReplacesEverySecretOccurrence) {
  EXPECT_EQ(redact("a sk1 b sk1", {"sk1"}), "a *** b ***");
}

constexpr const char* kHeaderCapability = R"(naftiko: 1.0.0-alpha2
info:
  label: Header test
  description: Header test capability.
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://example.test
    resources:
    - name: things
      path: /things
      operations:
      - name: list
        method: GET
        inputParameters:
        - name: X-Trace
          in: header
          type: string
        - name: page
          in: query
          type: integer
        - name: fixed
          in: query
          type: string
          value: '{{missing_var}}'
  exposes:
  - type: rest
    namespace: api
    port: 8081
    resources:
    - path: /things
      name: things
      operations:
      - method: GET
        name: list
        call: up.list
        with:
          X-Trace: rest.trace
          page: 3
        outputParameters:
        - type: object
          mapping: $.
)";

TEST(Planner, HeaderValueWithCrLfIsRefused) {
  auto loaded = spec::loadDocumentFromString(kHeaderCapability, "header.yaml");
  ASSERT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? std::string()
                                                          : loaded.diagnostics[0].message);
  const auto& document = *loaded.document;
  const auto& operation = document.capability.rest[0].resources[0].operations[0];
  BindTable binds;
  auto compiled =
      compileCall(document, Surface::kRest, "api", operation.call, operation.with,
                  operation.input_parameters, {}, operation.output_parameters, binds, {});
  auto validated = validateArguments(compiled.parameters, {{"trace", "a\r\nX-Evil: 1"}});
  ASSERT_FALSE(validated.error);
  auto built = buildUpstreamCall(compiled, validated.values, binds);
  ASSERT_TRUE(built.error);
  EXPECT_EQ(built.error->parameter, "X-Trace");

  auto clean =
      buildUpstreamCall(compiled, validateArguments(compiled.parameters, {}).values, binds);
  ASSERT_TRUE(clean.call);
  EXPECT_EQ(clean.call->url, "http://example.test/things?page=3")
      << "numeric constants are sent, templates with unknown variables are omitted";
}

}  // namespace
}  // namespace capstan::engine
