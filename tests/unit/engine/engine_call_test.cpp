// Engine::call end to end over a canned transport (the seam of STYLE.md rule 12): what reaches the
// upstream, and what the caller gets back, for the inputs that fool a naive engine.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

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
    co_return answer;
  }
  upstream::Result answer;
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

}  // namespace
}  // namespace capstan::engine
