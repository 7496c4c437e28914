// The shared HTTP server's own rules, over real loopback sockets.
#include "net/http_server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <thread>

namespace capstan::net {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void start(ServerLimits limits) {
    server_ = std::make_unique<HttpServer>(
        io_.get_executor(),
        [](Request&, RequestContext&) -> asio::awaitable<Response> {
          co_return makeResponse(http::status::ok, "{}", "application/json");
        },
        limits, "test");
    port_ = server_->listen("127.0.0.1", 0);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    asio::post(io_, [this] { server_->stop(); });
    thread_.join();
  }

  // The raw answer to `request` on a fresh connection, read until the server closes it.
  std::string exchange(asio::ip::tcp::socket& socket, const std::string& request) {
    asio::write(socket, asio::buffer(request));
    std::string answer;
    boost::system::error_code ec;
    asio::read(socket, asio::dynamic_buffer(answer), ec);
    return answer;
  }
  asio::ip::tcp::socket connect() {
    asio::ip::tcp::socket socket(client_io_);
    socket.connect({asio::ip::make_address("127.0.0.1"), port_});
    return socket;
  }

  asio::io_context io_;
  asio::io_context client_io_;
  std::unique_ptr<HttpServer> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(HttpServerTest, ConnectionsPastTheCapAreClosedAtOnce) {
  ServerLimits limits;
  limits.max_connections = 2;
  start(limits);
  auto first = connect();
  auto second = connect();
  // Both are served: one request each proves the server has taken them.
  asio::write(first, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
  asio::write(second, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: a\r\n\r\n")));
  char byte = 0;
  asio::read(first, asio::buffer(&byte, 1));
  asio::read(second, asio::buffer(&byte, 1));

  auto third = connect();
  const auto answer = exchange(third, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(answer, "") << "the third connection is closed without an answer";
}

TEST_F(HttpServerTest, HeadCarriesTheLengthButNoContent) {
  start({});
  auto socket = connect();
  const auto answer = exchange(socket, "HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_NE(answer.find("Content-Length: 2\r\n"), std::string::npos) << answer;
  EXPECT_EQ(answer.substr(answer.size() - 4), "\r\n\r\n") << "nothing after the header: " << answer;
}

}  // namespace
}  // namespace capstan::net
