#include "spec/lookup.hpp"

#include <gtest/gtest.h>

#include "spec/diagnostic.hpp"

namespace capstan::spec {
namespace {

Document twoOperations() {
  Document document;
  ConsumedHttp consumes;
  consumes.namespace_ = "jobs";
  Resource list{"jobs", "", "/v1/jobs", "", {}, {}, {}, ""};
  list.operations.push_back(Operation{"list-jobs", "", "GET", "", "", {}, {}, {}, {}, ""});
  Resource one{"job", "", "/v1/jobs/{jobId}", "", {}, {}, {}, ""};
  one.operations.push_back(Operation{"get-job", "", "GET", "", "", {}, {}, {}, {}, ""});
  consumes.resources = {list, one};
  document.capability.consumes.push_back(consumes);
  return document;
}

TEST(FindConsumedOperation, FindsAnOperationAcrossResources) {
  const Document document = twoOperations();
  auto found = findConsumedOperation(document, "jobs.get-job");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->operation->name, "get-job");
  EXPECT_EQ(found->resource->path, "/v1/jobs/{jobId}");
  EXPECT_EQ(found->consumes->namespace_, "jobs");
}

TEST(FindConsumedOperation, AcceptsTheResourceQualifiedForm) {
  const Document document = twoOperations();
  EXPECT_TRUE(findConsumedOperation(document, "jobs.job.get-job").has_value());
  EXPECT_FALSE(findConsumedOperation(document, "jobs.jobs.get-job").has_value());
}

TEST(FindConsumedOperation, UnknownNamespaceOrOperationIsNullopt) {
  const Document document = twoOperations();
  EXPECT_FALSE(findConsumedOperation(document, "job.get-job").has_value());
  EXPECT_FALSE(findConsumedOperation(document, "jobs.delete-job").has_value());
  EXPECT_FALSE(findConsumedOperation(document, "jobs").has_value());
}

TEST(PathPlaceholders, FindsSingleAndDoubleBracedNames) {
  const auto placeholders = pathPlaceholders("/v1/{a}/x/{{ b }}/{c}");
  ASSERT_EQ(placeholders.size(), 3u);
  EXPECT_EQ(placeholders[0].name, "a");
  EXPECT_FALSE(placeholders[0].double_braced);
  EXPECT_EQ(placeholders[0].offset, 4u);
  EXPECT_EQ(placeholders[0].length, 3u);
  EXPECT_EQ(placeholders[1].name, "b");
  EXPECT_TRUE(placeholders[1].double_braced);
  EXPECT_EQ(placeholders[1].length, 7u);
  EXPECT_EQ(placeholders[2].name, "c");
}

TEST(PathPlaceholders, IgnoresUnclosedAndEmptyBraces) {
  EXPECT_TRUE(pathPlaceholders("/v1/{}/{{}}/{open").empty());
  EXPECT_TRUE(pathPlaceholders("/plain/path").empty());
}

WithValue withValue(ScalarKind kind, const std::string& text) {
  WithValue value;
  value.kind = kind;
  value.text = text;
  return value;
}

TEST(WithReference, RecognisesAdapterPrefixes) {
  auto ref = [](const std::string& text) {
    return withReference(withValue(ScalarKind::kString, text), "jobs-rest");
  };
  EXPECT_EQ(ref("rest.status"), "status");
  EXPECT_EQ(ref("tools.job_id"), "job_id");
  EXPECT_EQ(ref("mcp.limit"), "limit");
  EXPECT_EQ(ref("jobs-rest.limit"), "limit");
  EXPECT_FALSE(ref("other.limit").has_value());
  EXPECT_FALSE(ref("{{rest.status}}").has_value());
  EXPECT_FALSE(ref("rest.a b").has_value());
  EXPECT_FALSE(withReference(withValue(ScalarKind::kInteger, "10"), "x").has_value());
}

TEST(FormatDiagnostic, UsesCompilerForm) {
  Diagnostic diagnostic{Severity::kWarning, SourcePos{"f.yaml", 3, 7}, "/a/b", "message", "x"};
  EXPECT_EQ(formatDiagnostic(diagnostic), "f.yaml:3:7: warning: /a/b: message");
  diagnostic.json_pointer.clear();
  diagnostic.severity = Severity::kError;
  EXPECT_EQ(formatDiagnostic(diagnostic), "f.yaml:3:7: error: /: message");
}

TEST(SortDiagnostics, OrdersByPositionThenErrorsFirst) {
  std::vector<Diagnostic> diagnostics = {
      {Severity::kWarning, SourcePos{"f", 2, 1}, "", "b", ""},
      {Severity::kWarning, SourcePos{"f", 1, 5}, "", "a", ""},
      {Severity::kError, SourcePos{"f", 2, 1}, "", "c", ""},
  };
  sortDiagnostics(diagnostics);
  EXPECT_EQ(diagnostics[0].message, "a");
  EXPECT_EQ(diagnostics[1].message, "c");
  EXPECT_EQ(diagnostics[2].message, "b");
}

}  // namespace
}  // namespace capstan::spec
