#include "mcp/server.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>
#include <ctime>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "support/hex.hpp"
#include "support/json_text.hpp"

namespace capstan::mcp {

namespace {

// Opaque cursors: the offset of the next page, prefixed so that foreign strings are refused.
constexpr std::string_view kCursorPrefix = "capstan-page-";

std::optional<std::size_t> decodeCursor(const json::object& message, bool& invalid) {
  invalid = false;
  const auto* params = paramsOf(message);
  if (params == nullptr) return std::size_t{0};
  const auto* cursor = params->if_contains("cursor");
  if (cursor == nullptr || cursor->is_null()) return std::size_t{0};
  if (!cursor->is_string() || !cursor->get_string().starts_with(kCursorPrefix)) {
    invalid = true;
    return std::nullopt;
  }
  std::string digits(cursor->get_string().subview(kCursorPrefix.size()));
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      digits.size() > 9) {
    invalid = true;
    return std::nullopt;
  }
  return static_cast<std::size_t>(std::stoul(digits));
}

std::string encodeCursor(std::size_t offset) {
  return std::string(kCursorPrefix) + std::to_string(offset);
}

// Pages `count` items; fills [begin, end) and sets nextCursor on `result` when more remain.
bool pageRange(const json::object& message, std::size_t count, std::size_t page_size,
               std::size_t& begin, std::size_t& end, json::object& result,
               std::optional<json::object>& error) {
  bool invalid = false;
  auto offset = decodeCursor(message, invalid);
  if (invalid || (offset && *offset > count)) {
    error = makeError(message.at("id"), ErrorCode::kInvalidParams, "invalid cursor");
    return false;
  }
  begin = *offset;
  end = std::min(count, begin + page_size);
  if (end < count) result["nextCursor"] = encodeCursor(end);
  return true;
}

void putIfNotEmpty(json::object& object, std::string_view key, const std::string& value) {
  if (!value.empty()) object[key] = value;
}

std::string requestKey(const json::value& id) { return capstan::toJsonText(id); }

std::string randomStateKey() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("no random bytes available for the MCP requestState key");
  }
  return capstan::toHex(bytes.data(), bytes.size());
}

constexpr std::string_view kTasksExtension = "io.modelcontextprotocol/tasks";

bool declaresTasks(const json::object& capabilities) {
  const auto* extensions = capabilities.if_contains("extensions");
  return extensions != nullptr && extensions->is_object() &&
         extensions->get_object().contains(kTasksExtension);
}

// error.data of a -32021 for the tasks extension (SEP-2663, required capabilities).
json::value tasksRequirement() {
  json::object extension;
  extension[kTasksExtension] = json::object();
  json::object required;
  required["extensions"] = std::move(extension);
  json::object data;
  data["requiredCapabilities"] = std::move(required);
  return data;
}

// RFC 3339 UTC with milliseconds.
std::string timestampNow() {
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  std::array<char, 40> text{};
  auto length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &parts);
  std::string out(text.data(), length);
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
  return out;
}

// The client capability names `tool` needs and `declared` lacks.
std::vector<std::string> missingCapabilities(const Tool& tool, const json::object& declared) {
  std::vector<std::string> missing;
  for (const auto& name : tool.required_client_capabilities) {
    if (!declared.contains(name)) missing.push_back(name);
  }
  return missing;
}

json::object contentsToJson(const std::vector<ResourceContents>& contents) {
  json::array list;
  for (const auto& entry : contents) {
    json::object item;
    item["uri"] = entry.uri;
    putIfNotEmpty(item, "mimeType", entry.mime_type);
    if (entry.text) item["text"] = *entry.text;
    if (entry.blob_base64) item["blob"] = *entry.blob_base64;
    list.emplace_back(std::move(item));
  }
  json::object result;
  result["contents"] = std::move(list);
  return result;
}

// The ToolCallContext handed to a tool handler for one tools/call.
class CallContext final : public ToolCallContext {
 public:
  CallContext(Exchange& exchange, std::optional<json::value> progress_token,
              std::optional<LogLevel> log_level, std::chrono::milliseconds client_timeout,
              const json::object* input_responses, std::string request_state)
      : exchange_(exchange),
        progress_token_(std::move(progress_token)),
        log_level_(log_level),
        client_timeout_(client_timeout),
        input_responses_(input_responses),
        request_state_(std::move(request_state)) {
    capabilities_ = exchange.era == Era::kModern || !exchange.session
                        ? exchange.client_capabilities
                        : exchange.session->clientCapabilities();
  }

  void progress(double progress, std::optional<double> total, std::string message) override {
    if (!progress_token_ || !exchange_.send) return;
    json::object params;
    params["progressToken"] = *progress_token_;
    params["progress"] = progress;
    if (total) params["total"] = *total;
    if (!message.empty()) params["message"] = std::move(message);
    exchange_.send(makeNotification("notifications/progress", std::move(params)));
  }

  void log(LogLevel level, json::value data, std::string logger) override {
    if (!log_level_ || level < *log_level_ || !exchange_.send) return;
    json::object params;
    params["level"] = logLevelName(level);
    if (!logger.empty()) params["logger"] = std::move(logger);
    params["data"] = std::move(data);
    exchange_.send(makeNotification("notifications/message", std::move(params)));
  }

  asio::cancellation_slot cancellationSlot() override { return signal_->slot(); }
  bool cancelled() const override { return cancelled_->load(); }
  const std::string& protocolVersion() const override { return exchange_.protocol_version; }
  const json::object& clientCapabilities() const override { return capabilities_; }

  asio::awaitable<ClientReply> requestClient(std::string method, json::object params) override {
    ClientReply reply;
    auto session = exchange_.session;
    if (!exchange_.client_requests || !exchange_.send || !session) {
      reply.error = makeError(nullptr, ErrorCode::kInternalError,
                              "this transport cannot carry server-to-client requests")
                        .at("error")
                        .as_object();
      co_return reply;
    }

    struct Waiter {
      explicit Waiter(asio::any_io_executor executor) : timer(executor) {}
      asio::steady_timer timer;
      std::optional<json::value> response;
    };
    auto executor = co_await asio::this_coro::executor;
    auto waiter = std::make_shared<Waiter>(executor);
    waiter->timer.expires_after(client_timeout_);
    json::value id = session->nextOutgoingId();
    auto key = requestKey(id);
    session->addPending(key, [waiter, executor](json::value response) {
      asio::post(executor, [waiter, response = std::move(response)]() mutable {
        waiter->response = std::move(response);
        waiter->timer.cancel();
      });
    });
    exchange_.send(makeRequest(id, method, std::move(params)));
    co_await waiter->timer.async_wait(asio::as_tuple(asio::use_awaitable));
    session->removePending(key);

    if (!waiter->response) {
      reply.error =
          makeError(nullptr, ErrorCode::kInternalError, "the client did not answer " + method)
              .at("error")
              .as_object();
      co_return reply;
    }
    auto& response = waiter->response->as_object();
    if (const auto* result = response.if_contains("result")) reply.result = *result;
    if (const auto* error = response.if_contains("error"); error != nullptr && error->is_object()) {
      reply.error = error->get_object();
    }
    co_return reply;
  }

  const json::object* inputResponses() const override { return input_responses_; }
  const std::string& requestState() const override { return request_state_; }

  std::shared_ptr<std::atomic<bool>> cancelledFlag() const { return cancelled_; }
  std::shared_ptr<asio::cancellation_signal> signal() const { return signal_; }

 private:
  Exchange& exchange_;
  std::optional<json::value> progress_token_;
  std::optional<LogLevel> log_level_;
  std::chrono::milliseconds client_timeout_;
  const json::object* input_responses_;
  std::string request_state_;
  json::object capabilities_;
  std::shared_ptr<asio::cancellation_signal> signal_ =
      std::make_shared<asio::cancellation_signal>();
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

json::object toolResultToJson(ToolResult result, const std::string& version) {
  json::object out;
  out["content"] = std::move(result.content);
  // structuredContent exists from 2025-06-18 on (MCP changelog).
  if (result.structured_content && versionAtLeast(version, "2025-06-18")) {
    out["structuredContent"] = std::move(*result.structured_content);
  }
  if (result.is_error) out["isError"] = true;
  return out;
}

json::object toolToJson(const Tool& tool, const std::string& version) {
  json::object out;
  out["name"] = tool.name;
  bool modern_fields = versionAtLeast(version, "2025-06-18");
  if (modern_fields) putIfNotEmpty(out, "title", tool.title);
  putIfNotEmpty(out, "description", tool.description);
  out["inputSchema"] = tool.input_schema;
  if (tool.output_schema && modern_fields) out["outputSchema"] = *tool.output_schema;
  json::object annotations;
  if (!tool.title.empty()) annotations["title"] = tool.title;
  const auto& hints = tool.annotations;
  if (hints.read_only) annotations["readOnlyHint"] = *hints.read_only;
  if (hints.destructive) annotations["destructiveHint"] = *hints.destructive;
  if (hints.idempotent) annotations["idempotentHint"] = *hints.idempotent;
  if (hints.open_world) annotations["openWorldHint"] = *hints.open_world;
  if (!annotations.empty()) out["annotations"] = std::move(annotations);
  return out;
}

}  // namespace

// Tasks of the tasks extension, held in memory by the process that created them.
struct McpServer::Tasks {
  struct Record {
    std::string id;
    std::string status = "working";  // working | input_required | completed | failed | cancelled
    std::string created_at;
    std::string updated_at;
    std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
    std::optional<json::object> result;
    std::optional<json::object> error;
    json::object input_requests;   // asked, not yet answered
    json::object input_responses;  // answered by tasks/update, not yet taken
    std::function<void()> cancel;
  };

  std::mutex mutex;
  std::unordered_map<std::string, std::shared_ptr<Record>> records;

  std::shared_ptr<Record> find(std::string_view id) {
    std::lock_guard lock(mutex);
    auto found = records.find(std::string(id));
    return found == records.end() ? nullptr : found->second;
  }

  static bool terminal(const Record& record) {
    return record.status == "completed" || record.status == "failed" ||
           record.status == "cancelled";
  }
};

namespace {

// The ToolCallContext of a tool running as a task: what it asks the client parks the task in
// input_required until tasks/update brings the answer (SEP-2663 with SEP-2322 input requests).
class TaskCallContext final : public ToolCallContext {
 public:
  TaskCallContext(std::shared_ptr<McpServer::Tasks> tasks,
                  std::shared_ptr<McpServer::Tasks::Record> record, json::object capabilities,
                  std::chrono::milliseconds client_timeout, json::object input_responses)
      : tasks_(std::move(tasks)),
        record_(std::move(record)),
        capabilities_(std::move(capabilities)),
        client_timeout_(client_timeout),
        gathered_(std::move(input_responses)) {}

  void progress(double, std::optional<double>, std::string) override {}
  void log(LogLevel, json::value, std::string) override {}
  asio::cancellation_slot cancellationSlot() override { return signal_->slot(); }
  bool cancelled() const override { return cancelled_->load(); }
  const std::string& protocolVersion() const override { return version_; }
  const json::object& clientCapabilities() const override { return capabilities_; }
  const json::object* inputResponses() const override {
    return gathered_.empty() ? nullptr : &gathered_;
  }
  const std::string& requestState() const override { return state_; }

  asio::awaitable<ClientReply> requestClient(std::string method, json::object params) override {
    std::string key = "input-" + std::to_string(++asked_);
    {
      std::lock_guard lock(tasks_->mutex);
      json::object request;
      request["method"] = method;
      request["params"] = std::move(params);
      record_->input_requests[key] = std::move(request);
      if (!McpServer::Tasks::terminal(*record_)) record_->status = "input_required";
      record_->updated_at = timestampNow();
    }
    // The answer arrives through tasks/update on some other request; look for it at a short,
    // bounded interval rather than sharing a timer across threads.
    auto deadline = std::chrono::steady_clock::now() + client_timeout_;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    ClientReply reply;
    while (std::chrono::steady_clock::now() < deadline && !cancelled()) {
      {
        std::lock_guard lock(tasks_->mutex);
        if (auto* answer = record_->input_responses.if_contains(key)) {
          reply.result = *answer;
          record_->input_responses.erase(key);
          record_->input_requests.erase(key);
          if (record_->input_requests.empty() && record_->status == "input_required") {
            record_->status = "working";
          }
          record_->updated_at = timestampNow();
          co_return reply;
        }
      }
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    reply.error =
        makeError(nullptr, ErrorCode::kInternalError, "the client did not answer " + method)
            .at("error")
            .as_object();
    co_return reply;
  }

  std::shared_ptr<asio::cancellation_signal> signal() const { return signal_; }
  std::shared_ptr<std::atomic<bool>> cancelledFlag() const { return cancelled_; }

 private:
  std::shared_ptr<McpServer::Tasks> tasks_;
  std::shared_ptr<McpServer::Tasks::Record> record_;
  json::object capabilities_;
  std::chrono::milliseconds client_timeout_;
  json::object gathered_;
  std::string version_{kModernVersion};
  std::string state_;
  int asked_ = 0;
  std::shared_ptr<asio::cancellation_signal> signal_ =
      std::make_shared<asio::cancellation_signal>();
  std::shared_ptr<std::atomic<bool>> cancelled_ = std::make_shared<std::atomic<bool>>(false);
};

}  // namespace

McpServer::McpServer(Registry registry, ServerOptions options)
    : registry_(std::move(registry)),
      options_(std::move(options)),
      tasks_(std::make_shared<Tasks>()) {
  if (options_.page_size == 0) options_.page_size = 1;
  if (options_.state_key.empty()) options_.state_key = randomStateKey();
}

asio::awaitable<json::object> McpServer::startTask(const Tool& tool, json::object arguments,
                                                   const Exchange& exchange,
                                                   json::object input_responses) {
  auto record = std::make_shared<Tasks::Record>();
  record->id = "task-" + randomStateKey().substr(0, 32);
  record->created_at = timestampNow();
  record->updated_at = record->created_at;
  auto context = std::make_shared<TaskCallContext>(tasks_, record, exchange.client_capabilities,
                                                   options_.client_request_timeout,
                                                   std::move(input_responses));
  auto executor = co_await asio::this_coro::executor;
  record->cancel = [executor, signal = context->signal(), flag = context->cancelledFlag()] {
    flag->store(true);
    asio::post(executor, [signal] { signal->emit(asio::cancellation_type::terminal); });
  };
  {
    std::lock_guard lock(tasks_->mutex);
    // Tasks are kept for their ttlMs (SEP-2663: never expired earlier), then dropped.
    auto now = std::chrono::steady_clock::now();
    auto ttl = std::chrono::milliseconds(options_.task_ttl_ms);
    std::erase_if(tasks_->records,
                  [now, ttl](const auto& entry) { return now - entry.second->created > ttl; });
    tasks_->records[record->id] = record;
  }

  // SEP-2663: CreateTaskResult only once tasks/get can find the task, which it now can.
  asio::co_spawn(
      executor,
      [tasks = tasks_, record, context, handler = tool.handler,
       arguments = std::move(arguments)]() -> asio::awaitable<void> {
        ToolResult outcome;
        std::optional<json::object> failure;
        try {
          outcome = co_await handler(arguments, *context);
        } catch (const std::exception& error) {
          failure =
              makeError(nullptr, ErrorCode::kInternalError, error.what()).at("error").as_object();
        }
        std::lock_guard lock(tasks->mutex);
        if (Tasks::terminal(*record)) co_return;
        record->updated_at = timestampNow();
        record->input_requests.clear();
        if (failure) {
          // A protocol-level failure; a tool that reported an error still "completed".
          record->status = "failed";
          record->error = std::move(failure);
          co_return;
        }
        record->status = "completed";
        record->result = toolResultToJson(std::move(outcome), std::string(kModernVersion));
      },
      asio::detached);

  json::object result;
  result["resultType"] = "task";
  result["taskId"] = record->id;
  result["status"] = "working";
  result["createdAt"] = record->created_at;
  result["lastUpdatedAt"] = record->updated_at;
  result["ttlMs"] = options_.task_ttl_ms;
  result["pollIntervalMs"] = options_.task_poll_interval_ms;
  co_return result;
}

std::optional<json::object> McpServer::taskMethod(const json::object& message,
                                                  const Exchange& exchange) {
  const auto& id = message.at("id");
  std::string_view method = message.at("method").get_string();
  if (!declaresTasks(exchange.client_capabilities)) {
    return makeError(id, ErrorCode::kMissingClientCapability,
                     std::string(method) + " needs the client capability extensions['" +
                         std::string(kTasksExtension) + "']",
                     tasksRequirement());
  }
  const auto* params = paramsOf(message);
  auto record = tasks_->find(stringAt(params, "taskId"));
  if (!record) return makeError(id, ErrorCode::kInvalidParams, "unknown taskId");

  json::object result;
  std::lock_guard lock(tasks_->mutex);
  if (method == "tasks/update") {
    if (const auto* responses = params->if_contains("inputResponses");
        responses != nullptr && responses->is_object()) {
      for (const auto& [key, value] : responses->get_object()) {
        // An answered request is no longer pending, even before the tool picks the answer up
        // (SEP-2663, partial fulfillment).
        if (record->input_requests.erase(key) == 0) continue;
        record->input_responses[key] = value;
      }
      if (record->input_requests.empty() && record->status == "input_required") {
        record->status = "working";
      }
      record->updated_at = timestampNow();
    }
  } else if (method == "tasks/cancel") {
    // Cancelling a finished task is acknowledged the same way (idempotent).
    if (!Tasks::terminal(*record)) {
      record->status = "cancelled";
      record->updated_at = timestampNow();
      record->input_requests.clear();
      if (record->cancel) record->cancel();
    }
  } else {
    result["taskId"] = record->id;
    result["status"] = record->status;
    result["createdAt"] = record->created_at;
    result["lastUpdatedAt"] = record->updated_at;
    result["ttlMs"] = options_.task_ttl_ms;
    result["pollIntervalMs"] = options_.task_poll_interval_ms;
    if (record->status == "completed" && record->result) result["result"] = *record->result;
    if (record->status == "failed" && record->error) result["error"] = *record->error;
    if (record->status == "input_required") result["inputRequests"] = record->input_requests;
  }
  return makeResult(id, finishResult(std::move(result), exchange, false));
}

std::string McpServer::signState(std::string_view payload) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), options_.state_key.data(), static_cast<int>(options_.state_key.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac.data(),
       &mac_size);
  std::string out(payload);
  out += '.';
  out += capstan::toHex(mac.data(), mac_size);
  return out;
}

std::optional<std::string> McpServer::verifyState(std::string_view state) const {
  auto dot = state.rfind('.');
  if (dot == std::string_view::npos) return std::nullopt;
  auto payload = state.substr(0, dot);
  auto expected = signState(payload);
  if (expected.size() != state.size() ||
      CRYPTO_memcmp(expected.data(), state.data(), state.size()) != 0) {
    return std::nullopt;
  }
  return std::string(payload);
}

json::object McpServer::inputRequiredResult(json::object requests, const std::string& state) const {
  json::object result;
  result["resultType"] = "input_required";
  result["inputRequests"] = std::move(requests);
  if (!state.empty()) result["requestState"] = signState(state);
  return result;
}

bool McpServer::knowsMethod(std::string_view method, Era era) const {
  static constexpr std::array<std::string_view, 9> kCommon = {
      "tools/list",     "tools/call",   "resources/list", "resources/templates/list",
      "resources/read", "prompts/list", "prompts/get",    "completion/complete",
      "server/discover"};
  for (auto known : kCommon) {
    if (known == method) return method != "server/discover" || era == Era::kModern;
  }
  if (era == Era::kModern) {
    return method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel";
  }
  return method == "initialize" || method == "ping" || method == "logging/setLevel" ||
         method == "resources/subscribe" || method == "resources/unsubscribe";
}

json::object McpServer::implementation() const {
  json::object info;
  info["name"] = options_.info.name;
  info["version"] = options_.info.version;
  putIfNotEmpty(info, "title", options_.info.title);
  return info;
}

json::object McpServer::serverCapabilities(Era era) const {
  // TODO(#6): tasks live in this process only (a tasks/get must reach the instance that created
  // the task), and capability tools never run as tasks.
  json::object capabilities;
  json::object tools;
  tools["listChanged"] = false;
  capabilities["tools"] = std::move(tools);
  capabilities["logging"] = json::object();
  // resources/list and prompts/list answer (empty) regardless, because clients call them
  // without looking at capabilities; only advertise what exists.
  if (!registry_.resources().empty() || !registry_.resourceTemplates().empty()) {
    json::object resources;
    // MCP 2026-07-28 removed resources/subscribe (subscriptions/listen replaces it, which
    // capstan does not offer).
    if (era == Era::kLegacy) resources["subscribe"] = true;
    resources["listChanged"] = false;
    capabilities["resources"] = std::move(resources);
  }
  if (!registry_.prompts().empty()) {
    json::object prompts;
    prompts["listChanged"] = false;
    capabilities["prompts"] = std::move(prompts);
  }
  if (registry_.hasCompleter()) capabilities["completions"] = json::object();
  bool task_tools =
      std::any_of(registry_.tools().begin(), registry_.tools().end(),
                  [](const Tool& tool) { return tool.task_support != TaskSupport::kForbidden; });
  if (era == Era::kModern && task_tools) {
    json::object extensions;
    extensions[kTasksExtension] = json::object();
    capabilities["extensions"] = std::move(extensions);
  }
  return capabilities;
}

json::object McpServer::finishResult(json::object result, const Exchange& exchange,
                                     bool cacheable) const {
  if (exchange.era != Era::kModern) return result;
  // MCP 2026-07-28: every result says what it is and who produced it; list and read results
  // carry caching hints (CacheableResult).
  if (!result.contains("resultType")) result["resultType"] = "complete";
  json::object meta;
  if (const auto* existing = result.if_contains("_meta"); existing && existing->is_object()) {
    meta = existing->get_object();
  }
  meta[kMetaServerInfo] = implementation();
  result["_meta"] = std::move(meta);
  if (cacheable) {
    result["ttlMs"] = options_.list_ttl_ms;
    result["cacheScope"] = "public";
  }
  return result;
}

asio::awaitable<std::optional<json::object>> McpServer::handle(const json::object& message,
                                                               Exchange& exchange) {
  std::string_view method = message.at("method").get_string();
  if (!message.contains("id")) {
    if (method == "notifications/cancelled") cancel(message, exchange);
    // notifications/initialized, roots/list_changed, progress: nothing to do for a gateway.
    co_return std::nullopt;
  }

  const auto& id = message.at("id");
  if (!knowsMethod(method, exchange.era)) {
    // The name is echoed only in part: it is the client's text, of any length.
    constexpr std::size_t kEchoed = 100;
    co_return makeError(id, ErrorCode::kMethodNotFound,
                        "method not found: " + std::string(method.substr(0, kEchoed)) +
                            (method.size() > kEchoed ? "..." : ""));
  }
  if (const auto* params = message.if_contains("params");
      params != nullptr && !params->is_object() && !params->is_null()) {
    co_return makeError(id, ErrorCode::kInvalidParams, "params must be an object");
  }

  std::optional<json::object> error;
  json::object result;
  bool cacheable = false;
  if (method == "initialize") {
    co_return initialize(message, exchange);
  } else if (method == "ping") {
    // result stays {}
  } else if (method == "logging/setLevel") {
    if (auto failure = setLevel(message, exchange)) co_return failure;
  } else if (method == "server/discover") {
    result = discover();
    cacheable = true;
  } else if (method == "tools/list") {
    result = listTools(message, exchange, error);
    cacheable = true;
  } else if (method == "tools/call") {
    co_return co_await callTool(message, exchange);
  } else if (method == "resources/list") {
    result = listResources(message, error);
    cacheable = true;
  } else if (method == "resources/templates/list") {
    result = listResourceTemplates(message, error);
    cacheable = true;
  } else if (method == "resources/read") {
    result = readResource(message, exchange, error);
    cacheable = true;
  } else if (method == "resources/subscribe" || method == "resources/unsubscribe") {
    // Resources never change while capstan runs, so a subscription has nothing to deliver.
  } else if (method == "prompts/list") {
    result = listPrompts(message, error);
    cacheable = true;
  } else if (method == "prompts/get") {
    result = getPrompt(message, exchange, error);
  } else if (method == "completion/complete") {
    result = complete(message, error);
  } else if (method.starts_with("tasks/")) {
    co_return taskMethod(message, exchange);
  }
  if (error) co_return error;
  co_return makeResult(id, finishResult(std::move(result), exchange, cacheable));
}

std::optional<json::object> McpServer::initialize(const json::object& message, Exchange& exchange) {
  const auto& id = message.at("id");
  const auto* params = paramsOf(message);
  auto requested = stringAt(params, "protocolVersion");
  if (params == nullptr || requested.empty()) {
    return makeError(id, ErrorCode::kInvalidParams, "initialize needs params.protocolVersion");
  }
  auto version = negotiateVersion(requested);
  if (exchange.session) {
    exchange.session->setProtocolVersion(version);
    if (const auto* capabilities = params->if_contains("capabilities");
        capabilities != nullptr && capabilities->is_object()) {
      exchange.session->setClientCapabilities(capabilities->get_object());
    }
  }
  exchange.protocol_version = version;

  json::object result;
  result["protocolVersion"] = version;
  result["capabilities"] = serverCapabilities(Era::kLegacy);
  result["serverInfo"] = implementation();
  putIfNotEmpty(result, "instructions", options_.info.instructions);
  return makeResult(id, std::move(result));
}

json::object McpServer::discover() const {
  json::object result;
  result["supportedVersions"] = supportedVersionList();
  result["capabilities"] = serverCapabilities(Era::kModern);
  putIfNotEmpty(result, "instructions", options_.info.instructions);
  return result;
}

std::optional<json::object> McpServer::setLevel(const json::object& message, Exchange& exchange) {
  auto level = parseLogLevel(stringAt(paramsOf(message), "level"));
  if (!level) {
    return makeError(message.at("id"), ErrorCode::kInvalidParams,
                     "params.level must be one of debug, info, notice, warning, error, critical, "
                     "alert, emergency");
  }
  if (exchange.session) exchange.session->setLogLevel(*level);
  exchange.log_level = level;
  return std::nullopt;
}

json::object McpServer::listTools(const json::object& message, Exchange& exchange,
                                  std::optional<json::object>& error) const {
  json::object result;
  std::size_t begin = 0;
  std::size_t end = 0;
  const auto& tools = registry_.tools();
  if (!pageRange(message, tools.size(), options_.page_size, begin, end, result, error)) return {};
  json::array list;
  for (std::size_t i = begin; i < end; ++i) {
    list.emplace_back(toolToJson(tools[i], exchange.protocol_version));
  }
  result["tools"] = std::move(list);
  return result;
}

asio::awaitable<std::optional<json::object>> McpServer::callTool(const json::object& message,
                                                                 Exchange& exchange) {
  const auto& id = message.at("id");
  const auto* params = paramsOf(message);
  auto name = stringAt(params, "name");
  if (name.empty()) co_return makeError(id, ErrorCode::kInvalidParams, "params.name is required");
  const Tool* tool = registry_.findTool(name);
  // MCP tools page: an unknown tool is a protocol error, not a tool result.
  if (tool == nullptr) {
    co_return makeError(id, ErrorCode::kInvalidParams, "unknown tool: " + std::string(name));
  }
  json::object arguments;
  if (const auto* given = params->if_contains("arguments"); given != nullptr && !given->is_null()) {
    if (!given->is_object()) {
      co_return makeError(id, ErrorCode::kInvalidParams, "params.arguments must be an object");
    }
    arguments = given->get_object();
  }

  // MCP 2025-11-25 (SEP-1303): bad arguments are a tool result the model can act on.
  if (tool->validate_arguments) {
    auto check = checkArguments(tool->input_schema, arguments);
    if (!check.error.empty()) {
      co_return makeResult(
          id, finishResult(toolResultToJson(ToolResult::error("Invalid arguments for tool " +
                                                              tool->name + ": " + check.error),
                                            exchange.protocol_version),
                           exchange, false));
    }
    arguments = std::move(check.arguments);
  }

  // MCP 2026-07-28: a request needing a capability the client did not declare is refused.
  if (exchange.era == Era::kModern) {
    auto missing = missingCapabilities(*tool, exchange.client_capabilities);
    if (!missing.empty()) {
      json::object required;
      for (const auto& capability : missing) required[capability] = json::object();
      json::object data;
      data["requiredCapabilities"] = std::move(required);
      co_return makeError(
          id, ErrorCode::kMissingClientCapability,
          "tool " + tool->name + " needs the client capability '" + missing.front() + "'",
          json::value(std::move(data)));
    }
  }
  if (exchange.era == Era::kModern && tool->task_support != TaskSupport::kForbidden) {
    bool declared = declaresTasks(exchange.client_capabilities);
    if (!declared && tool->task_support == TaskSupport::kRequired) {
      co_return makeError(id, ErrorCode::kMissingClientCapability,
                          "tool " + tool->name + " runs only as a task", tasksRequirement());
    }
    // SEP-2663: the server decides; a client that speaks the extension gets a task.
    if (declared) {
      json::object gathered;
      if (const auto* given = params->if_contains("inputResponses"); given && given->is_object()) {
        gathered = given->get_object();
      }
      if (tool->input_before_task) {
        auto requests = tool->input_before_task(gathered.empty() ? nullptr : &gathered);
        if (!requests.empty()) {
          co_return makeResult(
              id, finishResult(inputRequiredResult(std::move(requests), {}), exchange, false));
        }
      }
      auto created = co_await startTask(*tool, std::move(arguments), exchange, std::move(gathered));
      co_return makeResult(id, finishResult(std::move(created), exchange, false));
    }
  }
  const json::object* input_responses = nullptr;
  std::string request_state;
  if (exchange.era == Era::kModern) {
    if (const auto* given = params->if_contains("inputResponses"); given && given->is_object()) {
      input_responses = &given->get_object();
    }
    if (auto state = stringAt(params, "requestState"); !state.empty()) {
      auto verified = verifyState(state);
      // SEP-2322: the state round-trips through the client, so it is checked, not trusted.
      if (!verified) {
        co_return makeError(id, ErrorCode::kInvalidParams,
                            "requestState failed its integrity check");
      }
      request_state = std::move(*verified);
    }
  }

  std::optional<json::value> progress_token;
  if (const auto* meta = metaOf(message)) {
    if (const auto* token = meta->if_contains("progressToken")) progress_token = *token;
  }
  std::optional<LogLevel> log_level = exchange.log_level;
  if (exchange.era == Era::kLegacy) {
    // Before logging/setLevel the server picks; info and above keeps debug chatter out.
    log_level = exchange.session && exchange.session->logLevel() ? exchange.session->logLevel()
                                                                 : std::optional(LogLevel::kInfo);
  }
  CallContext context(exchange, progress_token, log_level, options_.client_request_timeout,
                      input_responses, std::move(request_state));

  auto executor = co_await asio::this_coro::executor;
  auto signal = std::make_shared<asio::cancellation_signal>();
  auto key = requestKey(id);
  auto cancelled = context.cancelledFlag();
  if (exchange.session) {
    exchange.session->addInFlight(key, [executor, signal, cancelled, user = context.signal()] {
      cancelled->store(true);
      asio::post(executor, [signal, user] {
        user->emit(asio::cancellation_type::terminal);
        signal->emit(asio::cancellation_type::terminal);
      });
    });
  }

  ToolResult outcome;
  try {
    outcome =
        co_await asio::co_spawn(executor, tool->handler(arguments, context),
                                asio::bind_cancellation_slot(signal->slot(), asio::use_awaitable));
  } catch (const std::exception& failure) {
    outcome = ToolResult::error(cancelled->load() ? "cancelled"
                                                  : std::string("tool failed: ") + failure.what());
  }
  if (exchange.session) exchange.session->removeInFlight(key);
  // MCP cancellation: the receiver of notifications/cancelled sends no response.
  if (cancelled->load()) co_return std::nullopt;
  if (outcome.input_requests) {
    if (exchange.era == Era::kModern) {
      co_return makeResult(id, finishResult(inputRequiredResult(std::move(*outcome.input_requests),
                                                                outcome.request_state),
                                            exchange, false));
    }
    outcome = ToolResult::error("tool " + tool->name + " needs input from the client, which " +
                                "revision " + exchange.protocol_version + " cannot ask for");
  }
  co_return makeResult(
      id, finishResult(toolResultToJson(std::move(outcome), exchange.protocol_version), exchange,
                       false));
}

json::object McpServer::listResources(const json::object& message,
                                      std::optional<json::object>& error) const {
  json::object result;
  std::size_t begin = 0;
  std::size_t end = 0;
  const auto& resources = registry_.resources();
  if (!pageRange(message, resources.size(), options_.page_size, begin, end, result, error)) {
    return {};
  }
  json::array list;
  for (std::size_t i = begin; i < end; ++i) {
    const auto& resource = resources[i];
    json::object item;
    item["uri"] = resource.uri;
    item["name"] = resource.name;
    putIfNotEmpty(item, "title", resource.title);
    putIfNotEmpty(item, "description", resource.description);
    putIfNotEmpty(item, "mimeType", resource.mime_type);
    list.emplace_back(std::move(item));
  }
  result["resources"] = std::move(list);
  return result;
}

json::object McpServer::listResourceTemplates(const json::object& message,
                                              std::optional<json::object>& error) const {
  json::object result;
  std::size_t begin = 0;
  std::size_t end = 0;
  const auto& templates = registry_.resourceTemplates();
  if (!pageRange(message, templates.size(), options_.page_size, begin, end, result, error)) {
    return {};
  }
  json::array list;
  for (std::size_t i = begin; i < end; ++i) {
    const auto& entry = templates[i];
    json::object item;
    item["uriTemplate"] = entry.uri_template;
    item["name"] = entry.name;
    putIfNotEmpty(item, "title", entry.title);
    putIfNotEmpty(item, "description", entry.description);
    putIfNotEmpty(item, "mimeType", entry.mime_type);
    list.emplace_back(std::move(item));
  }
  result["resourceTemplates"] = std::move(list);
  return result;
}

json::object McpServer::readResource(const json::object& message, Exchange& exchange,
                                     std::optional<json::object>& error) const {
  const auto& id = message.at("id");
  std::string uri(stringAt(paramsOf(message), "uri"));
  if (uri.empty()) {
    error = makeError(id, ErrorCode::kInvalidParams, "params.uri is required");
    return {};
  }
  for (const auto& resource : registry_.resources()) {
    if (resource.uri != uri || !resource.read) continue;
    if (auto contents = resource.read(uri)) return contentsToJson(*contents);
  }
  for (const auto& entry : registry_.resourceTemplates()) {
    if (!entry.read || !matchesUriTemplate(entry.uri_template, uri)) continue;
    if (auto contents = entry.read(uri)) return contentsToJson(*contents);
  }
  json::object data;
  data["uri"] = uri;
  // MCP resources page: -32002 up to 2025-11-25; 2026-07-28 folds it into -32602.
  auto code =
      exchange.era == Era::kModern ? ErrorCode::kInvalidParams : ErrorCode::kResourceNotFound;
  error = makeError(id, code, "resource not found: " + uri, json::value(std::move(data)));
  return {};
}

json::object McpServer::listPrompts(const json::object& message,
                                    std::optional<json::object>& error) const {
  json::object result;
  std::size_t begin = 0;
  std::size_t end = 0;
  const auto& prompts = registry_.prompts();
  if (!pageRange(message, prompts.size(), options_.page_size, begin, end, result, error)) return {};
  json::array list;
  for (std::size_t i = begin; i < end; ++i) {
    const auto& prompt = prompts[i];
    json::object item;
    item["name"] = prompt.name;
    putIfNotEmpty(item, "title", prompt.title);
    putIfNotEmpty(item, "description", prompt.description);
    if (!prompt.arguments.empty()) {
      json::array arguments;
      for (const auto& argument : prompt.arguments) {
        json::object entry;
        entry["name"] = argument.name;
        putIfNotEmpty(entry, "description", argument.description);
        entry["required"] = argument.required;
        arguments.emplace_back(std::move(entry));
      }
      item["arguments"] = std::move(arguments);
    }
    list.emplace_back(std::move(item));
  }
  result["prompts"] = std::move(list);
  return result;
}

json::object McpServer::getPrompt(const json::object& message, const Exchange& exchange,
                                  std::optional<json::object>& error) const {
  const auto& id = message.at("id");
  const auto* params = paramsOf(message);
  auto name = stringAt(params, "name");
  const Prompt* prompt = registry_.findPrompt(name);
  if (prompt == nullptr) {
    error = makeError(id, ErrorCode::kInvalidParams, "unknown prompt: " + std::string(name));
    return {};
  }
  std::map<std::string, std::string> arguments;
  if (const auto* given = params->if_contains("arguments");
      given != nullptr && given->is_object()) {
    for (const auto& [key, value] : given->get_object()) {
      arguments[std::string(key)] =
          value.is_string() ? std::string(value.get_string()) : capstan::toJsonText(value);
    }
  }
  for (const auto& argument : prompt->arguments) {
    if (argument.required && arguments.count(argument.name) == 0) {
      error = makeError(id, ErrorCode::kInvalidParams,
                        "missing required prompt argument '" + argument.name + "'");
      return {};
    }
  }
  if (prompt->input_requests && exchange.era == Era::kModern) {
    const json::object* responses = nullptr;
    if (const auto* given = params->if_contains("inputResponses"); given && given->is_object()) {
      responses = &given->get_object();
    }
    auto requests = prompt->input_requests(responses);
    if (!requests.empty()) return inputRequiredResult(std::move(requests), {});
  }
  json::object result;
  putIfNotEmpty(result, "description", prompt->description);
  result["messages"] = prompt->render ? prompt->render(arguments) : json::array();
  return result;
}

json::object McpServer::complete(const json::object& message,
                                 std::optional<json::object>& error) const {
  const auto* params = paramsOf(message);
  const json::object* ref = nullptr;
  const json::object* argument = nullptr;
  if (params != nullptr) {
    if (const auto* found = params->if_contains("ref")) ref = found->if_object();
    if (const auto* found = params->if_contains("argument")) argument = found->if_object();
  }
  if (ref == nullptr || argument == nullptr) {
    error = makeError(message.at("id"), ErrorCode::kInvalidParams,
                      "completion/complete needs params.ref and params.argument");
    return {};
  }
  auto values = registry_.complete(*ref, std::string(stringAt(argument, "name")),
                                   std::string(stringAt(argument, "value")));
  json::object completion;
  completion["total"] = values.size();
  completion["hasMore"] = false;
  completion["values"] = std::move(values);
  json::object result;
  result["completion"] = std::move(completion);
  return result;
}

void McpServer::cancel(const json::object& message, Exchange& exchange) {
  const auto* params = paramsOf(message);
  if (params == nullptr || !exchange.session) return;
  const auto* request_id = params->if_contains("requestId");
  if (request_id == nullptr) return;
  // Unknown or finished ids are ignored (MCP cancellation: race conditions).
  exchange.session->cancelInFlight(requestKey(*request_id));
}

void McpServer::acceptClientResponse(const json::object& message, Exchange& exchange) {
  if (!exchange.session) return;
  exchange.session->completePending(requestKey(message.at("id")), json::value(message));
}

}  // namespace capstan::mcp
