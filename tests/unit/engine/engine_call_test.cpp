// Engine::call end to end over a canned transport (the seam of STYLE.md rule 12): what reaches the
// upstream, and what the caller gets back, for the inputs that fool a naive engine.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <deque>

#include "engine/engine.hpp"
#include "spec/loader.hpp"
#include "upstream/client.hpp"

namespace capstan::engine {
namespace {

constexpr const char* kSecret = "sk-live-0123456789abcdef";

class CannedTransport final : public upstream::Transport {
 public:
  asio::awaitable<upstream::Result> send(upstream::Request request,
                                         asio::cancellation_slot) override {
    seen.push_back(std::move(request));
    if (answers.empty()) co_return answer;
    auto next = std::move(answers.front());
    answers.pop_front();
    co_return next;
  }
  upstream::Result answer;
  std::deque<upstream::Result> answers;  // served first, in order
  std::vector<upstream::Request> seen;
};

class EngineCall : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = spec::loadDocument(CAPSTAN_SEED_CAPABILITY);
    ASSERT_TRUE(loaded.ok());
    document_ = std::move(*loaded.document);
    EngineOptions options;
    options.env_lookup = [](const std::string& name) -> std::optional<std::string> {
      if (name == "MIDJOURNEY_API_KEY") return std::string(kSecret);
      return std::nullopt;
    };
    options.transport = transport_;
    engine_ = std::make_unique<Engine>(document_, io_.get_executor(), options);
  }

  const ExposedOperation& tool(const std::string& name) {
    const auto* found = engine_->findTool("image-generation-jobs-mcp", name);
    EXPECT_NE(found, nullptr) << name;
    return *found;
  }

  CallOutcome call(const ExposedOperation& operation, boost::json::object arguments) {
    CallOutcome outcome;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> { outcome = co_await engine_->call(operation, arguments); },
        [](std::exception_ptr error) {
          if (error) std::rethrow_exception(error);
        });
    io_.run();
    io_.restart();
    return outcome;
  }

  void answer(int status, std::string body) {
    transport_->answer.response.status = status;
    transport_->answer.response.headers = {{"Content-Type", "application/json"}};
    transport_->answer.response.body = std::move(body);
  }

  asio::io_context io_;
  spec::Document document_;
  std::shared_ptr<CannedTransport> transport_ = std::make_shared<CannedTransport>();
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineCall, ToolArgumentWithASlashIsRefusedBeforeAnyUpstreamCall) {
  // "../imagine" percent-encoded is "..%2Fimagine", which many servers decode into a new path.
  auto outcome = call(tool("cancel-pending-progress-job"), {{"jobId", "../imagine"}});
  EXPECT_EQ(outcome.kind, ErrorKind::kInvalidArgument);
  EXPECT_EQ(outcome.parameter, "jobId");
  EXPECT_TRUE(transport_->seen.empty());
}

TEST_F(EngineCall, CredentialEchoedInAnUpstreamErrorIsRedacted) {
  // DESIGN.md "Semantics" 8: an upstream 401 quoting the Authorization header it received.
  answer(401, std::string(R"({"error":"bad token Bearer )") + kSecret + R"("})");
  auto outcome = call(tool("get-status-and-results-job"), {{"jobId", "j1"}});
  ASSERT_EQ(outcome.kind, ErrorKind::kUpstreamStatus);
  ASSERT_EQ(transport_->seen.size(), 1u);
  EXPECT_EQ(outcome.body.find(kSecret), std::string::npos) << outcome.body;
  EXPECT_NE(outcome.body.find("Bearer ***"), std::string::npos) << outcome.body;
}

TEST_F(EngineCall, CredentialEchoedInASuccessIsRedactedToo) {
  answer(200, std::string(R"({"id":"j1","note":")") + kSecret + R"("})");
  auto outcome = call(tool("get-status-and-results-job"), {{"jobId", "j1"}});
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_EQ(outcome.body, R"({"id":"j1","note":"***"})");
}

TEST_F(EngineCall, TheBearerReachesTheUpstreamAndTheIdIsSubstituted) {
  answer(200, R"({"id":"j 1"})");
  auto outcome = call(tool("get-status-and-results-job"), {{"jobId", "j 1"}});
  ASSERT_TRUE(outcome.ok()) << outcome.message;
  ASSERT_EQ(transport_->seen.size(), 1u);
  EXPECT_EQ(transport_->seen[0].url, "https://api.midjourney.com/v1/jobs/j%201");
  bool bearer = false;
  for (const auto& [name, value] : transport_->seen[0].headers) {
    bearer = bearer || (name == "Authorization" && value == std::string("Bearer ") + kSecret);
  }
  EXPECT_TRUE(bearer);
}

// A capability whose upstream uses Digest (RFC 7616) for its credentials.
constexpr const char* kDigestCapability = R"(naftiko: 1.0.0-alpha2
binds:
- namespace: env
  keys:
    USER: VENDOR_USER
    PASSWORD: VENDOR_PASSWORD
capability:
  consumes:
  - type: http
    namespace: vendor
    baseUri: http://vendor.test
    authentication:
      type: digest
      username: '{{env.USER}}'
      password: '{{env.PASSWORD}}'
    resources:
    - name: items
      path: /dir/index.html
      operations:
      - name: get-items
        method: GET
  exposes:
  - type: mcp
    namespace: vendor-mcp
    port: 9091
    tools:
    - name: get-items
      description: Items
      call: vendor.get-items
)";

upstream::Result reply(int status, std::vector<std::pair<std::string, std::string>> headers,
                       std::string body) {
  upstream::Result result;
  result.response.status = status;
  result.response.headers = std::move(headers);
  result.response.body = std::move(body);
  return result;
}

TEST(EngineDigest, AChallengeIsAnsweredOnceWithTheBoundCredentials) {
  auto loaded = spec::loadDocumentFromString(kDigestCapability, "digest.yaml");
  ASSERT_TRUE(loaded.ok()) << (loaded.diagnostics.empty() ? "" : loaded.diagnostics[0].message);
  auto transport = std::make_shared<CannedTransport>();
  transport->answers.push_back(
      reply(401,
            {{"WWW-Authenticate",
              R"(Digest realm="http-auth@example.org", qop="auth", algorithm=SHA-256, )"
              R"(nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v")"}},
            R"({"error":"unauthorized"})"));
  transport->answer = reply(200, {{"Content-Type", "application/json"}}, R"({"items":[]})");
  EngineOptions options;
  options.env_lookup = [](const std::string& name) -> std::optional<std::string> {
    if (name == "VENDOR_USER") return std::string("Mufasa");
    if (name == "VENDOR_PASSWORD") return std::string("Circle of Life");
    return std::nullopt;
  };
  options.transport = transport;
  asio::io_context io;
  Engine engine(*loaded.document, io.get_executor(), options);
  CallOutcome outcome;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        outcome = co_await engine.call(*engine.findTool("vendor-mcp", "get-items"), {});
      },
      asio::detached);
  io.run();

  ASSERT_TRUE(outcome.ok()) << outcome.message;
  EXPECT_EQ(outcome.body, R"({"items":[]})");
  ASSERT_EQ(transport->seen.size(), 2u) << "one challenge, one answer";
  auto authorization = [](const upstream::Request& request) -> std::string {
    for (const auto& [name, value] : request.headers) {
      if (name == "Authorization") return value;
    }
    return {};
  };
  EXPECT_EQ(authorization(transport->seen[0]), "") << "no credential before the challenge";
  const std::string answer = authorization(transport->seen[1]);
  EXPECT_NE(answer.find(R"(Digest username="Mufasa")"), std::string::npos) << answer;
  EXPECT_NE(answer.find(R"(uri="/dir/index.html")"), std::string::npos) << answer;
  EXPECT_NE(answer.find("algorithm=SHA-256"), std::string::npos) << answer;
  EXPECT_EQ(answer.find("Circle of Life"), std::string::npos) << "the password is never sent";
}

}  // namespace
}  // namespace capstan::engine
