#include "net/http_server.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>

#include "support/metrics.hpp"

namespace capstan::net {

namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

std::atomic<std::uint64_t> g_next_request_id{1};

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
// Lingering close after a refusal: how long and how much of the client's remaining upload to read.
constexpr std::chrono::seconds kLingerTime{2};
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

Response errorResponse(http::status status, std::string_view message) {
  std::string body = R"({"error":")";
  body += message;
  body += "\"}";
  return makeResponse(status, std::move(body), "application/json");
}

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(asio::any_io_executor executor_in, Handler handler_in, ServerLimits limits_in,
        std::string label_in)
      : executor(std::move(executor_in)),
        handler(std::move(handler_in)),
        limits(limits_in),
        label(std::move(label_in)),
        acceptor(executor) {}

  asio::any_io_executor executor;
  Handler handler;
  ServerLimits limits;
  RefusalWriter refusal_writer;

  Response refusal(http::status status, std::string_view message) const {
    if (!refusal_writer) return errorResponse(status, message);
    auto worded = refusal_writer(static_cast<int>(status), message);
    return makeResponse(status, std::move(worded.body), worded.content_type);
  }
  std::string label;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> open_connections{0};
  std::chrono::steady_clock::time_point last_refusal_log{};  // touched by acceptLoop only
  std::uint16_t port = 0;
  // Connections waiting for their next request; stop() closes these at once, while busy ones
  // finish their current exchange first.
  std::mutex sockets_mutex;
  std::map<beast::tcp_stream*, bool> streams;  // stream -> busy

  void setBusy(beast::tcp_stream* stream, bool busy) {
    std::lock_guard lock(sockets_mutex);
    streams[stream] = busy;
  }

  void closeIdle() {
    std::lock_guard lock(sockets_mutex);
    for (auto& [stream, busy] : streams) {
      if (busy) continue;
      asio::post(stream->get_executor(), [self = shared_from_this(), stream = stream] {
        std::lock_guard inner(self->sockets_mutex);
        auto found = self->streams.find(stream);
        if (found == self->streams.end() || found->second) return;
        boost::system::error_code ignored;
        stream->socket().cancel(ignored);
      });
    }
  }

  asio::awaitable<void> acceptLoop() {
    auto self = shared_from_this();
    while (!stopping) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(executor), kAsTuple);
      if (ec) {
        if (stopping || ec == asio::error::operation_aborted) break;
        // EMFILE and friends: back off briefly instead of spinning.
        spdlog::warn("accept failed on port {}: {}", port, ec.message());
        asio::steady_timer timer(executor, std::chrono::milliseconds(50));
        co_await timer.async_wait(kAsTuple);
        continue;
      }
      // Every connection may hold a request buffer of up to body_limit: past the cap, new ones
      // are closed at once rather than letting slow senders exhaust memory.
      if (open_connections.load() >= limits.max_connections) {
        // Rate-limited (STYLE.md 8): once a second at most.
        const auto now = std::chrono::steady_clock::now();
        if (now - last_refusal_log > std::chrono::seconds(1)) {
          last_refusal_log = now;
          spdlog::warn("port {}: {} connections open, refusing more", port, limits.max_connections);
        }
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto socket_executor = socket.get_executor();
      asio::co_spawn(socket_executor, serveConnection(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> serveConnection(tcp::socket socket) {
    auto self = shared_from_this();
    ++open_connections;
    Metrics::instance().connectionOpened(label);
    beast::tcp_stream stream(std::move(socket));
    {
      std::lock_guard lock(sockets_mutex);
      streams.emplace(&stream, false);
    }
    RequestContext context;
    boost::system::error_code peer_ec;
    context.peer = stream.socket().remote_endpoint(peer_ec);

    beast::flat_buffer buffer;
    bool first = true;
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(limits.body_limit);
      parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));

      // Idle time between requests, then the whole request must arrive within read_timeout.
      stream.expires_after(first || buffer.size() > 0 ? limits.read_timeout : limits.idle_timeout);
      first = false;
      auto [read_ec, bytes] = co_await http::async_read_header(stream, buffer, parser, kAsTuple);
      if (!read_ec && !parser.is_done()) {
        stream.expires_after(limits.read_timeout);
        std::tie(read_ec, bytes) = co_await http::async_read(stream, buffer, parser, kAsTuple);
      }
      if (read_ec) {
        if (read_ec == http::error::body_limit) {
          co_await writeAndClose(stream, http::status::payload_too_large, "request body too large");
        } else if (read_ec == http::error::header_limit) {
          co_await writeAndClose(stream, http::status::request_header_fields_too_large,
                                 "request headers too large");
        } else if (read_ec != http::error::end_of_stream && read_ec != beast::error::timeout &&
                   read_ec != asio::error::connection_reset &&
                   read_ec != asio::error::operation_aborted && bytes > 0) {
          co_await writeAndClose(stream, http::status::bad_request, "malformed HTTP request");
        }
        break;
      }

      setBusy(&stream, true);
      auto started = std::chrono::steady_clock::now();
      Request request = parser.release();
      // RFC 9112 §3.2: an HTTP/1.1 request without a Host header, or with several, is a 400.
      if (request.version() >= 11 && request.count(http::field::host) != 1) {
        co_await writeAndClose(stream, http::status::bad_request,
                               "an HTTP/1.1 request carries exactly one Host header");
        break;
      }
      context.operation.clear();
      context.request_id = g_next_request_id.fetch_add(1);
      Response response;
      try {
        response = co_await handler(request, context);
      } catch (const std::exception& error) {
        spdlog::error("request {}: handler failed: {}", context.request_id, error.what());
        response = refusal(http::status::internal_server_error, "internal error");
      }
      response.version(request.version());
      bool keep_alive = request.keep_alive() && !stopping && response.keep_alive() &&
                        !response.count(http::field::connection);
      if (response.count(http::field::connection)) keep_alive = response.keep_alive();
      response.keep_alive(keep_alive);
      response.prepare_payload();
      // RFC 9110 §9.3.2: a HEAD answer carries GET's header fields, Content-Length included, but
      // no content.
      if (request.method() == http::verb::head) {
        const auto length = response.body().size();
        response.body().clear();
        response.content_length(length);
      }

      stream.expires_after(limits.write_timeout);
      auto [write_ec, written] = co_await http::async_write(stream, response, kAsTuple);
      Metrics::instance().recordRequest(label, context.operation, response.result_int(),
                                        std::chrono::steady_clock::now() - started);
      if (write_ec || !keep_alive) break;
      setBusy(&stream, false);
    }

    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    {
      std::lock_guard lock(sockets_mutex);
      streams.erase(&stream);
    }
    --open_connections;
    Metrics::instance().connectionClosed(label);
  }

  asio::awaitable<void> writeAndClose(beast::tcp_stream& stream, http::status status,
                                      std::string_view message) {
    Response response = refusal(status, message);
    response.keep_alive(false);
    response.prepare_payload();
    stream.expires_after(limits.write_timeout);
    auto [write_ec, written] = co_await http::async_write(stream, response, kAsTuple);
    if (write_ec) co_return;

    // RFC 9112 §9.6: closing at once with the client still sending (a body over the limit) makes
    // the kernel reset the connection, and the client may lose the answer. Stop sending, then read
    // and drop what still arrives, for a bounded time and size, before the socket closes.
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.expires_after(kLingerTime);
    std::array<char, 16 * 1024> sink{};
    for (std::size_t drained = 0; drained < kLingerBytes;) {
      auto [read_ec, read] = co_await stream.async_read_some(asio::buffer(sink), kAsTuple);
      if (read_ec) break;
      drained += read;
    }
  }
};

HttpServer::HttpServer(asio::any_io_executor executor, Handler handler, ServerLimits limits,
                       std::string metrics_label)
    : state_(std::make_shared<State>(std::move(executor), std::move(handler), limits,
                                     std::move(metrics_label))) {}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::listen(std::string_view host, std::uint16_t port) {
  // Start-up errors name the address and the cause only ("127.0.0.1:8080: Address already in
  // use"), not Boost's source location.
  auto where = [&] { return std::string(host) + ":" + std::to_string(port); };
  boost::system::error_code ec;
  auto address = asio::ip::make_address(std::string(host), ec);
  if (ec) throw std::runtime_error("'" + std::string(host) + "' is not an IP address");
  tcp::endpoint endpoint(address, port);
  auto& acceptor = state_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error(where() + ": " + ec.message());
  state_->port = acceptor.local_endpoint().port();
  asio::co_spawn(state_->executor, state_->acceptLoop(), asio::detached);
  return state_->port;
}

void HttpServer::stop() {
  if (!state_ || state_->stopping.exchange(true)) return;
  // Closing the acceptor from its own executor avoids racing the pending accept.
  asio::post(state_->acceptor.get_executor(), [state = state_] {
    boost::system::error_code ignored;
    state->acceptor.close(ignored);
  });
  state_->closeIdle();
}

void HttpServer::setRefusalWriter(RefusalWriter writer) {
  state_->refusal_writer = std::move(writer);
}

std::uint16_t HttpServer::port() const { return state_->port; }

std::size_t HttpServer::openConnections() const { return state_->open_connections.load(); }

Response makeResponse(http::status status, std::string body, std::string_view content_type) {
  Response response{status, 11};
  response.set(http::field::content_type, content_type);
  response.body() = std::move(body);
  return response;
}

}  // namespace capstan::net
