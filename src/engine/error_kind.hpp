// The one error enum of the request path (STYLE.md rule 6) and the one table that maps it to an
// HTTP status, an RFC 9457 problem `type`, a title, a JSON-RPC code and a metric label. REST, MCP
// and control all read this table, so a failure is reported the same way on every surface.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace capstan::engine {

enum class ErrorKind {
  kNone,              // success (upstream 2xx, shaped)
  kUpstreamStatus,    // upstream answered with a non-2xx status: relayed, not capstan's error
  kInvalidArgument,   // a caller parameter is missing, of the wrong type or not in its enum
  kConnect,           // resolve/connect to the upstream (or its proxy) failed
  kTls,               // TLS handshake or certificate verification failed
  kTimeout,           // connect or total deadline passed
  kProtocol,          // malformed HTTP from the upstream, or a refused redirect
  kTooLarge,          // upstream response exceeds the size cap
  kBadEncoding,       // Content-Encoding that cannot be decoded
  kNotJson,           // JSON was declared but the upstream body does not parse
  kShaping,           // the output mapping could not be applied to the upstream document
  kCancelled,         // the caller went away
  kNotFound,          // adapter: no route / no tool
  kMethodNotAllowed,  // adapter: route exists, method does not
  kUnauthorized,      // adapter: inbound authentication failed
  kBadRequest,        // adapter: malformed request (repeated scalar query key, bad body, ...)
  kInternal,          // a capstan bug; never used for anything a caller or upstream did
};

inline constexpr std::size_t kErrorKindCount = static_cast<std::size_t>(ErrorKind::kInternal) + 1;

struct ErrorInfo {
  ErrorKind kind;
  int http_status;          // REST status for capstan's own problem+json answer
  std::string_view type;    // RFC 9457 §3.1.1 `type`: stable per kind
  std::string_view title;   // RFC 9457 §3.1.3 `title`: same for every occurrence
  int jsonrpc_code;         // MCP: 0 = reported as a tool result with isError:true
  std::string_view metric;  // label value of capstan_requests_total{outcome=...}
};

// clang-format off
inline constexpr std::array<ErrorInfo, kErrorKindCount> kErrorTable{{
  {ErrorKind::kNone,             200, "about:blank",                          "OK",                             0,      "ok"},
  {ErrorKind::kUpstreamStatus,   502, "urn:capstan:problem:upstream-status",  "Upstream answered with an error", 0,     "upstream_status"},
  {ErrorKind::kInvalidArgument,  400, "urn:capstan:problem:invalid-argument", "Invalid argument",               -32602, "invalid_argument"},
  {ErrorKind::kConnect,          502, "urn:capstan:problem:upstream-connect", "Upstream unreachable",           0,      "upstream_connect"},
  {ErrorKind::kTls,              502, "urn:capstan:problem:upstream-tls",     "Upstream TLS failure",           0,      "upstream_tls"},
  {ErrorKind::kTimeout,          504, "urn:capstan:problem:upstream-timeout", "Upstream timed out",             0,      "upstream_timeout"},
  {ErrorKind::kProtocol,         502, "urn:capstan:problem:upstream-protocol","Upstream protocol error",        0,      "upstream_protocol"},
  {ErrorKind::kTooLarge,         502, "urn:capstan:problem:upstream-too-large","Upstream response too large",   0,      "upstream_too_large"},
  {ErrorKind::kBadEncoding,      502, "urn:capstan:problem:upstream-encoding","Upstream content encoding not decodable", 0, "upstream_encoding"},
  {ErrorKind::kNotJson,          502, "urn:capstan:problem:upstream-not-json","Upstream body is not JSON",      0,      "upstream_not_json"},
  {ErrorKind::kShaping,          502, "urn:capstan:problem:shaping",          "Output mapping failed",          0,      "shaping"},
  {ErrorKind::kCancelled,        499, "urn:capstan:problem:cancelled",        "Request cancelled",              0,      "cancelled"},
  {ErrorKind::kNotFound,         404, "urn:capstan:problem:not-found",        "Not found",                      -32602, "not_found"},
  {ErrorKind::kMethodNotAllowed, 405, "urn:capstan:problem:method-not-allowed","Method not allowed",            -32601, "method_not_allowed"},
  {ErrorKind::kUnauthorized,     401, "urn:capstan:problem:unauthorized",     "Unauthorized",                   -32001, "unauthorized"},
  {ErrorKind::kBadRequest,       400, "urn:capstan:problem:bad-request",      "Bad request",                    -32600, "bad_request"},
  {ErrorKind::kInternal,         500, "urn:capstan:problem:internal",         "Internal error",                 -32603, "internal"},
}};
// clang-format on

constexpr const ErrorInfo& errorInfo(ErrorKind kind) {
  return kErrorTable[static_cast<std::size_t>(kind)];
}

// The table is indexed by the enum: keep the two in the same order.
static_assert([] {
  for (std::size_t i = 0; i < kErrorKindCount; ++i) {
    if (static_cast<std::size_t>(kErrorTable[i].kind) != i) return false;
  }
  return true;
}());

}  // namespace capstan::engine
