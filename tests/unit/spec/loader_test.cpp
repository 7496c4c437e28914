// The model built from the seed capability (capabilities/midjourney) and from small inline files.
#include "spec/loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace capstan::spec {
namespace {

const std::string kSeed =
    std::string(CAPSTAN_SOURCE_DIR) + "/capabilities/midjourney/image-generation-jobs.yaml";

const Document& seed() {
  static const LoadResult result = loadDocument(kSeed);
  return *result.document;
}

LoadResult loadText(const std::string& text, LoadOptions options = {}) {
  return loadDocumentFromString(text, "inline.yaml", options);
}

bool hasCode(const LoadResult& result, const std::string& code) {
  return std::any_of(result.diagnostics.begin(), result.diagnostics.end(),
                     [&](const Diagnostic& d) { return d.code == code; });
}

TEST(SeedModel, LoadsWithoutErrors) {
  const LoadResult result = loadDocument(kSeed);
  ASSERT_TRUE(result.ok()) << formatDiagnostic(result.diagnostics.front());
  EXPECT_EQ(result.document->naftiko_version, "1.0.0-alpha2");
  EXPECT_EQ(result.document->source_file, kSeed);
}

TEST(SeedModel, InfoIsRead) {
  EXPECT_EQ(seed().info.label, "Midjourney Image Generation API — Jobs");
  EXPECT_EQ(seed().info.tags, (std::vector<std::string>{"Midjourney", "Jobs"}));
  EXPECT_EQ(seed().info.created, "2026-05-19");
}

TEST(SeedModel, EnvironmentBindMapsVariableToProviderKey) {
  ASSERT_EQ(seed().binds.size(), 1u);
  const Bind& bind = seed().binds[0];
  EXPECT_EQ(bind.namespace_, "env");
  EXPECT_FALSE(bind.location.has_value());
  ASSERT_EQ(bind.keys.size(), 1u);
  EXPECT_EQ(bind.keys[0].first, "MIDJOURNEY_API_KEY");
  EXPECT_EQ(bind.keys[0].second, "MIDJOURNEY_API_KEY");
  EXPECT_EQ(bind.key_pos[0].line, 14);
}

TEST(SeedModel, ConsumedAdapterKeepsBaseUriAuthenticationAndResources) {
  ASSERT_EQ(seed().capability.consumes.size(), 1u);
  const ConsumedHttp& consumes = seed().capability.consumes[0];
  EXPECT_EQ(consumes.namespace_, "image-generation-jobs");
  EXPECT_EQ(consumes.base_uri, "https://api.midjourney.com");
  ASSERT_TRUE(consumes.authentication.has_value());
  EXPECT_EQ(consumes.authentication->type, "bearer");
  EXPECT_EQ(consumes.authentication->token, "{{env.MIDJOURNEY_API_KEY}}");
  ASSERT_EQ(consumes.resources.size(), 3u);
  EXPECT_EQ(consumes.resources[1].path, "/v1/jobs/{jobId}");
  EXPECT_EQ(consumes.resources[2].operations[0].method, "POST");
  EXPECT_EQ(consumes.pos.line, 17);
  EXPECT_EQ(consumes.pointer, "/capability/consumes/0");
}

TEST(SeedModel, ConsumedQueryParametersKeepTypeAndDescription) {
  const Operation& list = seed().capability.consumes[0].resources[0].operations[0];
  EXPECT_EQ(list.name, "listjobs");
  EXPECT_EQ(list.output_raw_format, "json");
  ASSERT_EQ(list.input_parameters.size(), 4u);
  EXPECT_EQ(list.input_parameters[1].name, "limit");
  EXPECT_EQ(list.input_parameters[1].in, "query");
  EXPECT_EQ(list.input_parameters[1].type, "integer");
  EXPECT_FALSE(list.input_parameters[1].required);
  EXPECT_EQ(list.input_parameters[1].pos.line, 38);
  EXPECT_EQ(list.input_parameters[1].pos.column, 11);
}

TEST(SeedModel, ConsumedOutputKeepsRootValue) {
  const OutputParameter& result =
      seed().capability.consumes[0].resources[0].operations[0].output_parameters[0];
  EXPECT_EQ(result.name, "result");
  EXPECT_EQ(result.type, "object");
  ASSERT_TRUE(result.value.has_value());
  EXPECT_EQ(result.value->text, "$.");
  EXPECT_FALSE(result.has_properties);
}

TEST(SeedModel, RestAdapterKeepsWithInOrderAsReferences) {
  ASSERT_EQ(seed().capability.rest.size(), 1u);
  const RestAdapter& rest = seed().capability.rest[0];
  EXPECT_EQ(rest.namespace_, "image-generation-jobs-rest");
  EXPECT_EQ(rest.port, 8080);
  EXPECT_FALSE(rest.address.has_value());
  ASSERT_EQ(rest.resources.size(), 3u);
  EXPECT_EQ(rest.resources[1].path, "/v1/v1/jobs/{jobid}");
  const RestOperation& list = rest.resources[0].operations[0];
  EXPECT_EQ(list.call, "image-generation-jobs.listjobs");
  EXPECT_EQ(list.call_pos.line, 89);
  ASSERT_EQ(list.with.size(), 4u);
  EXPECT_EQ(list.with[0].first, "status");
  EXPECT_EQ(list.with[0].second.text, "rest.status");
  EXPECT_EQ(list.with[0].second.kind, ScalarKind::kString);
  EXPECT_EQ(list.with[3].first, "sort");
  const OutputParameter& output = list.output_parameters[0];
  EXPECT_FALSE(output.name.has_value());
  EXPECT_EQ(output.mapping, "$.");
}

TEST(SeedModel, McpAdapterKeepsToolsAndHints) {
  ASSERT_EQ(seed().capability.mcp.size(), 1u);
  const McpAdapter& mcp = seed().capability.mcp[0];
  EXPECT_EQ(mcp.port, 9090);
  EXPECT_EQ(mcp.transport, "http");
  ASSERT_EQ(mcp.tools.size(), 3u);
  const McpTool& cancel = mcp.tools[2];
  EXPECT_EQ(cancel.name, "cancel-pending-progress-job");
  EXPECT_EQ(cancel.hints.read_only, false);
  EXPECT_EQ(cancel.hints.idempotent, false);
  EXPECT_FALSE(cancel.hints.open_world.has_value());
  EXPECT_TRUE(cancel.input_parameters.empty());
  EXPECT_EQ(mcp.tools[0].hints.read_only, true);
}

TEST(SeedModel, NothingUnsupported) {
  EXPECT_TRUE(seed().capability.unsupported.empty());
  EXPECT_TRUE(seed().capability.control.empty());
}

TEST(Loader, DocumentIsAbsentWhenThereIsAnError) {
  const LoadResult result = loadText("naftiko: 1.0.0-alpha2\ncapability: []\n");
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(formatDiagnostic(result.diagnostics[0]),
            "inline.yaml:2:13: error: /capability: expected a mapping (capability), found a "
            "sequence");
}

TEST(Loader, MissingFileIsAnError) {
  const LoadResult result = loadDocument("/nonexistent/capability.yaml");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(hasCode(result, "io"));
}

TEST(Loader, EmptyFileIsAnErrorNotACrash) {
  const LoadResult result = loadText("");
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(hasCode(result, "wrong-type"));
}

TEST(Loader, WithValuesKeepTheirYamlType) {
  const LoadResult result = loadText(R"(naftiko: 1.0.0-alpha2
capability:
  consumes:
  - {type: http, namespace: a, baseUri: 'https://x.org', resources: [{name: r, path: /p,
     operations: [{name: op, method: GET, inputParameters: [{name: n, in: query},
     {name: f, in: query}, {name: b, in: query}, {name: s, in: query}]}]}]}
  exposes:
  - type: rest
    namespace: r
    port: 1
    resources:
    - path: /p
      operations:
      - method: GET
        call: a.op
        with: {n: 10, f: 1.5, b: true, s: "10"}
)");
  ASSERT_TRUE(result.ok()) << formatDiagnostic(result.diagnostics.front());
  const WithMap& with = result.document->capability.rest[0].resources[0].operations[0].with;
  ASSERT_EQ(with.size(), 4u);
  EXPECT_EQ(with[0].second.kind, ScalarKind::kInteger);
  EXPECT_EQ(with[1].second.kind, ScalarKind::kNumber);
  EXPECT_EQ(with[2].second.kind, ScalarKind::kBoolean);
  EXPECT_EQ(with[3].second.kind, ScalarKind::kString);
  EXPECT_EQ(with[3].second.text, "10");
}

TEST(Loader, ImportedConsumesAreRenamedAndKeepTheirFile) {
  const std::string path = std::string(CAPSTAN_SPEC_TEST_DATA) + "/import-unknown-namespace.yaml";
  const LoadResult result = loadDocument(path);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(hasCode(result, "import-failed"));
}

TEST(Loader, StrictTurnsExtensionsIntoErrors) {
  const std::string path = std::string(CAPSTAN_SPEC_TEST_DATA) + "/strict-extension-key.yaml";
  EXPECT_TRUE(loadDocument(path).ok());
  LoadOptions strict;
  strict.strict = true;
  const LoadResult result = loadDocument(path, strict);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(hasCode(result, "extension-key"));
}

TEST(Loader, UnsupportedFeaturesAreRecordedInTheModel) {
  const LoadResult result = loadDocument(std::string(CAPSTAN_SPEC_TEST_DATA) + "/unsupported.yaml");
  ASSERT_TRUE(result.ok());
  std::vector<std::string> features;
  for (const UnsupportedFeature& feature : result.document->capability.unsupported) {
    features.push_back(feature.feature);
  }
  std::sort(features.begin(), features.end());
  EXPECT_EQ(features, (std::vector<std::string>{"aggregates", "mcp-prompts", "output-raw-format",
                                                "script", "skill", "steps"}));
}

TEST(Loader, EnvBindsAreNotCheckedUnlessAsked) {
  const std::string path = std::string(CAPSTAN_SPEC_TEST_DATA) + "/env-missing-secret.yaml";
  EXPECT_TRUE(loadDocument(path).ok());
}

TEST(Loader, DeeplyNestedInputDoesNotCrash) {
  std::string text = "naftiko: 1.0.0-alpha2\ncapability: ";
  for (int i = 0; i < 5000; ++i) text += "[";
  const LoadResult result = loadText(text);
  EXPECT_FALSE(result.ok());
}

TEST(Loader, AliasesDoNotExplode) {
  std::string text = "naftiko: 1.0.0-alpha2\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) {
    const std::string name = std::to_string(i);
    const std::string previous = std::to_string(i - 1);
    text.append("a").append(name).append(": &a").append(name).append(" [");
    for (int j = 0; j < 10; ++j) text.append(j ? ", *a" : "*a").append(previous);
    text.append("]\n");
  }
  const LoadResult result = loadText(text);
  EXPECT_FALSE(result.ok());
}

}  // namespace
}  // namespace capstan::spec

namespace capstan::spec {
namespace {

TEST(Loader, AliasedOutputPropertiesDoNotExplode) {
  std::string text = R"(naftiko: 1.0.0-alpha2
capability:
  consumes:
  - {type: http, namespace: a, baseUri: 'https://x.org', resources: [{name: r, path: /p,
     operations: [{name: op, method: GET}]}]}
  exposes:
  - type: rest
    namespace: r
    port: 1
    resources:
    - path: /p
      operations:
      - method: GET
        call: a.op
        outputParameters:
        - &p0 {type: string, mapping: $.x}
)";
  for (int i = 1; i < 12; ++i) {
    text += "        - &p" + std::to_string(i) + " {type: object, properties: {";
    for (int j = 0; j < 10; ++j) {
      text += std::string(j ? ", " : "") + "k" + std::to_string(j) + ": *p" + std::to_string(i - 1);
    }
    text += "}}\n";
  }
  const LoadResult result = loadDocumentFromString(text, "inline.yaml");
  EXPECT_FALSE(result.ok());
}

}  // namespace
}  // namespace capstan::spec
