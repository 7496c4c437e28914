// DESIGN.md "Semantics" 1-5 on a capability built to trip a naive engine: double braces and case
// mismatches in the consumed path, dotted literals that are not references, half-renderable
// templates, adapter-namespace references, enums, query api keys from `{{KEY}}` and form bodies.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "engine/planner.hpp"
#include "engine/startup_error.hpp"
#include "spec/loader.hpp"
#include "spec/lookup.hpp"

namespace capstan::engine {
namespace {

namespace json = boost::json;

constexpr const char* kCapability = R"(naftiko: 1.0.0-alpha2
info:
  label: Semantics
  description: Engine semantics test capability.
binds:
- namespace: secrets
  keys:
    API_KEY: TEST_API_KEY
capability:
  consumes:
  - type: http
    namespace: up
    baseUri: http://example.test/base
    authentication:
      type: apikey
      key: api_key
      value: '{{API_KEY}}'
      placement: query
    resources:
    - name: parts
      path: /items/{{itemId}}/parts/{part}
      operations:
      - name: get-part
        method: GET
        inputParameters:
        - name: verbose
          in: query
          type: boolean
        - name: label
          in: query
          type: string
        - name: note
          in: query
          type: string
        - name: color
          in: query
          type: string
          enum: [red, green]
    - name: forms
      path: /forms
      operations:
      - name: submit
        method: POST
        body:
          type: formUrlEncoded
          data:
            who: '{{rest.name}}'
            greeting: 'hello {{rest.name}}'
  exposes:
  - type: rest
    namespace: api
    port: 8081
    resources:
    - path: /items/{itemid}/parts/{PART}
      name: parts
      operations:
      - method: GET
        name: get-part
        call: up.get-part
        with:
          verbose: true
          label: restful.label
          note: 'n-{{rest.tag}}'
          color: api.colour
    - path: /forms
      name: forms
      operations:
      - method: POST
        name: submit
        call: up.submit
        inputParameters:
        - name: name
          in: query
          type: string
          description: Who submits the form.
)";

using Query = std::multimap<std::string, std::string>;

// The query of `url` as raw (still encoded) name/value pairs; their order is not a contract.
Query queryOf(const std::string& url) {
  Query out;
  const auto question = url.find('?');
  if (question == std::string::npos) return out;
  std::string_view rest = std::string_view(url).substr(question + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto equals = pair.find('=');
    out.emplace(std::string(pair.substr(0, equals)),
                equals == std::string_view::npos ? "" : std::string(pair.substr(equals + 1)));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

std::string pathOf(const std::string& url) { return url.substr(0, url.find('?')); }

class Semantics : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = spec::loadDocumentFromString(kCapability, "semantics.yaml");
    std::string problems;
    for (const auto& diagnostic : loaded.diagnostics) problems += diagnostic.message + "\n";
    ASSERT_TRUE(loaded.ok()) << problems;
    document_ = std::move(*loaded.document);
    binds_ = BindTable::resolve(document_.binds,
                                [](const std::string& name) -> std::optional<std::string> {
                                  if (name == "TEST_API_KEY") return "k&y 1";
                                  return std::nullopt;
                                },
                                {});
  }

  CompiledCall compile(std::size_t resource_index) {
    const spec::RestResource& resource =
        document_.capability.rest.at(0).resources.at(resource_index);
    const spec::RestOperation& operation = resource.operations.at(0);
    std::vector<std::string> placeholders;
    for (const auto& p : spec::pathPlaceholders(resource.path)) placeholders.push_back(p.name);
    return compileCall(document_, Surface::kRest, "api", operation.call, operation.with,
                       operation.input_parameters, placeholders, operation.output_parameters,
                       binds_, {});
  }

  BuildResult build(const CompiledCall& compiled, const json::object& arguments) {
    auto validated = validateArguments(compiled.parameters, arguments);
    if (validated.error) return BuildResult{std::nullopt, validated.error};
    return buildUpstreamCall(compiled, validated.values, binds_);
  }

  UpstreamCall ok(const CompiledCall& compiled, const json::object& arguments) {
    auto built = build(compiled, arguments);
    EXPECT_FALSE(built.error) << built.error->message;
    return built.call.value_or(UpstreamCall{});
  }

  spec::Document document_;
  BindTable binds_;
};

TEST_F(Semantics, DoubleBracedAndCaseMismatchedPlaceholdersAreBothSubstituted) {
  auto call = ok(compile(0), {{"itemid", "I 1"}, {"PART", "p?2"}});
  EXPECT_EQ(pathOf(call.url), "http://example.test/base/items/I%201/parts/p%3F2")
      << "no literal braces, each value one encoded segment";
}

TEST_F(Semantics, DottedTextThatIsNotAReferenceIsSentLiterally) {
  auto query = queryOf(ok(compile(0), {{"itemid", "1"}, {"PART", "2"}}).url);
  ASSERT_EQ(query.count("label"), 1u);
  EXPECT_EQ(query.find("label")->second, "restful.label") << "`restful.` is not `rest.`";
}

TEST_F(Semantics, TemplateWithAMissingVariableIsOmittedNotHalfRendered) {
  auto query = queryOf(ok(compile(0), {{"itemid", "1"}, {"PART", "2"}}).url);
  EXPECT_EQ(query.count("note"), 0u) << "never note=n- and never the template text";
}

TEST_F(Semantics, BooleanConstantIsSentAsTrue) {
  auto query = queryOf(ok(compile(0), {{"itemid", "1"}, {"PART", "2"}}).url);
  ASSERT_EQ(query.count("verbose"), 1u);
  EXPECT_EQ(query.find("verbose")->second, "true");
}

TEST_F(Semantics, AdapterNamespaceReferenceIsACallerParameterTypedFromTheConsumedOne) {
  auto compiled = compile(0);
  auto colour = std::find_if(compiled.parameters.begin(), compiled.parameters.end(),
                             [](const ParameterInfo& p) { return p.name == "colour"; });
  ASSERT_NE(colour, compiled.parameters.end()) << "`api.colour` names the caller's `colour`";
  ASSERT_TRUE(colour->enum_values);
  EXPECT_EQ(*colour->enum_values, (std::vector<std::string>{"red", "green"}));
  auto query = queryOf(ok(compiled, {{"itemid", "1"}, {"PART", "2"}, {"colour", "red"}}).url);
  ASSERT_EQ(query.count("color"), 1u);
  EXPECT_EQ(query.find("color")->second, "red");
}

TEST_F(Semantics, ValueOutsideTheConsumedEnumIsRefusedBeforeAnyCall) {
  auto built = build(compile(0), {{"itemid", "1"}, {"PART", "2"}, {"colour", "blue"}});
  ASSERT_TRUE(built.error);
  EXPECT_EQ(built.error->parameter, "colour");
  EXPECT_FALSE(built.call);
}

TEST_F(Semantics, QueryApiKeyComesFromTheShortBindFormAndIsEncoded) {
  auto query = queryOf(ok(compile(0), {{"itemid", "1"}, {"PART", "2"}}).url);
  ASSERT_EQ(query.count("api_key"), 1u);
  EXPECT_EQ(query.find("api_key")->second, "k%26y+1") << "{{API_KEY}}, form-encoded";
}

TEST_F(Semantics, FormBodyIsEncodedAndRendersTheCallersValue) {
  auto call = ok(compile(1), {{"name", "a b&c"}});
  ASSERT_TRUE(call.body);
  std::map<std::string, std::string> fields;
  for (const auto& [key, value] : queryOf("?" + *call.body)) fields[key] = value;
  EXPECT_EQ(fields, (std::map<std::string, std::string>{{"who", "a+b%26c"},
                                                        {"greeting", "hello+a+b%26c"}}));
  auto type = std::find_if(call.headers.begin(), call.headers.end(),
                           [](const auto& h) { return h.first == "Content-Type"; });
  ASSERT_NE(type, call.headers.end());
  EXPECT_EQ(type->second, "application/x-www-form-urlencoded");
}

TEST_F(Semantics, CallerValueShapedLikeATemplateNeverReachesTheSecrets) {
  // `{{API_KEY}}` is a bound secret; a caller who sends it as a value gets the text back, not
  // the key (values are inserted once, never rendered again).
  auto call = ok(compile(1), {{"name", "{{API_KEY}}"}});
  ASSERT_TRUE(call.body);
  EXPECT_EQ(call.body->find("k%26y"), std::string::npos) << *call.body;
  EXPECT_NE(call.body->find("who=%7B%7BAPI_KEY%7D%7D"), std::string::npos) << *call.body;
}

TEST_F(Semantics, FormBodyWithoutTheCallersValueOmitsTheFields) {
  auto call = ok(compile(1), {});
  ASSERT_TRUE(call.body);
  EXPECT_EQ(*call.body, "") << "never who= and never the template text";
}

TEST_F(Semantics, UnboundCredentialVariableIsAStartupError) {
  BindTable empty;
  const spec::RestOperation& operation = document_.capability.rest[0].resources[0].operations[0];
  try {
    compileCall(document_, Surface::kRest, "api", operation.call, operation.with,
                operation.input_parameters, {"itemid", "PART"}, operation.output_parameters, empty,
                {});
    FAIL() << "an apikey from an unbound variable must stop the start, not send an empty key";
  } catch (const StartupError& error) {
    EXPECT_NE(std::string(error.what()).find("API_KEY"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace capstan::engine
