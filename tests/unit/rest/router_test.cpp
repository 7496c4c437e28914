#include "rest/router.hpp"

#include <gtest/gtest.h>

#include <deque>

namespace capstan::rest {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  const engine::ExposedOperation& add(std::string method, std::string path, std::string name) {
    engine::ExposedOperation& operation = operations_.emplace_back();
    operation.method = std::move(method);
    operation.path = std::move(path);
    operation.name = std::move(name);
    router_.add(operation);
    return operation;
  }

  RouteMatch match(std::string_view method, std::string_view target) {
    std::vector<std::string> segments;
    EXPECT_TRUE(decodePath(target, segments)) << target;
    return router_.match(method, segments);
  }

  std::deque<engine::ExposedOperation> operations_;  // stable addresses
  Router router_;
};

TEST_F(RouterTest, SeedRoutesMatchWithTheirPathParameter) {
  add("GET", "/v1/v1/jobs", "listjobs");
  add("GET", "/v1/v1/jobs/{jobid}", "getjobstatus");
  add("POST", "/v1/v1/jobs/{jobid}/cancel", "canceljob");

  auto get = match("GET", "/v1/v1/jobs/abc");
  ASSERT_EQ(get.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(get.operation->name, "getjobstatus");
  EXPECT_EQ(get.path_parameters.at("jobid"), "abc");

  auto cancel = match("POST", "/v1/v1/jobs/abc/cancel");
  ASSERT_EQ(cancel.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(cancel.operation->name, "canceljob");
}

TEST_F(RouterTest, DoubleBracedPlaceholderIsAVariableToo) {
  add("GET", "/items/{{itemId}}", "get");
  auto found = match("GET", "/items/42");
  ASSERT_EQ(found.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(found.path_parameters.at("itemId"), "42");
  // A naive router would treat the braces as literal text.
  EXPECT_EQ(match("GET", "/items/%7B%7BitemId%7D%7D").path_parameters.at("itemId"), "{{itemId}}");
}

TEST_F(RouterTest, PathParameterValueIsPercentDecodedOnce) {
  add("GET", "/jobs/{id}", "get");
  auto found = match("GET", "/jobs/a%20b%252F");
  ASSERT_EQ(found.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(found.path_parameters.at("id"), "a b%2F") << "decoded exactly once";
}

TEST_F(RouterTest, EncodedSlashStaysInsideOneSegment) {
  add("GET", "/jobs/{id}", "get");
  add("POST", "/jobs/{id}/cancel", "cancel");
  // `%2F` must not split the path: "/jobs/x%2Fcancel" is one id, not the cancel route.
  auto found = match("GET", "/jobs/x%2Fcancel");
  ASSERT_EQ(found.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(found.operation->name, "get");
  EXPECT_EQ(found.path_parameters.at("id"), "x/cancel");
}

TEST_F(RouterTest, LiteralSegmentBeatsAPlaceholder) {
  add("GET", "/jobs/{id}", "get");
  add("GET", "/jobs/latest", "latest");
  EXPECT_EQ(match("GET", "/jobs/latest").operation->name, "latest");
  EXPECT_EQ(match("GET", "/jobs/other").operation->name, "get");
}

TEST_F(RouterTest, EmptySegmentNeverFillsAPlaceholder) {
  add("POST", "/jobs/{id}/cancel", "cancel");
  EXPECT_EQ(match("POST", "/jobs//cancel").kind, RouteMatch::Kind::kNotFound);
}

TEST_F(RouterTest, TrailingSlashIsAnotherPath) {
  add("GET", "/jobs", "list");
  EXPECT_EQ(match("GET", "/jobs/").kind, RouteMatch::Kind::kNotFound);
}

TEST_F(RouterTest, MatchingIsCaseSensitive) {
  add("GET", "/jobs", "list");
  // RFC 3986 §6.2.2.1: only scheme and host are case-insensitive.
  EXPECT_EQ(match("GET", "/JOBS").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match("get", "/jobs").kind, RouteMatch::Kind::kMethodNotAllowed)
      << "RFC 9110 §9.1: method names are case-sensitive";
}

TEST_F(RouterTest, OtherMethodIs405WithEveryAllowedMethod) {
  add("GET", "/jobs/{id}", "get");
  add("DELETE", "/jobs/{id}", "delete");
  auto refused = match("PUT", "/jobs/7");
  EXPECT_EQ(refused.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(refused.allow, "GET, HEAD, DELETE") << "HEAD is served wherever GET is";
}

TEST_F(RouterTest, AllowDoesNotConfuseAMethodWithAPrefixOfAnother) {
  // A substring test would think "GET" is already listed once "TARGET" is.
  add("TARGET", "/jobs", "odd");
  add("GET", "/jobs", "list");
  EXPECT_EQ(match("POST", "/jobs").allow, "TARGET, GET, HEAD");
}

TEST_F(RouterTest, HeadIsServedWhereGetIs) {
  add("GET", "/jobs", "list");
  auto head = match("HEAD", "/jobs");
  ASSERT_EQ(head.kind, RouteMatch::Kind::kFound) << "RFC 9110 §9.3.2";
  EXPECT_EQ(head.operation->name, "list");
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  add("GET", "/jobs", "list");
  EXPECT_EQ(match("GET", "/jobs/1/2").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(match("GET", "/").kind, RouteMatch::Kind::kNotFound);
}

TEST(DecodePath, RefusesWhatIsNotAnOriginFormPath) {
  std::vector<std::string> segments;
  EXPECT_FALSE(decodePath("jobs", segments)) << "RFC 9112 §3.2.1: origin-form starts with '/'";
  EXPECT_FALSE(decodePath("/jobs/%zz", segments)) << "bad percent-encoding";
}

}  // namespace
}  // namespace capstan::rest
