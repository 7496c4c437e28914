// One small broken file per diagnostic (data/<name>.yaml) and the exact lines `capstan validate`
// prints for it (data/<name>.expected). `strict-*` files are loaded with --strict, `env-*` files
// with --env and an environment holding only CAPSTAN_TEST_PRESENT.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "spec/loader.hpp"

namespace capstan::spec {
namespace {

const std::string kDataDir = CAPSTAN_SPEC_TEST_DATA;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
    text.replace(at, from.size(), to);
    at += to.size();
  }
}

std::string validate(const std::string& name) {
  LoadOptions options;
  options.strict = name.rfind("strict-", 0) == 0;
  if (name.rfind("env-", 0) == 0) {
    options.env_lookup = [](const std::string& variable) -> std::optional<std::string> {
      if (variable == "CAPSTAN_TEST_PRESENT") return "set";
      return std::nullopt;
    };
  }
  const LoadResult result = loadDocument(kDataDir + "/" + name + ".yaml", options);
  std::string out;
  for (const Diagnostic& diagnostic : result.diagnostics)
    out += formatDiagnostic(diagnostic) + '\n';
  replaceAll(out, kDataDir + "/", "");
  return out;
}

class GoldenDiagnostics : public testing::TestWithParam<std::string> {};

TEST_P(GoldenDiagnostics, PrintsExactlyTheExpectedLines) {
  const std::string expected = readFile(kDataDir + "/" + GetParam() + ".expected");
  EXPECT_EQ(validate(GetParam()), expected);
}

std::string testName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(
    Spec, GoldenDiagnostics,
    testing::Values("valid-minimal", "yaml-syntax", "wrong-type", "missing-field",
                    "unknown-version", "duplicate-key", "duplicate-namespace", "unknown-call",
                    "port-conflict", "base-uri-trailing-slash", "unbound-placeholder",
                    "placeholder-case", "unknown-with-parameter", "env-missing-secret",
                    "unknown-key", "inferred-inputs", "object-without-properties",
                    "strict-object-without-properties", "strict-extension-key", "unsupported",
                    "unfed-placeholder", "import-unknown-namespace", "duplicate-names",
                    "invalid-enum", "strict-wrong-scalar", "alpha1-newer-keys", "stdio-port",
                    "valid-body-template", "unknown-bind-variable", "base-uri-with-query",
                    "unclosed-template", "exposed-path-dot-segment"),
    testName);

}  // namespace
}  // namespace capstan::spec
