// Operator endpoints on their own port (loopback by default): liveness, readiness, status and
// Prometheus metrics.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "net/http_server.hpp"

namespace capstan::control {

struct AdapterStatus {
  std::string type;  // rest | mcp | sandbox
  std::string name;  // namespace from the capability
  std::string url;
  bool listening = false;
};

struct StatusInfo {
  std::string capability;  // info.label
  std::string naftiko_version;
  std::string capstan_version;
};

class ControlServer {
 public:
  ControlServer(net::asio::any_io_executor executor, StatusInfo info);

  // Adapters are registered before they listen; readiness is 503 until every one is marked.
  void addAdapter(AdapterStatus adapter);
  void markListening(const std::string& name, const std::string& url);

  // Runs before each /metrics scrape, for gauges that are cheaper to read than to track (open
  // MCP sessions). Hooks must not call back into this server.
  void onScrape(std::function<void()> hook);

  std::uint16_t listen(std::string_view host, std::uint16_t port);
  void stop();

 private:
  net::Response handle(const net::Request& request, net::RequestContext& context);
  net::Response ready() const;
  net::Response status() const;

  StatusInfo info_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  mutable std::mutex mutex_;
  std::vector<AdapterStatus> adapters_;
  std::vector<std::function<void()>> scrape_hooks_;
  net::HttpServer server_;
};

}  // namespace capstan::control
