// Every tutorial capability of the reference Naftiko distribution loads; the seed capability
// yields exactly the warnings issue #2 lists for it.
#include <gtest/gtest.h>

#include <filesystem>

#include "spec/loader.hpp"

namespace capstan::spec {
namespace {

const std::filesystem::path kTutorials =
    std::filesystem::path(CAPSTAN_SHARED_DIR) / "reference/naftiko/tutorial";

std::vector<std::filesystem::path> tutorialFiles() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kTutorials)) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".yml" && extension != ".yaml") continue;
    if (entry.path().filename() == "secrets.yaml") continue;  // a bind file, not a capability
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(TutorialCorpus, EveryCapabilityLoadsWithoutErrors) {
  const auto files = tutorialFiles();
  ASSERT_GE(files.size(), 6u) << "tutorials missing under " << kTutorials;
  for (const auto& file : files) {
    const LoadResult result = loadDocument(file);
    EXPECT_TRUE(result.ok()) << file << ": "
                             << (result.diagnostics.empty()
                                     ? std::string()
                                     : formatDiagnostic(result.diagnostics.front()));
  }
}

TEST(TutorialCorpus, EveryCapabilityIsValidUnderStrict) {
  LoadOptions strict;
  strict.strict = true;
  for (const auto& file : tutorialFiles()) {
    const LoadResult result = loadDocument(file, strict);
    EXPECT_TRUE(result.ok()) << file << ": "
                             << (result.diagnostics.empty()
                                     ? std::string()
                                     : formatDiagnostic(result.diagnostics.front()));
  }
}

TEST(TutorialCorpus, MockToolIsReportedAsNotSupportedYet) {
  const LoadResult result = loadDocument(kTutorials / "step-1-shipyard-mock.yml");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.document->capability.unsupported.size(), 1u);
  EXPECT_EQ(result.document->capability.unsupported[0].feature, "mock");
  EXPECT_EQ(result.diagnostics.size(), 1u);
}

TEST(TutorialCorpus, ImportedConsumesComeFromTheSharedFile) {
  const LoadResult result = loadDocument(kTutorials / "step-5-shipyard-multi-source.yml");
  ASSERT_TRUE(result.ok());
  const auto& consumes = result.document->capability.consumes;
  ASSERT_EQ(consumes.size(), 2u);
  EXPECT_EQ(consumes[0].namespace_, "registry");
  ASSERT_TRUE(consumes[0].imported.has_value());
  EXPECT_EQ(consumes[0].imported->file.filename(), "step5-registry-consumes.yaml");
  EXPECT_EQ(std::filesystem::path(consumes[0].pos.file).filename(), "step5-registry-consumes.yaml");
  EXPECT_EQ(consumes[1].namespace_, "legacy");
  // The legacy dockyard answers XML, which capstan does not shape yet.
  ASSERT_EQ(result.document->capability.unsupported.size(), 1u);
  EXPECT_EQ(result.document->capability.unsupported[0].feature, "output-raw-format");
}

TEST(TutorialCorpus, FileBindsResolveNextToTheCapability) {
  LoadOptions options;
  options.env_lookup = [](const std::string&) { return std::optional<std::string>(); };
  const LoadResult result = loadDocument(kTutorials / "step-3-shipyard-auth.yml", options);
  EXPECT_TRUE(result.ok()) << (result.diagnostics.empty()
                                   ? std::string()
                                   : formatDiagnostic(result.diagnostics.front()));
}

struct Expected {
  int line;
  int column;
  std::string code;
};

TEST(SeedCapability, YieldsExactlyTheApplicableWarnings) {
  const LoadResult result = loadDocument(std::string(CAPSTAN_SOURCE_DIR) +
                                         "/capabilities/midjourney/image-generation-jobs.yaml");
  ASSERT_TRUE(result.ok());
  // Issue #2: object mappings without properties (3 REST operations, 3 MCP tools), `{jobid}`
  // bound case-insensitively to `{jobId}` (2 REST resources), and MCP inputs inferred (the list
  // tool from `tools.X`, the two others from the `{jobId}` placeholder).
  const std::vector<Expected> expected = {
      {96, 17, "object-without-properties"},  {98, 13, "placeholder-case"},
      {107, 17, "object-without-properties"}, {109, 13, "placeholder-case"},
      {118, 17, "object-without-properties"}, {127, 7, "inferred-inputs"},
      {140, 15, "object-without-properties"}, {142, 7, "inferred-inputs"},
      {150, 15, "object-without-properties"}, {152, 7, "inferred-inputs"},
      {160, 15, "object-without-properties"},
  };
  ASSERT_EQ(result.diagnostics.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Diagnostic& diagnostic = result.diagnostics[i];
    EXPECT_EQ(diagnostic.severity, Severity::kWarning) << formatDiagnostic(diagnostic);
    EXPECT_EQ(diagnostic.pos.line, expected[i].line) << formatDiagnostic(diagnostic);
    EXPECT_EQ(diagnostic.pos.column, expected[i].column) << formatDiagnostic(diagnostic);
    EXPECT_EQ(diagnostic.code, expected[i].code) << formatDiagnostic(diagnostic);
  }
  EXPECT_NE(result.diagnostics[1].message.find("`jobid`"), std::string::npos);
  EXPECT_NE(result.diagnostics[1].message.find("`jobId`"), std::string::npos);
  EXPECT_NE(result.diagnostics[5].message.find("`status` (string), `limit` (integer)"),
            std::string::npos);
}

TEST(SeedCapability, StrictRejectsTheSchemaDivergences) {
  LoadOptions strict;
  strict.strict = true;
  const LoadResult result = loadDocument(
      std::string(CAPSTAN_SOURCE_DIR) + "/capabilities/midjourney/image-generation-jobs.yaml",
      strict);
  EXPECT_FALSE(result.ok());
}

}  // namespace
}  // namespace capstan::spec
