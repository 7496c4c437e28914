#include "sandbox/api.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "sandbox/fixtures.hpp"
#include "test_support.hpp"

namespace capstan::sandbox {
namespace {

constexpr Millis kNow = 1'750'000'000'000;
constexpr const char* kToken = "test-token";

// Fixture 1 is a completed imagine job; 3 pending; 4 in_progress; 6 failed; 8 cancelled.
class ApiTest : public ::testing::Test {
 protected:
  ApiTest() : store_(db_.path()), clock_(kNow), api_(store_, clock_, kToken, {}, 42) {
    store_.replaceMany(fixtureJobs());
    api_.setBaseUrl("http://127.0.0.1:9");
  }

  ApiResponse call(std::string method, std::string target, std::string body = {},
                   std::string token = kToken) {
    ApiRequest request;
    request.method = std::move(method);
    request.target = std::move(target);
    if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    request.body = std::move(body);
    return api_.handle(request);
  }

  static boost::json::object json(const ApiResponse& response) {
    return boost::json::parse(response.body).as_object();
  }

  static std::string header(const ApiResponse& response, std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return value;
    }
    return {};
  }

  testing::TempDatabase db_;
  JobStore store_;
  ManualClock clock_;
  Api api_;
};

TEST_F(ApiTest, MissingTokenIsUnauthorizedWithChallenge) {
  auto response = call("GET", "/v1/jobs", {}, "");
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(header(response, "WWW-Authenticate").rfind("Bearer", 0), 0u);
  auto body = json(response);
  EXPECT_EQ(body["status"], "ERROR");
  EXPECT_EQ(body["code"], "unauthorized");
}

TEST_F(ApiTest, WrongTokenIsUnauthorized) {
  EXPECT_EQ(call("GET", "/v1/jobs/" + fixtureId(1), {}, "nope").status, 401);
}

TEST_F(ApiTest, ListDefaultsToTwentyFiveNewestFirst) {
  auto response = call("GET", "/v1/jobs");
  ASSERT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  auto body = json(response);
  EXPECT_EQ(body["total"], kFixtureCount);
  EXPECT_EQ(body["limit"], 25);
  EXPECT_EQ(body["offset"], 0);
  auto& data = body["data"].as_array();
  ASSERT_EQ(data.size(), 25u);
  EXPECT_EQ(data[0].as_object().at("id").as_string(), fixtureId(kFixtureCount));
}

TEST_F(ApiTest, ListRejectsBadParametersNamingThem) {
  for (const char* query :
       {"limit=0", "limit=101", "limit=abc", "limit=1.5", "limit=", "limit=-1", "limit=+5"}) {
    auto response = call("GET", std::string("/v1/jobs?") + query);
    EXPECT_EQ(response.status, 400) << query;
    EXPECT_NE(json(response)["message"].as_string().find("limit"), std::string::npos) << query;
  }
  for (const char* query : {"offset=-1", "offset=x", "offset=1e3"}) {
    auto response = call("GET", std::string("/v1/jobs?") + query);
    EXPECT_EQ(response.status, 400) << query;
    EXPECT_NE(json(response)["message"].as_string().find("offset"), std::string::npos) << query;
  }
  EXPECT_EQ(call("GET", "/v1/jobs?status=PENDING").status, 400) << "enums are case-sensitive";
  EXPECT_EQ(call("GET", "/v1/jobs?sort=newest").status, 400);
  EXPECT_EQ(call("GET", "/v1/jobs?limit=5&limit=6").status, 400) << "repeated parameter";
  EXPECT_EQ(json(call("GET", "/v1/jobs?sort=x"))["code"], "invalid_parameter");
}

TEST_F(ApiTest, ListIgnoresUnknownParameters) {
  EXPECT_EQ(call("GET", "/v1/jobs?colour=blue").status, 200);
}

TEST_F(ApiTest, GetUnknownJobIsNotFoundEchoingTheId) {
  auto response = call("GET", "/v1/jobs/no-such-job");
  EXPECT_EQ(response.status, 404);
  auto body = json(response);
  EXPECT_EQ(body["code"], "job_not_found");
  EXPECT_NE(body["message"].as_string().find("no-such-job"), std::string::npos);
}

TEST_F(ApiTest, CancelPendingJobReturnsCancelledJob) {
  clock_.set(kNow + 5);
  auto response = call("POST", "/v1/jobs/" + fixtureId(3) + "/cancel");
  ASSERT_EQ(response.status, 200);
  auto body = json(response);
  EXPECT_EQ(body["status"], "cancelled");
  EXPECT_EQ(body["progress"], 0);
  EXPECT_EQ(body["completed_at"], body["updated_at"]);
}

TEST_F(ApiTest, CancelCompletedJobIsBadRequest) {
  auto response = call("POST", "/v1/jobs/" + fixtureId(1) + "/cancel");
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(json(response)["code"], "job_not_cancellable");
  EXPECT_EQ(json(call("GET", "/v1/jobs/" + fixtureId(1)))["status"], "completed");
}

TEST_F(ApiTest, CancelFailedJobIsBadRequest) {
  EXPECT_EQ(call("POST", "/v1/jobs/" + fixtureId(6) + "/cancel").status, 400);
}

TEST_F(ApiTest, CancelTwiceAnswersTheSameBody) {
  auto first = call("POST", "/v1/jobs/" + fixtureId(4) + "/cancel");
  clock_.advance(1'000);
  auto second = call("POST", "/v1/jobs/" + fixtureId(4) + "/cancel");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(first.body, second.body);
}

TEST_F(ApiTest, WrongMethodAnswers405WithAllow) {
  auto response = call("DELETE", "/v1/jobs/" + fixtureId(1));
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(header(response, "Allow"), "GET");
  EXPECT_EQ(header(call("GET", "/v1/jobs/x/cancel"), "Allow"), "POST");
  EXPECT_EQ(header(call("PUT", "/v1/jobs"), "Allow"), "GET");
}

TEST_F(ApiTest, UnknownPathsAndTrailingSlashesAre404) {
  for (const char* target : {"/v2/jobs", "/v1/jobs/", "/v1/jobs/a/b", "/v1", "/nope"}) {
    auto response = call("GET", target);
    EXPECT_EQ(response.status, 404) << target;
  }
}

TEST_F(ApiTest, AwkwardIdsGetCleanClientErrors) {
  for (const char* target : {"/v1/jobs/a%2Fb", "/v1/jobs/..", "/v1/jobs/%2e%2e", "/v1/jobs/%25",
                             "/v1/jobs/%ZZ", "/v1/jobs/%C3%28", "/v1/jobs/caf%C3%A9"}) {
    auto response = call("GET", target);
    EXPECT_GE(response.status, 400) << target;
    EXPECT_LT(response.status, 500) << target;
    EXPECT_NO_THROW(boost::json::parse(response.body)) << target;
  }
}

TEST_F(ApiTest, ImagineCreatesPendingJob) {
  auto response = call("POST", "/v1/imagine", R"({"prompt":"a red kite","aspect_ratio":"16:9"})");
  ASSERT_EQ(response.status, 200) << response.body;
  auto body = json(response);
  EXPECT_EQ(body["status"], "pending");
  EXPECT_EQ(body["progress"], 0);
  EXPECT_FALSE(body.contains("completed_at"));
  auto id = std::string(body["id"].as_string());
  auto job = store_.find(id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, JobStatus::kPending);
  EXPECT_EQ(job->parameters.aspect_ratio, "16:9");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4') << "a version-4 UUID";
}

TEST_F(ApiTest, ImagineRejectsBadBodiesNamingTheField) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (auto [body, field] :
       std::initializer_list<Case>{{R"({})", "prompt"},
                                   {R"({"prompt":""})", "prompt"},
                                   {R"({"prompt":"   "})", "prompt"},
                                   {R"({"prompt":5})", "prompt"},
                                   {R"({"prompt":"x","aspect_ratio":"wide"})", "aspect_ratio"},
                                   {R"({"prompt":"x","aspect_ratio":"0:1"})", "aspect_ratio"},
                                   {R"({"prompt":"x","model_version":"8"})", "model_version"},
                                   {R"({"prompt":"x","process_mode":"slow"})", "process_mode"},
                                   {R"({"prompt":"x","quality":3})", "quality"},
                                   {R"({"prompt":"x","stylize":1001})", "stylize"},
                                   {R"({"prompt":"x","chaos":"5"})", "chaos"},
                                   {R"({"prompt":"x","seed":-1})", "seed"},
                                   {R"({"prompt":"x","webhook_url":"ftp://x"})", "webhook_url"},
                                   {R"({"prompt":"x","webhook_type":"all"})", "webhook_type"},
                                   {R"({"prompt":"x","colour":"red"})", "colour"}}) {
    auto response = call("POST", "/v1/imagine", body);
    EXPECT_EQ(response.status, 400) << body;
    EXPECT_NE(json(response)["message"].as_string().find(field), std::string::npos) << body;
  }
}

TEST_F(ApiTest, ImagineRejectsMalformedOversizedAndNonJsonBodies) {
  EXPECT_EQ(call("POST", "/v1/imagine", "{\"prompt\":").status, 400);
  EXPECT_EQ(call("POST", "/v1/imagine", "[1]").status, 400);
  EXPECT_EQ(call("POST", "/v1/imagine", std::string(kMaxImagineBody + 1, ' ')).status, 413);
  std::string huge = R"({"prompt":")" + std::string(kMaxPromptChars + 1, 'a') + "\"}";
  EXPECT_EQ(call("POST", "/v1/imagine", huge).status, 400);
  ApiRequest form;
  form.method = "POST";
  form.target = "/v1/imagine";
  form.headers = {{"Authorization", std::string("Bearer ") + kToken},
                  {"Content-Type", "application/x-www-form-urlencoded"}};
  form.body = "prompt=x";
  EXPECT_EQ(api_.handle(form).status, 415);
}

TEST_F(ApiTest, ImagineCountsPromptLengthInCharacters) {
  std::string prompt;
  for (std::size_t i = 0; i < kMaxPromptChars; ++i) prompt += "\xC3\xA9";  // é
  EXPECT_EQ(call("POST", "/v1/imagine", R"({"prompt":")" + prompt + "\"}").status, 200);
}

TEST_F(ApiTest, CompletedJobListsGridAndFourCellsServedBySandbox) {
  auto body = json(call("GET", "/v1/jobs/" + fixtureId(1)));
  auto& images = body["result"].at("images").as_array();
  ASSERT_EQ(images.size(), 5u);
  EXPECT_FALSE(images[0].as_object().contains("index")) << "the schema has no null index";
  for (std::size_t i = 1; i < 5; ++i) EXPECT_EQ(images[i].at("index"), static_cast<int>(i));
  auto url = std::string(images[0].at("url").as_string());
  ASSERT_EQ(url.rfind("http://127.0.0.1:9/", 0), 0u) << url;
  auto png = call("GET", url.substr(std::string("http://127.0.0.1:9").size()), {}, "");
  EXPECT_EQ(png.status, 200) << "images need no token";
  EXPECT_EQ(png.content_type, "image/png");
  EXPECT_EQ(png.body.substr(1, 3), "PNG");
}

TEST_F(ApiTest, GalleryIsPublicHtml) {
  auto response = call("GET", "/", {}, "");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(response.body.find("http-equiv=\"refresh\""), std::string::npos);
}

TEST_F(ApiTest, FaultRoutesAreOffByDefault) {
  EXPECT_EQ(call("GET", "/v1/jobs/fault-429").status, 404);
  EXPECT_EQ(call("GET", "/_sandbox/requests").status, 404);
}

TEST(ApiFaults, ReservedIdsAndRequestLogWorkWhenEnabled) {
  testing::TempDatabase db;
  JobStore store(db.path());
  ManualClock clock(kNow);
  FaultOptions faults;
  faults.enabled = true;
  faults.retry_after_s = 7;
  Api api(store, clock, kToken, faults, 1);
  ApiRequest request;
  request.method = "GET";
  request.target = "/v1/jobs/fault-429?x=1";
  request.headers = {{"Authorization", std::string("Bearer ") + kToken}, {"X-Trace", "t1"}};
  auto response = api.handle(request);
  EXPECT_EQ(response.status, 429);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].second, "7");

  request.target = "/_sandbox/requests";
  auto log = boost::json::parse(api.handle(request).body).as_object();
  auto& entries = log["requests"].as_array();
  ASSERT_EQ(entries.size(), 1u);
  auto& entry = entries[0].as_object();
  EXPECT_EQ(entry["target"], "/v1/jobs/fault-429?x=1");
  EXPECT_EQ(entry["auth"], "valid");
  EXPECT_EQ(entry["headers"].at("x-trace"), "t1");
  EXPECT_EQ(entry["headers"].at("authorization").as_string().find(kToken), std::string::npos)
      << "the token never appears in the log";
}

TEST(ApiFaults, EveryNthRequestFailsWithConfiguredStatus) {
  testing::TempDatabase db;
  JobStore store(db.path());
  ManualClock clock(kNow);
  FaultOptions faults;
  faults.fail_every = 3;
  faults.fail_status = 502;
  faults.latency_ms = 25;
  Api api(store, clock, kToken, faults, 1);
  ApiRequest request;
  request.method = "GET";
  request.target = "/v1/jobs";
  request.headers = {{"Authorization", std::string("Bearer ") + kToken}};
  EXPECT_EQ(api.handle(request).status, 200);
  EXPECT_EQ(api.handle(request).status, 200);
  auto third = api.handle(request);
  EXPECT_EQ(third.status, 502);
  EXPECT_EQ(third.delay_ms, 25);
}

}  // namespace
}  // namespace capstan::sandbox
