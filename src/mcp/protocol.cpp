#include "mcp/protocol.hpp"

#include <algorithm>

namespace capstan::mcp {

bool isLegacyVersion(std::string_view version) {
  return std::find(kLegacyVersions.begin(), kLegacyVersions.end(), version) !=
         kLegacyVersions.end();
}

bool isSupportedVersion(std::string_view version) {
  return isLegacyVersion(version) || version == kModernVersion;
}

std::string negotiateVersion(std::string_view requested) {
  if (isLegacyVersion(requested)) return std::string(requested);
  return std::string(kLegacyVersions.front());
}

bool versionAtLeast(std::string_view version, std::string_view minimum) {
  // Revisions are ISO dates, so lexical order is chronological order.
  return version >= minimum;
}

json::array supportedVersionList() {
  json::array list;
  list.emplace_back(kModernVersion);
  for (auto version : kLegacyVersions) list.emplace_back(version);
  return list;
}

MessageKind classifyMessage(const json::value& message) {
  const auto* object = message.if_object();
  if (object == nullptr) return MessageKind::kInvalid;
  const auto* version = object->if_contains("jsonrpc");
  if (version == nullptr || !version->is_string() || version->get_string() != "2.0") {
    return MessageKind::kInvalid;
  }
  const auto* id = object->if_contains("id");
  // JSON-RPC 2.0 allows null ids, MCP does not (basic/index: "MUST NOT be null").
  bool id_ok = id != nullptr && (id->is_string() || id->is_int64() || id->is_uint64());
  const auto* method = object->if_contains("method");
  if (method != nullptr) {
    if (!method->is_string()) return MessageKind::kInvalid;
    if (id == nullptr) return MessageKind::kNotification;
    return id_ok ? MessageKind::kRequest : MessageKind::kInvalid;
  }
  if (id_ok && (object->contains("result") || object->contains("error"))) {
    return MessageKind::kResponse;
  }
  return MessageKind::kInvalid;
}

json::object makeError(const json::value& id, ErrorCode code, std::string_view message,
                       std::optional<json::value> data) {
  json::object error;
  error["code"] = static_cast<int>(code);
  error["message"] = message;
  if (data) error["data"] = std::move(*data);
  json::object out;
  out["jsonrpc"] = "2.0";
  // MCP 2025-11-25 schema (JSONRPCErrorResponse): the id is left out, never null, when the
  // request could not be identified; a RequestId is a string or an integer.
  if (!id.is_null()) out["id"] = id;
  out["error"] = std::move(error);
  return out;
}

json::object makeResult(const json::value& id, json::object result) {
  json::object out;
  out["jsonrpc"] = "2.0";
  out["id"] = id;
  out["result"] = std::move(result);
  return out;
}

json::object makeNotification(std::string_view method, json::object params) {
  json::object out;
  out["jsonrpc"] = "2.0";
  out["method"] = method;
  out["params"] = std::move(params);
  return out;
}

json::object makeRequest(const json::value& id, std::string_view method, json::object params) {
  json::object out;
  out["jsonrpc"] = "2.0";
  out["id"] = id;
  out["method"] = method;
  out["params"] = std::move(params);
  return out;
}

namespace {

constexpr std::array<std::string_view, 8> kLogLevelNames = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};

}  // namespace

std::optional<LogLevel> parseLogLevel(std::string_view text) {
  for (std::size_t i = 0; i < kLogLevelNames.size(); ++i) {
    if (kLogLevelNames[i] == text) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

std::string_view logLevelName(LogLevel level) {
  return kLogLevelNames[static_cast<std::size_t>(level)];
}

const json::object* paramsOf(const json::object& message) {
  const auto* params = message.if_contains("params");
  return params != nullptr ? params->if_object() : nullptr;
}

const json::object* metaOf(const json::object& message) {
  const auto* params = paramsOf(message);
  if (params == nullptr) return nullptr;
  const auto* meta = params->if_contains("_meta");
  return meta != nullptr ? meta->if_object() : nullptr;
}

std::string_view stringAt(const json::object* object, std::string_view key) {
  if (object == nullptr) return {};
  const auto* value = object->if_contains(key);
  if (value == nullptr || !value->is_string()) return {};
  return value->get_string();
}

}  // namespace capstan::mcp
