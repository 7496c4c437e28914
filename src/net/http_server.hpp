// A small HTTP/1.1 server on Beast and C++20 coroutines, shared by every listening surface
// (REST, MCP, control, sandbox). One coroutine per connection; no thread per request.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace capstan::net {

namespace http = boost::beast::http;
namespace asio = boost::asio;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct ServerLimits {
  std::size_t body_limit = 1024 * 1024;
  std::size_t header_limit = 16 * 1024;
  // Bounds the time to receive one whole request once its first byte arrived.
  std::chrono::milliseconds read_timeout{30'000};
  // Bounds the time a kept-alive connection may sit between requests.
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds write_timeout{30'000};
  // Connections served at once; more are closed on accept. With body_limit this bounds the memory
  // that slow senders can pin (2,048 x 1 MiB).
  std::size_t max_connections = 2048;
};

// How a surface words the answers the server gives on its own, before any handler runs (413 body
// too large, 431 headers too large, 400 malformed request, 500 when a handler threw): REST as
// problem+json, MCP as JSON-RPC, the sandbox in its upstream's error shape. Unset: a small JSON
// object `{"error": message}`.
struct RefusalBody {
  std::string body;
  std::string content_type;
};
using RefusalWriter = std::function<RefusalBody(int status, std::string_view message)>;

struct RequestContext {
  asio::ip::tcp::endpoint peer;
  // Unique per process; put it on every log line about this request.
  std::uint64_t request_id = 0;
  // Set by the handler to the capability's name for what was called (an operation or tool), so
  // that the request metric carries it. Empty when nothing matched.
  std::string operation;
};

// The handler fills the status, headers and body. The server sets the HTTP version, keep-alive
// and Content-Length after it returns. A handler must not throw; if it does, the server answers
// 500 and logs the exception.
using Handler = std::function<asio::awaitable<Response>(Request&, RequestContext&)>;

class HttpServer {
 public:
  // `metrics_label` names this server in the process metrics ("rest:<ns>", "mcp:<ns>", ...).
  HttpServer(asio::any_io_executor executor, Handler handler, ServerLimits limits = {},
             std::string metrics_label = "http");

  // Replaces the default wording of the server's own refusals; call before listen().
  void setRefusalWriter(RefusalWriter writer);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds `host:port` (port 0 picks a free port) and starts accepting. Returns the bound port.
  // Throws std::system_error when the address cannot be bound.
  std::uint16_t listen(std::string_view host, std::uint16_t port);

  // Stops accepting; connections finish their current request and close.
  void stop();

  std::uint16_t port() const;
  std::size_t openConnections() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Builds a response with `body` and `content_type`.
Response makeResponse(http::status status, std::string body, std::string_view content_type);

}  // namespace capstan::net
