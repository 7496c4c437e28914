// Asynchronous HTTP/1.1 client for upstream APIs.
//
// Built on Beast rather than libcurl's multi interface: Beast runs on the very executor that
// serves REST and MCP, so one upstream exchange is one more coroutine on the loop (no second
// event loop, no socket-callback bridge, no thread hand-off), and cancellation and deadlines
// use the same Asio primitives as the servers. What curl would have given for free (gzip,
// proxies, pooling) is small enough to write here.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace capstan::upstream {

namespace asio = boost::asio;

// Every way an exchange can fail before a complete HTTP response is in hand.
enum class Failure {
  kNone,
  kConnect,          // DNS, TCP connect, or proxy CONNECT refused
  kTls,              // handshake or certificate verification
  kTimeout,          // connect deadline or total deadline
  kProtocol,         // malformed response, connection closed mid-message
  kTooLarge,         // body (before or after decoding) over the cap, or oversized headers
  kBadEncoding,      // unknown Content-Encoding, or a corrupt gzip stream
  kRedirectRefused,  // redirect to another origin (credentials must not follow it)
  kBadUrl,           // the request URL does not parse or has an unsupported scheme
  kCancelled,
};

std::string_view failureName(Failure failure);

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;  // absolute http:// or https:// URL, already percent-encoded
  HeaderList headers;
  std::optional<std::string> body;  // nullopt: no body, no Content-Length for GET
};

struct Response {
  int status = 0;
  HeaderList headers;  // as received, minus Content-Encoding once decoded
  std::string body;    // decoded

  // First value of `name` (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

struct Result {
  Failure failure = Failure::kNone;
  std::string detail;  // secret-free description of the failure
  Response response;
  bool reused_connection = false;

  bool ok() const { return failure == Failure::kNone; }
};

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{30'000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  std::size_t max_header_bytes = 64 * 1024;
  std::optional<std::filesystem::path> ca_file;
  // Idle kept-alive connections per origin; older ones are closed.
  std::size_t max_idle_per_origin = 16;
  std::chrono::seconds idle_expiry{30};
  // Same-origin redirects followed for GET/HEAD before giving up.
  int max_redirects = 5;
  bool use_proxy_env = true;
  // Reads HTTPS_PROXY & co.; defaults to std::getenv.
  std::function<std::optional<std::string>(const std::string&)> env_lookup;
};

// The seam tests replace (STYLE.md rule 12).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual asio::awaitable<Result> send(Request request, asio::cancellation_slot slot) = 0;
};

class Client final : public Transport {
 public:
  // Throws std::runtime_error when the CA file cannot be loaded (startup regime).
  Client(asio::any_io_executor executor, ClientOptions options);
  ~Client() override;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  asio::awaitable<Result> send(Request request, asio::cancellation_slot slot = {}) override;

  // Connections opened so far (tests check keep-alive reuse with it).
  std::size_t connectionsOpened() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// Proxy selection per the de-facto curl/Go conventions; exposed for tests. Returns the proxy URL
// for `scheme://host`, or nullopt for a direct connection.
std::optional<std::string> proxyFor(
    std::string_view scheme, std::string_view host,
    const std::function<std::optional<std::string>(const std::string&)>& env_lookup);

// Inflates a gzip member (RFC 1952); nullopt when corrupt, `too_large` set when over `limit`.
std::optional<std::string> gunzip(std::string_view compressed, std::size_t limit, bool& too_large);

}  // namespace capstan::upstream
