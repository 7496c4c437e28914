// What an MCP server offers: tools, resources, prompts. Protocol code (McpServer) lists and calls
// them; who fills the registry decides what they do (capability tools, conformance fixtures).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mcp/protocol.hpp"

namespace capstan::mcp {

namespace asio = boost::asio;

struct ToolAnnotations {
  std::optional<bool> read_only;
  std::optional<bool> destructive;
  std::optional<bool> idempotent;
  std::optional<bool> open_world;
};

// A tool result (MCP CallToolResult): content blocks, optional structured content, error flag.
struct ToolResult {
  json::array content;
  std::optional<json::value> structured_content;
  bool is_error = false;
  // MCP 2026-07-28 (SEP-2322, multi-round-trip requests): the call needs answers from the client
  // first. Keyed requests ({method, params}); the client repeats the call with `inputResponses`
  // under the same keys and `requestState` echoed. Only the stateless revision can carry it.
  std::optional<json::object> input_requests;
  std::string request_state;  // opaque to the client; McpServer signs it

  static ToolResult text(std::string text, bool is_error = false);
  static ToolResult error(std::string text) { return ToolResult::text(std::move(text), true); }
  static ToolResult inputRequired(json::object requests, std::string state = {});
};

// Outcome of a request the server sends to the client (sampling, elicitation, roots).
struct ClientReply {
  std::optional<json::value> result;  // set on success
  std::optional<json::object> error;  // JSON-RPC error object, or a local failure
};

// Everything a tool handler may do besides computing its result.
class ToolCallContext {
 public:
  virtual ~ToolCallContext() = default;

  // notifications/progress for the caller's progressToken; no-op when the caller sent none.
  virtual void progress(double progress, std::optional<double> total, std::string message) = 0;
  // notifications/message, filtered by the level the client asked for.
  virtual void log(LogLevel level, json::value data, std::string logger) = 0;
  // Emitted (terminal) when the client sends notifications/cancelled for this request. Handlers
  // bind it to their upstream operations.
  virtual asio::cancellation_slot cancellationSlot() = 0;
  virtual bool cancelled() const = 0;
  virtual const std::string& protocolVersion() const = 0;
  // The client's capabilities (from initialize, or per request under 2026-07-28).
  virtual const json::object& clientCapabilities() const = 0;
  // Sends a request to the client and waits for its answer. Fails (error set) when the
  // transport cannot carry server-to-client requests.
  virtual asio::awaitable<ClientReply> requestClient(std::string method, json::object params) = 0;
  // MCP 2026-07-28 (SEP-2322): the answers the client sent for an earlier input_required result
  // (params.inputResponses), or nullptr; and the requestState it echoed, already verified.
  virtual const json::object* inputResponses() const = 0;
  virtual const std::string& requestState() const = 0;
};

using ToolHandler =
    std::function<asio::awaitable<ToolResult>(const json::object& arguments, ToolCallContext&)>;

// Whether a tool runs as a task under the tasks extension (MCP 2026-07-28, SEP-2663).
enum class TaskSupport { kForbidden, kOptional, kRequired };

struct Tool {
  std::string name;
  std::string title;
  std::string description;
  json::object input_schema;  // always "type":"object"
  std::optional<json::object> output_schema;
  ToolAnnotations annotations;
  // When false, arguments go to the handler as sent; when true (default), McpServer first checks
  // and coerces them against the simple subset of `input_schema` (type, required, enum).
  bool validate_arguments = true;
  // Set when the handler calls ToolCallContext::requestClient (sampling, elicitation). The HTTP
  // transport then serves the call on a resumable SSE stream (MCP 2025-11-25, SSE polling), so
  // that the client sees the request before the tool finishes.
  bool requests_client = false;
  // Client capabilities the tool cannot work without (e.g. "sampling"). Under 2026-07-28 a call
  // from a client that did not declare them is refused with -32021 before the handler runs.
  std::vector<std::string> required_client_capabilities;
  // Under 2026-07-28, a client that declares the tasks extension gets a task for this tool
  // (CreateTaskResult) and follows it with tasks/get; others get the result synchronously, or
  // -32021 when the support is required.
  TaskSupport task_support = TaskSupport::kForbidden;
  // For task tools: the input to gather (SEP-2322 rounds) before the task is created, given the
  // client's inputResponses (nullptr when none came). Non-empty: an input_required result; empty:
  // the task starts, and its handler sees those inputResponses (SEP-2663, MRTR composition).
  std::function<json::object(const json::object* input_responses)> input_before_task;
  ToolHandler handler;
};

struct ResourceContents {
  std::string uri;
  std::string mime_type;
  std::optional<std::string> text;
  std::optional<std::string> blob_base64;
};

struct Resource {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  std::function<std::optional<std::vector<ResourceContents>>(const std::string& uri)> read;
};

struct ResourceTemplate {
  std::string uri_template;  // RFC 6570 level 1 (`{name}` segments)
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
  // Called with the concrete URI when it matches the template.
  std::function<std::optional<std::vector<ResourceContents>>(const std::string& uri)> read;
};

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

struct Prompt {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
  // Returns the `messages` array for the given string arguments.
  std::function<json::array(const std::map<std::string, std::string>& arguments)> render;
  // MCP 2026-07-28 (SEP-2322): the input the prompt still needs, given the client's
  // inputResponses (nullptr when none came). An empty object means none: render runs.
  std::function<json::object(const json::object* input_responses)> input_requests;
};

class Registry {
 public:
  // Throws std::invalid_argument for a duplicate or unportable tool name (MCP 2025-11-25 tool
  // names; stricter `^[A-Za-z0-9_-]{1,64}$` as clients enforce it, research-notes/mcp.md §6.7)
  // or for an input schema whose root is not an object.
  void addTool(Tool tool);
  void addResource(Resource resource);
  void addResourceTemplate(ResourceTemplate resource_template);
  void addPrompt(Prompt prompt);
  // completion/complete: (ref, argument name, value) -> suggestions. Default: none.
  void setCompleter(std::function<json::array(const json::object& ref, const std::string& argument,
                                              const std::string& value)>
                        completer);

  const std::vector<Tool>& tools() const { return tools_; }
  const Tool* findTool(std::string_view name) const;
  const std::vector<Resource>& resources() const { return resources_; }
  const std::vector<ResourceTemplate>& resourceTemplates() const { return templates_; }
  const std::vector<Prompt>& prompts() const { return prompts_; }
  const Prompt* findPrompt(std::string_view name) const;
  json::array complete(const json::object& ref, const std::string& argument,
                       const std::string& value) const;
  bool hasCompleter() const { return static_cast<bool>(completer_); }

 private:
  std::vector<Tool> tools_;
  std::vector<Resource> resources_;
  std::vector<ResourceTemplate> templates_;
  std::vector<Prompt> prompts_;
  std::function<json::array(const json::object&, const std::string&, const std::string&)>
      completer_;
};

// True when `name` is a tool name every known client accepts.
bool isPortableToolName(std::string_view name);

// Matches `uri` against an RFC 6570 level-1 template.
bool matchesUriTemplate(std::string_view uri_template, std::string_view uri);

}  // namespace capstan::mcp
