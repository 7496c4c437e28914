// MCP method semantics, independent of the transport: initialize, ping, logging, tools,
// resources, prompts, completion, server/discover. Transports (HTTP, stdio) parse and frame
// messages, enforce their own rules, and hand each request or notification to McpServer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "mcp/arguments.hpp"
#include "mcp/protocol.hpp"
#include "mcp/registry.hpp"
#include "mcp/session.hpp"

namespace capstan::mcp {

struct ServerInfo {
  std::string name = "capstan";
  std::string version = "0.1.0";
  std::string title;
  std::string instructions;
};

struct ServerOptions {
  ServerInfo info;
  // tools/list, resources/list, prompts/list page size (cursor pagination, MCP 2025-11-25).
  std::size_t page_size = 100;
  // MCP 2026-07-28 list caching hints.
  std::int64_t list_ttl_ms = 300'000;
  // How long a server-to-client request (sampling, elicitation) may wait for its answer.
  std::chrono::milliseconds client_request_timeout{60'000};
  // HMAC key protecting the requestState of input_required results (MCP 2026-07-28, SEP-2322);
  // empty means a random key for this process.
  std::string state_key;
  // How long a finished task stays readable through tasks/get (SEP-2663 ttlMs), and the poll
  // interval suggested to clients.
  std::int64_t task_ttl_ms = 600'000;
  std::int64_t task_poll_interval_ms = 200;
};

// Whether a message is served under the initialize-based revisions or statelessly.
enum class Era { kLegacy, kModern };

// What the transport knows about one incoming message.
struct Exchange {
  Era era = Era::kLegacy;
  std::string protocol_version;
  // Legacy era: the client's session (set for every message once initialized).
  std::shared_ptr<Session> session;
  // Modern era: per-request values from params._meta.
  json::object client_capabilities;
  std::optional<LogLevel> log_level;
  // Delivers a message to the client before the response (notifications, server-to-client
  // requests). Empty when the transport cannot deliver interim messages.
  std::function<void(json::object)> send;
  // True when a server-to-client request sent through `send` can be answered by the client.
  bool client_requests = false;
};

class McpServer {
 public:
  McpServer(Registry registry, ServerOptions options = {});

  // Handles one valid request or notification (see classifyMessage). Returns the response for a
  // request; nothing for a notification or a request the client cancelled.
  asio::awaitable<std::optional<json::object>> handle(const json::object& message,
                                                      Exchange& exchange);

  // A response from the client to one of our requests (legacy sessions only).
  void acceptClientResponse(const json::object& message, Exchange& exchange);

  // True when the method exists under `era` (MCP 2026-07-28: HTTP 404 for unknown methods).
  bool knowsMethod(std::string_view method, Era era) const;

  // Task records of the tasks extension (MCP 2026-07-28, SEP-2663); defined in server.cpp.
  struct Tasks;

  const Registry& registry() const { return registry_; }
  const ServerOptions& options() const { return options_; }

 private:
  json::object serverCapabilities(Era era) const;
  // requestState as the client sees it: `<payload>.<hmac>`; verifyState returns the payload, or
  // nothing when the state was not issued by this key.
  std::string signState(std::string_view payload) const;
  std::optional<std::string> verifyState(std::string_view state) const;
  json::object inputRequiredResult(json::object requests, const std::string& state) const;
  json::object implementation() const;
  std::optional<json::object> initialize(const json::object& message, Exchange& exchange);
  json::object discover() const;
  std::optional<json::object> setLevel(const json::object& message, Exchange& exchange);
  json::object listTools(const json::object& message, Exchange& exchange,
                         std::optional<json::object>& error) const;
  asio::awaitable<std::optional<json::object>> callTool(const json::object& message,
                                                        Exchange& exchange);
  json::object listResources(const json::object& message, std::optional<json::object>& error) const;
  json::object listResourceTemplates(const json::object& message,
                                     std::optional<json::object>& error) const;
  json::object readResource(const json::object& message, Exchange& exchange,
                            std::optional<json::object>& error) const;
  json::object listPrompts(const json::object& message, std::optional<json::object>& error) const;
  json::object getPrompt(const json::object& message, const Exchange& exchange,
                         std::optional<json::object>& error) const;
  json::object complete(const json::object& message, std::optional<json::object>& error) const;
  void cancel(const json::object& message, Exchange& exchange);
  // Adds the fields a revision requires on every result (2026-07-28: resultType, serverInfo).
  json::object finishResult(json::object result, const Exchange& exchange, bool cacheable) const;

  asio::awaitable<json::object> startTask(const Tool& tool, json::object arguments,
                                          const Exchange& exchange, json::object input_responses);
  std::optional<json::object> taskMethod(const json::object& message, const Exchange& exchange);

  Registry registry_;
  ServerOptions options_;
  std::shared_ptr<Tasks> tasks_;
};

}  // namespace capstan::mcp
