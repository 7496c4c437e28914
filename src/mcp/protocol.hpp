// JSON-RPC 2.0 framing and MCP protocol constants shared by every MCP transport. Pure logic: no
// Asio, no Beast.
#pragma once

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace capstan::mcp {

namespace json = boost::json;

// Initialize-based ("legacy") revisions, newest first; the first one is offered when a client
// asks for a revision we do not speak (MCP lifecycle: version negotiation).
inline constexpr std::array<std::string_view, 3> kLegacyVersions = {"2025-11-25", "2025-06-18",
                                                                    "2025-03-26"};
// The stateless revision (no initialize, per-request _meta).
inline constexpr std::string_view kModernVersion = "2026-07-28";
// A legacy HTTP request without MCP-Protocol-Version is assumed to speak this revision
// (MCP 2025-06-18, transports: protocol version header).
inline constexpr std::string_view kDefaultHeaderVersion = "2025-03-26";

inline constexpr std::string_view kMetaProtocolVersion = "io.modelcontextprotocol/protocolVersion";
inline constexpr std::string_view kMetaClientCapabilities =
    "io.modelcontextprotocol/clientCapabilities";
inline constexpr std::string_view kMetaClientInfo = "io.modelcontextprotocol/clientInfo";
inline constexpr std::string_view kMetaLogLevel = "io.modelcontextprotocol/logLevel";
inline constexpr std::string_view kMetaServerInfo = "io.modelcontextprotocol/serverInfo";

// JSON-RPC 2.0 §5.1 codes, plus the MCP-specific ones (MCP 2026-07-28: -32020..-32022).
enum class ErrorCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  kRequestCancelled = -32800,
  kServerError = -32000,
  kResourceNotFound = -32002,
  kHeaderMismatch = -32020,
  kMissingClientCapability = -32021,
  kUnsupportedProtocolVersion = -32022,
};

bool isLegacyVersion(std::string_view version);
bool isSupportedVersion(std::string_view version);
// The revision to answer an initialize with: the requested one when supported, else the newest.
std::string negotiateVersion(std::string_view requested);
// True when `version` (a negotiated revision) is at least `minimum` (both YYYY-MM-DD).
bool versionAtLeast(std::string_view version, std::string_view minimum);

json::array supportedVersionList();

// What a single JSON-RPC message is.
enum class MessageKind { kRequest, kNotification, kResponse, kInvalid };

MessageKind classifyMessage(const json::value& message);

// `id` is null when the request could not be identified; the error then carries no id (MCP
// 2025-11-25 schema: JSONRPCErrorResponse.id is optional and never null).
json::object makeError(const json::value& id, ErrorCode code, std::string_view message,
                       std::optional<json::value> data = std::nullopt);
json::object makeResult(const json::value& id, json::object result);
json::object makeNotification(std::string_view method, json::object params);
json::object makeRequest(const json::value& id, std::string_view method, json::object params);

// Log levels of MCP logging (RFC 5424 order, least severe first).
enum class LogLevel { kDebug, kInfo, kNotice, kWarning, kError, kCritical, kAlert, kEmergency };

std::optional<LogLevel> parseLogLevel(std::string_view text);
std::string_view logLevelName(LogLevel level);

// The params object of a message, or nullptr when absent or not an object.
const json::object* paramsOf(const json::object& message);
// params._meta, or nullptr.
const json::object* metaOf(const json::object& message);
// The string at `key` of `object`, or empty.
std::string_view stringAt(const json::object* object, std::string_view key);

}  // namespace capstan::mcp
