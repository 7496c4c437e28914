// Streamable HTTP transport for McpServer (MCP 2025-03-26 .. 2025-11-25), plus the stateless
// 2026-07-28 revision on the same endpoint. Serves `/mcp` and `/`; everything else is 404.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mcp/server.hpp"
#include "mcp/session.hpp"
#include "net/http_server.hpp"

namespace capstan::mcp {

// Inbound credentials a client must present (the capability's exposes[type=mcp].authentication,
// with its secret already resolved). Never forwarded upstream (DESIGN.md semantics §8).
struct InboundAuth {
  std::string type;       // "bearer" | "apikey"
  std::string secret;     // the token or key value
  std::string key_name;   // apikey: header or query parameter name
  std::string placement;  // apikey: "header" (default) | "query"
};

struct HttpOptions {
  // Origins allowed besides loopback ones (e.g. "https://app.example.com").
  std::vector<std::string> allowed_origins;
  // Host header values (host names) accepted besides loopback names. When the adapter listens on
  // a non-loopback address and this is empty, Host is not checked.
  std::vector<std::string> allowed_hosts;
  std::optional<InboundAuth> auth;
  SessionOptions sessions;
  net::ServerLimits limits;
  // Names this adapter in the process metrics ("mcp:<namespace>").
  std::string metrics_label = "mcp";
};

class McpHttpAdapter {
 public:
  McpHttpAdapter(asio::any_io_executor executor, std::shared_ptr<McpServer> server,
                 HttpOptions options = {});
  ~McpHttpAdapter();
  McpHttpAdapter(const McpHttpAdapter&) = delete;
  McpHttpAdapter& operator=(const McpHttpAdapter&) = delete;

  // Binds `host:port` (0 = any free port) and serves; returns the bound port.
  std::uint16_t start(std::string_view host, std::uint16_t port);
  void stop();

  std::size_t sessionCount() const;
  std::size_t openConnections() const;

  // The whole request handling, exposed so that tests can drive it without sockets.
  asio::awaitable<net::Response> handle(net::Request& request, net::RequestContext& context);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace capstan::mcp
