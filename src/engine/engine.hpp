// The call engine: one exposed operation (a REST operation or an MCP tool) plus the caller's
// arguments become a validated, coerced upstream request; the upstream's answer becomes the
// shaped result (DESIGN.md "Semantics" 1-8). REST and MCP never build upstream requests
// themselves; they list `operations()` and `call()` one of them.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/error_kind.hpp"
#include "engine/parameter.hpp"
#include "engine/startup_error.hpp"
#include "spec/model.hpp"

namespace capstan::upstream {
class Transport;
}

namespace capstan::engine {

namespace asio = boost::asio;

struct EngineOptions {
  // Looks up environment binds; defaults to std::getenv when empty.
  std::function<std::optional<std::string>(const std::string&)> env_lookup;
  // Directory that relative `file:///./x` bind locations resolve against (default: the current
  // working directory, as the Naftiko reference engine does).
  std::filesystem::path bind_base_dir;
  // Consumes namespace -> base URI that replaces `baseUri` (`--upstream NS=URL`).
  std::map<std::string, std::string> upstream_overrides;
  std::chrono::milliseconds connect_timeout{5'000};
  // Covers connect, request, headers and the whole body of one upstream exchange.
  std::chrono::milliseconds total_timeout{30'000};
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  // Extra trust anchor (PEM) on top of the system store.
  std::optional<std::filesystem::path> ca_file;
  // Honour HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment.
  bool use_proxy_env = true;
  // Test seam: replaces the Beast client (STYLE.md rule 12). Null = the real client.
  std::shared_ptr<upstream::Transport> transport;
};

// A callable operation of an exposed adapter. Owned by the Engine; pointers stay valid for its
// lifetime.
struct ExposedOperation {
  Surface surface = Surface::kRest;
  std::string adapter_namespace;
  std::string name;  // REST operation name or MCP tool name
  std::string description;
  std::string method;  // REST only: upper-case HTTP method
  std::string path;    // REST only: exposed path as written ("/v1/v1/jobs/{jobid}")
  const spec::RestResource* rest_resource = nullptr;
  const spec::RestOperation* rest_operation = nullptr;
  const spec::McpTool* mcp_tool = nullptr;
  std::vector<ParameterInfo> parameters;
  std::size_t index = 0;  // position in Engine::operations()
};

struct CallOutcome {
  ErrorKind kind = ErrorKind::kNone;
  // Upstream status when an upstream answered (kNone, kUpstreamStatus), else 0.
  int upstream_status = 0;
  // kNone: the shaped JSON text, or the upstream body passed through for identity mappings.
  // kUpstreamStatus: the upstream body as received. Other kinds: empty.
  std::string body;
  std::string content_type;                // of `body`; empty when there is no body
  std::optional<std::string> retry_after;  // upstream Retry-After, kept (RFC 9110 §10.2.3)
  // kInvalidArgument: the offending parameter.
  std::string parameter;
  // Human-readable, secret-free detail for problem+json `detail` / MCP error text.
  std::string message;
  std::chrono::microseconds upstream_latency{0};

  bool ok() const { return kind == ErrorKind::kNone; }
  const ErrorInfo& info() const { return errorInfo(kind); }
};

// Counters the control component reads (capstan_requests_total{outcome=...}).
struct EngineMetrics {
  std::array<std::atomic<std::uint64_t>, kErrorKindCount> calls_by_outcome{};
  std::atomic<std::uint64_t> upstream_requests{0};

  void count(ErrorKind kind) {
    calls_by_outcome[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
  }
};

struct CallContext {
  std::uint64_t request_id = 0;  // carried on every log line
  asio::cancellation_slot cancellation;
};

class Engine {
 public:
  // Resolves every `call`, binds (a missing secret throws StartupError naming the variable) and
  // base URIs, and infers the parameters of every exposed operation. `document` must outlive the
  // Engine.
  Engine(const spec::Document& document, asio::any_io_executor executor,
         EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  const std::vector<ExposedOperation>& operations() const;
  // Operations of one adapter, in document order.
  std::vector<const ExposedOperation*> operationsOf(Surface surface,
                                                    const std::string& adapter_namespace) const;
  const ExposedOperation* findTool(const std::string& adapter_namespace,
                                   const std::string& tool_name) const;

  // Never throws; every failure is a CallOutcome kind. REST passes query and path values as
  // strings: they are coerced to the declared types here.
  asio::awaitable<CallOutcome> call(const ExposedOperation& operation,
                                    const boost::json::object& arguments, CallContext context = {});

  const EngineMetrics& metrics() const;

  // Renders `text` (`{{env.KEY}}`, `{{KEY}}`) against the binds; nullopt when a variable is not
  // bound. Adapters use it for their inbound credentials.
  std::optional<std::string> renderWithBinds(const std::string& text) const;

  // Replaces every bound secret value in `text` with "***".
  std::string redactSecrets(std::string text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace capstan::engine
