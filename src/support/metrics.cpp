#include "support/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <string>

namespace capstan {

struct Metrics::Impl {
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  prometheus::Family<prometheus::Counter>& requests =
      prometheus::BuildCounter()
          .Name("capstan_requests_total")
          .Help("HTTP requests answered, by adapter, operation and status code")
          .Register(*registry);
  prometheus::Family<prometheus::Histogram>& latency =
      prometheus::BuildHistogram()
          .Name("capstan_request_duration_seconds")
          .Help("Time from a request's arrival to its answer, by adapter and operation")
          .Register(*registry);
  prometheus::Family<prometheus::Counter>& upstream =
      prometheus::BuildCounter()
          .Name("capstan_upstream_calls_total")
          .Help("Calls to upstream APIs, by outcome")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& connections =
      prometheus::BuildGauge()
          .Name("capstan_open_connections")
          .Help("Client connections currently open, by adapter")
          .Register(*registry);
  prometheus::Family<prometheus::Gauge>& sessions = prometheus::BuildGauge()
                                                        .Name("capstan_mcp_sessions")
                                                        .Help("Live MCP sessions, by adapter")
                                                        .Register(*registry);
};

Metrics& Metrics::instance() {
  static Metrics metrics;
  return metrics;
}

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {}

void Metrics::recordRequest(std::string_view adapter, std::string_view operation, int status,
                            std::chrono::duration<double> latency) {
  impl_->requests
      .Add({{"adapter", std::string(adapter)},
            {"operation", std::string(operation)},
            {"status", std::to_string(status)}})
      .Increment();
  // Buckets from 100 µs to 10 s: loopback calls land in the first few, slow upstreams in the last.
  static const prometheus::Histogram::BucketBoundaries kBuckets{
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  impl_->latency
      .Add({{"adapter", std::string(adapter)}, {"operation", std::string(operation)}}, kBuckets)
      .Observe(latency.count());
}

void Metrics::recordUpstream(std::string_view outcome) {
  impl_->upstream.Add({{"outcome", std::string(outcome)}}).Increment();
}

void Metrics::connectionOpened(std::string_view adapter) {
  impl_->connections.Add({{"adapter", std::string(adapter)}}).Increment();
}

void Metrics::connectionClosed(std::string_view adapter) {
  impl_->connections.Add({{"adapter", std::string(adapter)}}).Decrement();
}

void Metrics::setMcpSessions(std::string_view adapter, double sessions) {
  impl_->sessions.Add({{"adapter", std::string(adapter)}}).Set(sessions);
}

std::string Metrics::serialize() const {
  return prometheus::TextSerializer().Serialize(impl_->registry->Collect());
}

std::shared_ptr<prometheus::Registry> Metrics::registry() const { return impl_->registry; }

}  // namespace capstan
