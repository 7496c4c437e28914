// Process-wide Prometheus metrics. Every surface records into one registry; the control
// component serializes it at /metrics. Labels never carry secrets, ids or raw paths: only adapter
// and operation names from the capability and a status or outcome.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace prometheus {
class Registry;
}

namespace capstan {

class Metrics {
 public:
  static Metrics& instance();

  // One finished HTTP request on `adapter` ("rest:<ns>", "mcp:<ns>", "control", "sandbox").
  // `operation` is the capability's name for what was called, or "" when nothing matched.
  void recordRequest(std::string_view adapter, std::string_view operation, int status,
                     std::chrono::duration<double> latency);
  // One upstream call by outcome label (see engine's error table).
  void recordUpstream(std::string_view outcome);
  void connectionOpened(std::string_view adapter);
  void connectionClosed(std::string_view adapter);
  void setMcpSessions(std::string_view adapter, double sessions);

  // Prometheus text exposition format 0.0.4.
  std::string serialize() const;

  std::shared_ptr<prometheus::Registry> registry() const;

 private:
  Metrics();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace capstan
