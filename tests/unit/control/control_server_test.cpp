// The control endpoints over a real loopback socket: readiness follows the adapters, status names
// the capability, metrics are Prometheus text.
#include "control/control_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <thread>

namespace capstan::control {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;

struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
};

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<ControlServer>(
        io_.get_executor(), StatusInfo{"Jobs capability", "1.0.0-alpha2", "0.1.0"});
    server_->addAdapter({"rest", "jobs-rest", "", false});
    server_->addAdapter({"mcp", "jobs-mcp", "", false});
    port_ = server_->listen("127.0.0.1", 0);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_->stop(); });
    thread_.join();
  }

  Answer get(std::string target, beast::http::verb verb = beast::http::verb::get, int hosts = 1) {
    asio::io_context client_io;
    asio::ip::tcp::socket socket(client_io);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    beast::http::request<beast::http::empty_body> request(verb, target, 11);
    for (int i = 0; i < hosts; ++i) request.insert(beast::http::field::host, "127.0.0.1");
    beast::http::write(socket, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(socket, buffer, response);
    return {static_cast<int>(response.result_int()),
            std::string(response[beast::http::field::content_type]), response.body()};
  }

  asio::io_context io_;
  std::unique_ptr<ControlServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ControlServerTest, LivenessAnswersAtOnce) {
  auto answer = get("/health/live");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "application/json");
}

TEST_F(ControlServerTest, ReadinessIs503UntilEveryAdapterListens) {
  EXPECT_EQ(get("/health/ready").status, 503) << "no adapter listens yet";

  server_->markListening("jobs-rest", "http://127.0.0.1:8080");
  EXPECT_EQ(get("/health/ready").status, 503) << "the MCP adapter still does not listen";

  server_->markListening("jobs-mcp", "http://127.0.0.1:9090/mcp");
  auto answer = get("/health/ready");
  ASSERT_EQ(answer.status, 200);
  auto adapters = boost::json::parse(answer.body).at("adapters").as_array();
  ASSERT_EQ(adapters.size(), 2u);
  EXPECT_EQ(adapters[0].at("name"), "jobs-rest");
  EXPECT_EQ(adapters[0].at("url"), "http://127.0.0.1:8080");
  EXPECT_EQ(adapters[1].at("listening"), true);
}

TEST_F(ControlServerTest, StatusNamesCapabilityAndVersions) {
  auto body = boost::json::parse(get("/status").body).as_object();
  EXPECT_EQ(body.at("capability"), "Jobs capability");
  EXPECT_EQ(body.at("naftiko"), "1.0.0-alpha2");
  EXPECT_EQ(body.at("capstan"), "0.1.0");
  EXPECT_GE(body.at("uptime_seconds").to_number<double>(), 0.0);
}

TEST_F(ControlServerTest, MetricsAreTextExpositionAndRunScrapeHooks) {
  // The hook runs on the scrape itself, so a gauge it sets is in that very answer.
  int scrapes = 0;
  server_->onScrape([&scrapes] { ++scrapes; });
  ASSERT_EQ(get("/health/live").status, 200);
  auto answer = get("/metrics");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(answer.body.find("# TYPE capstan_requests_total counter"), std::string::npos);
  EXPECT_NE(
      answer.body.find(
          R"(capstan_requests_total{adapter="control",operation="/health/live",status="200"} 1)"),
      std::string::npos)
      << answer.body;
  EXPECT_EQ(scrapes, 1);
}

TEST_F(ControlServerTest, HttpOneOneWithoutOneHostIs400) {
  // RFC 9112 §3.2: no Host, or several, is a 400 (the server is shared by every surface).
  EXPECT_EQ(get("/health/live", beast::http::verb::get, 0).status, 400);
  EXPECT_EQ(get("/health/live", beast::http::verb::get, 2).status, 400);
}

TEST_F(ControlServerTest, UnknownPathIs404AndWrongMethodIs405) {
  EXPECT_EQ(get("/nope").status, 404);
  EXPECT_EQ(get("/health/live", beast::http::verb::post).status, 405);
}

}  // namespace
}  // namespace capstan::control
