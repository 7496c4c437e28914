#include "mcp/http_adapter.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <mutex>
#include <unordered_map>

#include "support/json_text.hpp"

namespace capstan::mcp {

namespace http = net::http;

namespace {

std::string lowerCase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool isLoopbackName(std::string_view host) {
  auto lower = lowerCase(host);
  return lower == "localhost" || lower == "127.0.0.1" || lower == "[::1]" || lower == "::1";
}

// "example.com:8080" -> "example.com"; "[::1]:80" -> "[::1]".
std::string hostName(std::string_view authority) {
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    return std::string(
        authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1));
  }
  auto colon = authority.rfind(':');
  return std::string(colon == std::string_view::npos ? authority : authority.substr(0, colon));
}

net::Response jsonResponse(http::status status, const json::value& body) {
  return net::makeResponse(status, capstan::toJsonText(body), "application/json");
}

net::Response rpcFailure(http::status status, ErrorCode code, std::string_view message,
                         std::optional<json::value> data = std::nullopt) {
  return jsonResponse(status, makeError(nullptr, code, message, std::move(data)));
}

net::Response emptyResponse(http::status status) {
  net::Response response{status, 11};
  return response;
}

// Media-type matching for Accept (RFC 9110 §12.5.1), lenient about parameters and q=0 ignored.
struct Acceptable {
  bool json = false;
  bool sse = false;
};

Acceptable parseAccept(std::string_view header) {
  Acceptable out;
  if (header.empty()) return {true, true};
  std::size_t start = 0;
  while (start <= header.size()) {
    auto comma = header.find(',', start);
    auto item = header.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    auto semicolon = item.find(';');
    auto type = lowerCase(item.substr(0, semicolon));
    type.erase(
        std::remove_if(type.begin(), type.end(), [](char c) { return c == ' ' || c == '\t'; }),
        type.end());
    bool refused = semicolon != std::string_view::npos &&
                   lowerCase(item.substr(semicolon)).find("q=0") != std::string::npos &&
                   lowerCase(item.substr(semicolon)).find("q=0.") == std::string::npos;
    if (!refused) {
      if (type == "*/*") out = {true, true};
      if (type == "application/*" || type == "application/json") out.json = true;
      if (type == "text/*" || type == "text/event-stream") out.sse = true;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

bool isJsonContentType(std::string_view header) {
  auto type = lowerCase(header.substr(0, header.find(';')));
  type.erase(std::remove(type.begin(), type.end(), ' '), type.end());
  return type == "application/json";
}

void appendSseEvent(std::string& body, const json::value& message) {
  body += "event: message\ndata: ";
  capstan::appendJsonText(body, message);
  body += "\n\n";
}

// Decodes the `=?base64?...?=` sentinel MCP 2026-07-28 uses for non-ASCII header values.
std::string decodeHeaderValue(std::string_view value) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  if (!value.starts_with(kPrefix) || !value.ends_with(kSuffix)) return std::string(value);
  auto encoded = value.substr(kPrefix.size(), value.size() - kPrefix.size() - kSuffix.size());
  std::string out;
  int bits = -8;
  unsigned accumulator = 0;
  for (char c : encoded) {
    int digit = -1;
    if (c >= 'A' && c <= 'Z') digit = c - 'A';
    if (c >= 'a' && c <= 'z') digit = c - 'a' + 26;
    if (c >= '0' && c <= '9') digit = c - '0' + 52;
    if (c == '+' || c == '-') digit = 62;
    if (c == '/' || c == '_') digit = 63;
    if (digit < 0) continue;
    accumulator = (accumulator << 6) | static_cast<unsigned>(digit);
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((accumulator >> bits) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

// How long one SSE response of a resumable stream stays open waiting for something to deliver
// before it closes with `retry:` and lets the client poll again (MCP 2025-11-25, SSE polling).
constexpr std::chrono::seconds kPollWindow{25};
// What the client is told to wait before reconnecting with Last-Event-ID.
constexpr int kRetryMilliseconds = 100;
// Resumable streams nobody came back for are dropped after this long.
constexpr std::chrono::minutes kStreamLifetime{10};

// The events of one POST whose SSE stream outlives its HTTP response: a tool call that asks the
// client something (sampling, elicitation) while it runs. The POST answers with everything up to
// that request and closes; the client answers the request in a new POST and fetches the rest
// with GET + Last-Event-ID (MCP 2025-11-25, transports: resumability and redelivery). Event ids
// are "<stream>:<n>", so they name the stream they belong to. All state is touched on `strand`.
struct ResumableStream {
  explicit ResumableStream(const asio::any_io_executor& executor)
      : strand(asio::make_strand(executor)) {}

  asio::strand<asio::any_io_executor> strand;
  std::string id;
  std::string session_id;
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
  std::vector<json::value> events;  // event n (from 1) is events[n - 1]
  std::size_t last_client_request = 0;
  bool done = false;
  bool responded = false;  // done, and the last event is the response
  std::vector<std::shared_ptr<asio::steady_timer>> waiters;
};

struct StreamSlice {
  std::vector<json::value> events;
  std::size_t first = 1;  // the event number of events[0]
  bool done = false;
  bool responded = false;
  bool asked_client = false;
};

// Appends `message` (when set) and wakes whoever waits for the stream; `finished` marks the
// handler's end, `message` then being its response. Safe from any thread.
void pushStreamEvent(const std::shared_ptr<ResumableStream>& stream,
                     std::optional<json::object> message, bool finished) {
  asio::post(stream->strand, [stream, message = std::move(message), finished]() mutable {
    if (message) {
      bool request = message->contains("method") && message->contains("id");
      stream->events.emplace_back(std::move(*message));
      if (request) stream->last_client_request = stream->events.size();
    }
    if (finished) {
      stream->done = true;
      stream->responded = message.has_value();
    }
    for (auto& waiter : stream->waiters) waiter->cancel();
    stream->waiters.clear();
  });
}

// Runs on the stream's strand: waits until the handler finished or asked the client something
// after event `after`, or until `deadline`, then returns the events after `after`.
asio::awaitable<StreamSlice> collectStream(std::shared_ptr<ResumableStream> stream,
                                           std::size_t after,
                                           std::chrono::steady_clock::time_point deadline) {
  while (!stream->done && stream->last_client_request <= after &&
         std::chrono::steady_clock::now() < deadline) {
    auto timer = std::make_shared<asio::steady_timer>(stream->strand, deadline);
    stream->waiters.push_back(timer);
    co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
  }
  StreamSlice slice;
  slice.first = after + 1;
  slice.done = stream->done;
  slice.responded = stream->responded;
  slice.asked_client = stream->last_client_request > 0;
  for (std::size_t i = after; i < stream->events.size(); ++i) {
    slice.events.push_back(stream->events[i]);
  }
  co_return slice;
}

// An SSE body for `slice`: a priming event carrying the position (so that the client can resume
// even when nothing new came), the events with their ids, and `retry:` when the stream closes
// before the response.
std::string resumableBody(const ResumableStream& stream, const StreamSlice& slice) {
  std::string body = "id: " + stream.id + ":" + std::to_string(slice.first - 1) + "\n";
  if (!slice.done) body += "retry: " + std::to_string(kRetryMilliseconds) + "\n";
  body += "data: \n\n";
  for (std::size_t i = 0; i < slice.events.size(); ++i) {
    body += "id: " + stream.id + ":" + std::to_string(slice.first + i) + "\nevent: message\ndata: ";
    capstan::appendJsonText(body, slice.events[i]);
    body += "\n\n";
  }
  return body;
}

net::Response sseResponse(std::string body) {
  auto response = net::makeResponse(http::status::ok, std::move(body), "text/event-stream");
  response.set(http::field::cache_control, "no-cache");
  response.set("X-Accel-Buffering", "no");
  return response;
}

// Strict RFC 4648 §4 base64: the standard alphabet, padding to a multiple of four. Anything
// else is refused, as MCP 2026-07-28 requires for `=?base64?...?=` parameter headers (SEP-2243).
std::optional<std::string> decodeBase64Strict(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  unsigned accumulator = 0;
  int bits = 0;
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '=') {
      // Padding only at the end, at most two characters.
      if (i + 2 < text.size() || ++padding > 2) return std::nullopt;
      continue;
    }
    if (padding > 0) return std::nullopt;
    int digit = -1;
    if (c >= 'A' && c <= 'Z') digit = c - 'A';
    if (c >= 'a' && c <= 'z') digit = c - 'a' + 26;
    if (c >= '0' && c <= '9') digit = c - '0' + 52;
    if (c == '+') digit = 62;
    if (c == '/') digit = 63;
    if (digit < 0) return std::nullopt;
    accumulator = (accumulator << 6) | static_cast<unsigned>(digit);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((accumulator >> bits) & 0xff));
    }
  }
  return out;
}

// An `Mcp-Param-*` header's value: literal, or decoded when it has the whole base64 sentinel.
std::optional<std::string> parameterHeaderValue(std::string_view raw) {
  constexpr std::string_view kPrefix = "=?base64?";
  constexpr std::string_view kSuffix = "?=";
  if (raw.size() < kPrefix.size() + kSuffix.size() || !raw.starts_with(kPrefix) ||
      !raw.ends_with(kSuffix)) {
    return std::string(raw);
  }
  return decodeBase64Strict(
      raw.substr(kPrefix.size(), raw.size() - kPrefix.size() - kSuffix.size()));
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

struct McpHttpAdapter::Impl : std::enable_shared_from_this<McpHttpAdapter::Impl> {
  Impl(asio::any_io_executor executor_in, std::shared_ptr<McpServer> server_in,
       HttpOptions options_in)
      : executor(std::move(executor_in)),
        server(std::move(server_in)),
        options(std::move(options_in)),
        sessions(options.sessions) {}

  asio::any_io_executor executor;
  std::shared_ptr<McpServer> server;
  HttpOptions options;
  SessionStore sessions;
  std::unique_ptr<net::HttpServer> http;
  bool loopback_only = true;

  std::mutex streams_mutex;
  std::unordered_map<std::string, std::shared_ptr<ResumableStream>> streams;
  std::atomic<std::uint64_t> next_stream{1};

  void registerStream(const std::shared_ptr<ResumableStream>& stream) {
    auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(streams_mutex);
    std::erase_if(streams, [now](const auto& entry) {
      return now - entry.second->created > kStreamLifetime;
    });
    streams[stream->id] = stream;
  }

  void dropStream(const std::string& id) {
    std::lock_guard lock(streams_mutex);
    streams.erase(id);
  }

  void dropStreamsOf(std::string_view session_id) {
    std::lock_guard lock(streams_mutex);
    std::erase_if(streams, [session_id](const auto& entry) {
      return entry.second->session_id == session_id;
    });
  }

  // The stream a Last-Event-ID ("<stream>:<n>") resumes, when it belongs to `session_id`.
  std::shared_ptr<ResumableStream> findStream(std::string_view last_event_id,
                                              std::string_view session_id, std::size_t& after) {
    auto colon = last_event_id.rfind(':');
    if (colon == std::string_view::npos) return nullptr;
    auto digits = last_event_id.substr(colon + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), after);
    if (error != std::errc() || end != digits.data() + digits.size()) return nullptr;
    std::lock_guard lock(streams_mutex);
    auto found = streams.find(std::string(last_event_id.substr(0, colon)));
    if (found == streams.end() || found->second->session_id != session_id) return nullptr;
    return found->second;
  }

  // MCP transports, security warning: validate Origin (403 when present and foreign) and guard
  // against DNS rebinding by checking Host when serving loopback only.
  bool originAllowed(const net::Request& request) const {
    auto host_header = std::string(request[http::field::host]);
    if (loopback_only || !options.allowed_hosts.empty()) {
      auto name = hostName(host_header);
      bool host_ok = isLoopbackName(name) ||
                     std::find(options.allowed_hosts.begin(), options.allowed_hosts.end(),
                               lowerCase(name)) != options.allowed_hosts.end();
      if (!host_ok) return false;
    }
    auto origin = request[http::field::origin];
    if (origin.empty()) return true;
    if (std::find(options.allowed_origins.begin(), options.allowed_origins.end(), origin) !=
        options.allowed_origins.end()) {
      return true;
    }
    // RFC 6454 §7: an Origin is `scheme "://" host [":" port]`. The authority is cut out by hand:
    // a URL parser that reads "127.0.0.1.evil.com" as the IPv4 literal 127.0.0.1 would let a
    // foreign site pass for loopback.
    auto scheme_end = origin.find("://");
    if (scheme_end == std::string_view::npos) return false;
    std::string origin_host = lowerCase(origin.substr(scheme_end + 3));
    if (origin_host.empty() || origin_host.find_first_of("/?#@") != std::string::npos) return false;
    if (isLoopbackName(hostName(origin_host))) return true;
    // Same origin as the Host the client reached us by.
    return origin_host == lowerCase(host_header);
  }

  bool authorized(const net::Request& request) const {
    if (!options.auth) return true;
    const auto& auth = *options.auth;
    if (auth.type == "bearer") {
      auto header = request[http::field::authorization];
      constexpr std::string_view kScheme = "bearer ";
      if (header.size() <= kScheme.size() ||
          lowerCase(header.substr(0, kScheme.size())) != kScheme) {
        return false;
      }
      return constantTimeEquals(header.substr(kScheme.size()), auth.secret);
    }
    if (auth.type == "apikey") {
      if (auth.placement == "query") {
        auto url = boost::urls::parse_origin_form(request.target());
        if (!url) return false;
        auto params = url->params();
        auto found = params.find(auth.key_name);
        return found != params.end() && constantTimeEquals((*found).value, auth.secret);
      }
      return constantTimeEquals(request[auth.key_name], auth.secret);
    }
    // Unknown schemes fail closed.
    return false;
  }

  asio::awaitable<net::Response> handle(net::Request& request, net::RequestContext& context) {
    auto target = request.target();
    auto path = target.substr(0, target.find('?'));
    if (path != "/mcp" && path != "/") {
      co_return net::makeResponse(http::status::not_found, R"({"error":"not found"})",
                                  "application/json");
    }
    if (!originAllowed(request)) {
      spdlog::debug("mcp request {}: refused origin '{}' host '{}'", context.request_id,
                    std::string(request[http::field::origin]),
                    std::string(request[http::field::host]));
      co_return rpcFailure(http::status::forbidden, ErrorCode::kServerError,
                           "Forbidden: origin or host not allowed");
    }
    if (!authorized(request)) {
      auto response = rpcFailure(http::status::unauthorized, ErrorCode::kServerError,
                                 "Unauthorized: missing or invalid credentials");
      if (options.auth && options.auth->type == "bearer") {
        response.set(http::field::www_authenticate, "Bearer");
      }
      co_return response;
    }

    net::Response response;
    switch (request.method()) {
      case http::verb::post:
        response = co_await handlePost(request, context);
        break;
      case http::verb::delete_:
        response = handleDelete(request);
        break;
      case http::verb::get:
        response = co_await handleGet(request);
        break;
      default:
        response = rpcFailure(http::status::method_not_allowed, ErrorCode::kServerError,
                              "Method Not Allowed");
        response.set(http::field::allow, "GET, POST, DELETE");
        break;
    }
    co_return response;
  }

  // GET either resumes a stream (Last-Event-ID) or is refused: capstan has nothing unsolicited
  // to say, and 405 is the answer clients expect for that (MCP transports: listening for
  // messages from the server).
  asio::awaitable<net::Response> handleGet(const net::Request& request) {
    auto last_event_id = request["Last-Event-ID"];
    auto session_header = request["Mcp-Session-Id"];
    std::shared_ptr<ResumableStream> stream;
    std::size_t after = 0;
    if (!last_event_id.empty() && !session_header.empty()) {
      if (!sessions.find(session_header)) {
        co_return rpcFailure(http::status::not_found, ErrorCode::kServerError, "Session not found");
      }
      stream = findStream(last_event_id, session_header, after);
    }
    if (!stream) {
      auto response = rpcFailure(http::status::method_not_allowed, ErrorCode::kServerError,
                                 "Method Not Allowed: no server-initiated stream");
      response.set(http::field::allow, "POST, DELETE");
      co_return response;
    }
    auto slice = co_await asio::co_spawn(
        stream->strand,
        collectStream(stream, after, std::chrono::steady_clock::now() + kPollWindow),
        asio::use_awaitable);
    if (slice.done) dropStream(stream->id);
    auto response = sseResponse(resumableBody(*stream, slice));
    response.set("Mcp-Session-Id", session_header);
    co_return response;
  }

  net::Response handleDelete(const net::Request& request) {
    auto id = request["Mcp-Session-Id"];
    if (id.empty()) {
      return rpcFailure(http::status::bad_request, ErrorCode::kServerError,
                        "Bad Request: Mcp-Session-Id header is required");
    }
    if (!sessions.remove(id)) {
      return rpcFailure(http::status::not_found, ErrorCode::kServerError, "Session not found");
    }
    dropStreamsOf(id);
    return emptyResponse(http::status::ok);
  }

  asio::awaitable<net::Response> handlePost(net::Request& request, net::RequestContext& context) {
    if (!isJsonContentType(request[http::field::content_type])) {
      co_return rpcFailure(http::status::unsupported_media_type, ErrorCode::kServerError,
                           "Unsupported Media Type: Content-Type must be application/json");
    }
    auto accept = parseAccept(request[http::field::accept]);
    if (!accept.json && !accept.sse) {
      co_return rpcFailure(http::status::not_acceptable, ErrorCode::kServerError,
                           "Not Acceptable: accept application/json or text/event-stream");
    }

    boost::system::error_code parse_error;
    json::value body = json::parse(request.body(), parse_error);
    if (parse_error) {
      co_return rpcFailure(http::status::bad_request, ErrorCode::kParseError,
                           "Parse error: " + parse_error.message());
    }

    if (body.is_object()) context.operation = operationLabel(body.get_object());

    auto session_header = request["Mcp-Session-Id"];
    if (body.is_object() && session_header.empty() && isModernRequest(request, body.get_object())) {
      co_return co_await handleModern(request, body.get_object(), accept, context);
    }
    co_return co_await handleLegacy(request, body, accept, context);
  }

  // The metric label of a message: the tool for a call of a known tool, else the method when the
  // server knows it. Names a client made up stay out of the labels (bounded cardinality).
  std::string operationLabel(const json::object& message) const {
    const auto* method = message.if_contains("method");
    if (method == nullptr || !method->is_string()) return {};
    std::string_view name = method->get_string();
    if (name == "tools/call") {
      const auto* params = message.if_contains("params");
      const auto* tool =
          params && params->is_object() ? params->get_object().if_contains("name") : nullptr;
      if (tool && tool->is_string() && server->registry().findTool(tool->get_string())) {
        return std::string(tool->get_string());
      }
    }
    if (server->knowsMethod(name, Era::kLegacy) || server->knowsMethod(name, Era::kModern)) {
      return std::string(name);
    }
    return "unknown";
  }

  // MCP 2026-07-28, dual-era servers: a request is stateless when it says so, by the version
  // header or its _meta. An initialize that says neither starts a legacy session.
  static bool isModernRequest(const net::Request& request, const json::object& message) {
    if (request["MCP-Protocol-Version"] == kModernVersion) return true;
    if (!stringAt(metaOf(message), kMetaProtocolVersion).empty()) {
      const auto* method = message.if_contains("method");
      return method == nullptr || !method->is_string() || method->get_string() != "initialize";
    }
    const auto* method = message.if_contains("method");
    return method != nullptr && method->is_string() && method->get_string() == "server/discover";
  }

  // Serves a message under MCP 2026-07-28 (stateless; transports: header validation).
  asio::awaitable<net::Response> handleModern(const net::Request& request,
                                              const json::object& message, Acceptable accept,
                                              net::RequestContext& context) {
    auto kind = classifyMessage(message);
    const json::value id = kind == MessageKind::kRequest ? message.at("id") : json::value(nullptr);
    if (kind == MessageKind::kInvalid) {
      co_return rpcFailure(http::status::bad_request, ErrorCode::kInvalidRequest,
                           "Invalid Request: not a JSON-RPC 2.0 message");
    }
    if (kind == MessageKind::kResponse) co_return emptyResponse(http::status::accepted);

    const auto* meta = metaOf(message);
    // MCP 2026-07-28, per-request metadata: every request names its revision and the client's
    // capabilities in _meta; without them it is malformed (400, -32602).
    if (kind == MessageKind::kRequest) {
      const char* missing = nullptr;
      if (meta == nullptr) {
        missing = "params._meta";
      } else if (stringAt(meta, kMetaProtocolVersion).empty()) {
        missing = "params._meta[\"io.modelcontextprotocol/protocolVersion\"]";
      } else if (const auto* capabilities = meta->if_contains(kMetaClientCapabilities);
                 capabilities == nullptr || !capabilities->is_object()) {
        missing = "params._meta[\"io.modelcontextprotocol/clientCapabilities\"]";
      }
      if (missing != nullptr) {
        co_return jsonResponse(
            http::status::bad_request,
            makeError(id, ErrorCode::kInvalidParams,
                      std::string("Invalid params: ") + missing + " is required"));
      }
    }
    std::string_view header_version = request["MCP-Protocol-Version"];
    std::string_view version = stringAt(meta, kMetaProtocolVersion);
    if (version.empty()) version = header_version;
    // The header and the body must agree before the revision itself is judged (-32020 first).
    if (!header_version.empty() && header_version != version) {
      co_return jsonResponse(
          http::status::bad_request,
          makeError(id, ErrorCode::kHeaderMismatch,
                    "MCP-Protocol-Version header '" + std::string(header_version) +
                        "' does not match _meta protocol version '" + std::string(version) + "'"));
    }
    if (version != kModernVersion) {
      json::object data;
      data["supported"] = supportedVersionList();
      data["requested"] = version;
      co_return jsonResponse(http::status::bad_request,
                             makeError(id, ErrorCode::kUnsupportedProtocolVersion,
                                       "Unsupported protocol version: " + std::string(version),
                                       json::value(std::move(data))));
    }
    std::string_view method = message.at("method").get_string();
    if (auto mismatch = headerMismatch(request, message, header_version, version, method)) {
      co_return jsonResponse(http::status::bad_request,
                             makeError(id, ErrorCode::kHeaderMismatch, *mismatch));
    }
    if (kind == MessageKind::kNotification) co_return emptyResponse(http::status::accepted);
    if (!server->knowsMethod(method, Era::kModern)) {
      co_return jsonResponse(http::status::not_found,
                             makeError(id, ErrorCode::kMethodNotFound,
                                       "Method not found: " + std::string(method.substr(0, 100)) +
                                           (method.size() > 100 ? "..." : "")));
    }

    Exchange exchange;
    exchange.era = Era::kModern;
    exchange.protocol_version = std::string(version);
    if (meta != nullptr) {
      if (const auto* capabilities = meta->if_contains(kMetaClientCapabilities);
          capabilities != nullptr && capabilities->is_object()) {
        exchange.client_capabilities = capabilities->get_object();
      }
      exchange.log_level = parseLogLevel(stringAt(meta, kMetaLogLevel));
    }
    co_return co_await respond(message, exchange, accept, context, "");
  }

  std::optional<std::string> headerMismatch(const net::Request& request,
                                            const json::object& message,
                                            std::string_view header_version,
                                            std::string_view version,
                                            std::string_view method) const {
    if (header_version != version) {
      return "MCP-Protocol-Version header '" + std::string(header_version) +
             "' does not match _meta protocol version '" + std::string(version) + "'";
    }
    auto method_header = decodeHeaderValue(request["Mcp-Method"]);
    if (method_header != method) {
      return "Mcp-Method header '" + method_header + "' does not match method '" +
             std::string(method) + "'";
    }
    std::string_view name_key;
    if (method == "tools/call" || method == "prompts/get") name_key = "name";
    if (method == "resources/read") name_key = "uri";
    // SEP-2663: the tasks methods route on the task id.
    if (method == "tasks/get" || method == "tasks/update" || method == "tasks/cancel") {
      name_key = "taskId";
    }
    if (name_key.empty()) return std::nullopt;
    auto name_header = decodeHeaderValue(request["Mcp-Name"]);
    auto name = stringAt(paramsOf(message), name_key);
    if (name_header != name) {
      return "Mcp-Name header '" + name_header + "' does not match params." +
             std::string(name_key) + " '" + std::string(name) + "'";
    }
    if (method == "tools/call") return parameterHeaderMismatch(request, message, name);
    return std::nullopt;
  }

  // MCP 2026-07-28 (SEP-2243): a tool parameter marked `x-mcp-header: X` travels in the body and
  // in `Mcp-Param-X` too, so that intermediaries can route on it; both must agree.
  std::optional<std::string> parameterHeaderMismatch(const net::Request& request,
                                                     const json::object& message,
                                                     std::string_view tool_name) const {
    const Tool* tool = server->registry().findTool(tool_name);
    if (tool == nullptr) return std::nullopt;
    const auto* properties = tool->input_schema.if_contains("properties");
    if (properties == nullptr || !properties->is_object()) return std::nullopt;
    const json::object* arguments = nullptr;
    if (const auto* params = paramsOf(message)) {
      if (const auto* given = params->if_contains("arguments")) arguments = given->if_object();
    }
    for (const auto& [parameter, schema] : properties->get_object()) {
      const auto* header =
          schema.is_object() ? schema.get_object().if_contains("x-mcp-header") : nullptr;
      if (header == nullptr || !header->is_string()) continue;
      std::string header_name = "Mcp-Param-" + std::string(header->get_string());
      auto raw = request[header_name];
      const auto* value = arguments != nullptr ? arguments->if_contains(parameter) : nullptr;
      if (value == nullptr || value->is_null()) {
        if (!raw.empty())
          return header_name + " is set but argument '" + std::string(parameter) + "' is not";
        continue;
      }
      if (raw.empty()) {
        return header_name + " is required with argument '" + std::string(parameter) + "'";
      }
      auto decoded = parameterHeaderValue(raw);
      if (!decoded) return header_name + " is not valid base64";
      std::string expected =
          value->is_string() ? std::string(value->get_string()) : capstan::toJsonText(*value);
      if (*decoded != expected) {
        return header_name + " does not match argument '" + std::string(parameter) + "'";
      }
    }
    return std::nullopt;
  }

  // Initialize-based revisions: sessions, batches (2025-03-26 only), version header.
  asio::awaitable<net::Response> handleLegacy(const net::Request& request, json::value& body,
                                              Acceptable accept, net::RequestContext& context) {
    auto session_header = request["Mcp-Session-Id"];
    if (body.is_object() && classifyMessage(body) == MessageKind::kRequest &&
        body.get_object().at("method") == "initialize") {
      co_return co_await initialize(body.get_object(), session_header, accept, context);
    }
    if (!body.is_object() && !body.is_array()) {
      co_return rpcFailure(http::status::bad_request, ErrorCode::kInvalidRequest,
                           "Invalid Request: not a JSON-RPC 2.0 message");
    }

    if (session_header.empty()) {
      co_return rpcFailure(http::status::bad_request, ErrorCode::kServerError,
                           "Bad Request: Mcp-Session-Id header is required");
    }
    auto session = sessions.find(session_header);
    // MCP transports, session management: a terminated or unknown session is 404, which tells
    // the client to start a new one.
    if (!session) {
      co_return rpcFailure(http::status::not_found, ErrorCode::kServerError, "Session not found");
    }
    std::string_view header_version = request["MCP-Protocol-Version"];
    if (!header_version.empty() && !isLegacyVersion(header_version)) {
      co_return rpcFailure(
          http::status::bad_request, ErrorCode::kServerError,
          "Bad Request: unsupported MCP-Protocol-Version '" + std::string(header_version) + "'");
    }

    Exchange exchange;
    exchange.era = Era::kLegacy;
    exchange.session = session;
    exchange.protocol_version = session->protocolVersion();

    if (body.is_array())
      co_return co_await handleBatch(body.get_array(), exchange, accept, context);

    const auto& message = body.get_object();
    switch (classifyMessage(message)) {
      case MessageKind::kInvalid:
        co_return rpcFailure(http::status::bad_request, ErrorCode::kInvalidRequest,
                             "Invalid Request: not a JSON-RPC 2.0 message");
      case MessageKind::kResponse:
        server->acceptClientResponse(message, exchange);
        co_return emptyResponse(http::status::accepted);
      case MessageKind::kNotification:
        co_await server->handle(message, exchange);
        co_return emptyResponse(http::status::accepted);
      case MessageKind::kRequest:
        break;
    }
    if (needsResumableStream(message, exchange, accept)) {
      co_return co_await respondResumable(message, std::move(exchange), accept, context);
    }
    co_return co_await respond(message, exchange, accept, context, session->id());
  }

  // Server-to-client requests need the client to read them while the call is still running.
  // Without a streaming response body, capstan closes the POST stream after the request and
  // delivers the rest on the resumed stream, which only 2025-11-25 clients do (SSE polling).
  // TODO(#6): net::HttpServer has no streaming body; with one, progress and logs could flow as
  // they happen and 2025-06-18 clients could be asked things too. Resumable streams live in
  // this process only, so a resumed GET must reach the instance that served the POST.
  bool needsResumableStream(const json::object& message, const Exchange& exchange,
                            Acceptable accept) const {
    if (!accept.sse || !exchange.session ||
        !versionAtLeast(exchange.protocol_version, "2025-11-25"))
      return false;
    if (message.at("method") != "tools/call") return false;
    const Tool* tool = server->registry().findTool(stringAt(paramsOf(message), "name"));
    return tool != nullptr && tool->requests_client;
  }

  asio::awaitable<net::Response> respondResumable(const json::object& message, Exchange exchange,
                                                  Acceptable accept, net::RequestContext& context) {
    auto stream = std::make_shared<ResumableStream>(executor);
    stream->id = "s" + std::to_string(next_stream.fetch_add(1));
    stream->session_id = exchange.session->id();
    registerStream(stream);

    struct Call {
      json::object message;
      Exchange exchange;
    };
    auto call = std::make_shared<Call>(Call{message, std::move(exchange)});
    call->exchange.send = [stream](json::object note) {
      pushStreamEvent(stream, std::move(note), false);
    };
    call->exchange.client_requests = true;
    // The call runs on its own: it may outlive this POST, whose answer ends at the first
    // server-to-client request.
    asio::co_spawn(
        executor,
        [server = server, call, stream]() -> asio::awaitable<void> {
          std::optional<json::object> reply;
          try {
            reply = co_await server->handle(call->message, call->exchange);
          } catch (const std::exception& failure) {
            reply = makeError(call->message.at("id"), ErrorCode::kInternalError, failure.what());
          }
          pushStreamEvent(stream, std::move(reply), true);
        },
        asio::detached);

    auto slice = co_await asio::co_spawn(
        stream->strand, collectStream(stream, 0, std::chrono::steady_clock::now() + kPollWindow),
        asio::use_awaitable);
    net::Response response;
    if (slice.done) dropStream(stream->id);
    if (slice.done && !slice.asked_client) {
      // Nothing needed the client after all: frame it like any other call.
      json::value outcome(nullptr);
      auto& events = slice.events;
      if (slice.responded && !events.empty()) {
        outcome = std::move(events.back());
        events.pop_back();
      }
      response = finish(events, outcome, accept, nullptr);
    } else {
      response = sseResponse(resumableBody(*stream, slice));
    }
    response.set("Mcp-Session-Id", stream->session_id);
    spdlog::debug("mcp request {}: tools/call on resumable stream {}", context.request_id,
                  stream->id);
    co_return response;
  }

  static bool isRpcError(const net::Response& response) {
    if (!response[http::field::content_type].starts_with("application/json")) return false;
    boost::system::error_code ec;
    auto body = json::parse(response.body(), ec);
    return !ec && body.is_object() && body.get_object().contains("error");
  }

  asio::awaitable<net::Response> initialize(const json::object& message,
                                            std::string_view session_header, Acceptable accept,
                                            net::RequestContext& context) {
    if (!session_header.empty() && sessions.find(session_header)) {
      co_return jsonResponse(http::status::bad_request,
                             makeError(message.at("id"), ErrorCode::kInvalidRequest,
                                       "Invalid Request: session is already initialized"));
    }
    auto requested = stringAt(paramsOf(message), "protocolVersion");
    auto session = sessions.create(negotiateVersion(requested));
    Exchange exchange;
    exchange.session = session;
    exchange.protocol_version = session->protocolVersion();
    auto response = co_await respond(message, exchange, accept, context, session->id());
    // A failed initialize (an HTTP error, or a JSON-RPC error such as a missing protocolVersion)
    // leaves no session behind and hands out no id.
    if (response.result() != http::status::ok || isRpcError(response)) {
      sessions.remove(session->id());
      response.erase("Mcp-Session-Id");
    }
    spdlog::debug("mcp request {}: initialize, revision {}", context.request_id,
                  session->protocolVersion());
    co_return response;
  }

  asio::awaitable<net::Response> handleBatch(const json::array& batch, Exchange& exchange,
                                             Acceptable accept, net::RequestContext& context) {
    // JSON-RPC batches exist only in MCP 2025-03-26; later revisions removed them.
    if (exchange.protocol_version != "2025-03-26") {
      co_return rpcFailure(
          http::status::bad_request, ErrorCode::kInvalidRequest,
          "Invalid Request: batches are not supported in revision " + exchange.protocol_version);
    }
    if (batch.empty()) {
      co_return rpcFailure(http::status::bad_request, ErrorCode::kInvalidRequest,
                           "Invalid Request: empty batch");
    }
    std::vector<json::value> interim;
    exchange.send = [&interim](json::object message) { interim.emplace_back(std::move(message)); };
    json::array responses;
    for (const auto& element : batch) {
      switch (classifyMessage(element)) {
        case MessageKind::kInvalid:
          responses.emplace_back(
              makeError(nullptr, ErrorCode::kInvalidRequest, "Invalid Request in batch"));
          break;
        case MessageKind::kResponse:
          server->acceptClientResponse(element.get_object(), exchange);
          break;
        case MessageKind::kNotification:
          co_await server->handle(element.get_object(), exchange);
          break;
        case MessageKind::kRequest:
          if (element.get_object().at("method") == "initialize") {
            responses.emplace_back(makeError(element.get_object().at("id"),
                                             ErrorCode::kInvalidRequest,
                                             "Invalid Request: initialize must not be batched"));
            break;
          }
          if (auto response = co_await server->handle(element.get_object(), exchange)) {
            responses.emplace_back(std::move(*response));
          }
          break;
      }
    }
    if (responses.empty()) co_return emptyResponse(http::status::accepted);
    auto response = finish(interim, json::value(std::move(responses)), accept, nullptr);
    response.set("Mcp-Session-Id", exchange.session->id());
    (void)context;
    co_return response;
  }

  // Runs one request and frames the outcome: JSON when nothing came before the response (or the
  // client cannot read SSE), SSE otherwise.
  asio::awaitable<net::Response> respond(const json::object& message, Exchange& exchange,
                                         Acceptable accept, net::RequestContext& context,
                                         const std::string& session_id) {
    std::vector<json::value> interim;
    if (accept.sse) {
      exchange.send = [&interim](json::object note) { interim.emplace_back(std::move(note)); };
    }
    auto reply = co_await server->handle(message, exchange);
    json::value outcome = reply ? json::value(std::move(*reply)) : json::value(nullptr);
    auto status = http::status::ok;
    if (exchange.era == Era::kModern && outcome.is_object()) {
      // MCP 2026-07-28 HTTP statuses: 404 for an unknown method, 400 for a missing client
      // capability.
      const auto* error = outcome.get_object().if_contains("error");
      const auto* code = error != nullptr ? error->as_object().if_contains("code") : nullptr;
      if (code != nullptr && *code == static_cast<int>(ErrorCode::kMethodNotFound)) {
        status = http::status::not_found;
      }
      if (code != nullptr && *code == static_cast<int>(ErrorCode::kMissingClientCapability)) {
        status = http::status::bad_request;
      }
    }
    auto response = finish(interim, outcome, accept, nullptr);
    response.result(status);
    if (!session_id.empty()) response.set("Mcp-Session-Id", session_id);
    spdlog::debug("mcp request {}: {} -> {}", context.request_id,
                  std::string(message.at("method").get_string()), static_cast<int>(status));
    co_return response;
  }

  static net::Response finish(const std::vector<json::value>& interim, const json::value& outcome,
                              Acceptable accept, const void*) {
    bool use_sse = accept.sse && (!interim.empty() || !accept.json);
    if (!use_sse) {
      // A cancelled request has no response; the POST still needs an answer.
      if (outcome.is_null()) return emptyResponse(http::status::accepted);
      return jsonResponse(http::status::ok, outcome);
    }
    std::string body;
    for (const auto& message : interim) appendSseEvent(body, message);
    if (!outcome.is_null()) appendSseEvent(body, outcome);
    auto response = net::makeResponse(http::status::ok, std::move(body), "text/event-stream");
    response.set(http::field::cache_control, "no-cache");
    response.set("X-Accel-Buffering", "no");
    return response;
  }
};

McpHttpAdapter::McpHttpAdapter(asio::any_io_executor executor, std::shared_ptr<McpServer> server,
                               HttpOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(server), std::move(options))) {}

McpHttpAdapter::~McpHttpAdapter() {
  stop();
  // The HTTP server's handler holds the Impl; dropping the server breaks that cycle.
  if (impl_) impl_->http.reset();
}

std::uint16_t McpHttpAdapter::start(std::string_view host, std::uint16_t port) {
  impl_->loopback_only = isLoopbackName(host);
  auto impl = impl_;
  impl_->http = std::make_unique<net::HttpServer>(
      impl_->executor,
      [impl](net::Request& request, net::RequestContext& context) {
        return impl->handle(request, context);
      },
      impl_->options.limits, impl_->options.metrics_label);
  // The server's own refusals (413, 431, malformed HTTP) are JSON-RPC errors without an id, as
  // for any message that could not be read (JSON-RPC 2.0 §5).
  impl_->http->setRefusalWriter([](int status, std::string_view message) {
    const auto code = status >= 500 ? ErrorCode::kInternalError : ErrorCode::kInvalidRequest;
    auto response = rpcFailure(static_cast<http::status>(status), code, message);
    return net::RefusalBody{std::move(response.body()), "application/json"};
  });
  return impl_->http->listen(host, port);
}

void McpHttpAdapter::stop() {
  if (impl_ && impl_->http) impl_->http->stop();
}

std::size_t McpHttpAdapter::sessionCount() const { return impl_->sessions.size(); }

std::size_t McpHttpAdapter::openConnections() const {
  return impl_->http ? impl_->http->openConnections() : 0;
}

asio::awaitable<net::Response> McpHttpAdapter::handle(net::Request& request,
                                                      net::RequestContext& context) {
  return impl_->handle(request, context);
}

}  // namespace capstan::mcp
