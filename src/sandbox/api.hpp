// The sandbox's HTTP behaviour, independent of any socket: routes, bearer auth, validation, the
// per-state answers of research-notes/midjourney-api.md §6.3, the gallery, the images and the
// opt-in fault injection. The server glue (sandbox.cpp) only converts Beast messages and
// waits `delay_ms` before answering.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sandbox/clock.hpp"
#include "sandbox/job_store.hpp"

namespace capstan::sandbox {

// Opt-in faults for engine tests; everything is off by default.
struct FaultOptions {
  // Enables the reserved job ids (`fault-429`, `fault-503`, `fault-html`, `fault-empty`, …),
  // the `/_sandbox/requests` log and the `/_sandbox/faults` control endpoint.
  bool enabled = false;
  // Added before every /v1 answer.
  Millis latency_ms = 0;
  // Every Nth authenticated /v1 request answers `fail_status` instead (0: never).
  int fail_every = 0;
  int fail_status = 503;
  // Retry-After seconds sent with 429 and 503.
  int retry_after_s = 1;
  // Appends one JSON line per request received (method, target, headers) when not empty.
  std::string request_log_path;
};

struct ApiRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The value of the first header named `name` (case-insensitive).
  std::optional<std::string_view> header(std::string_view name) const;
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Fault injection: how long the glue waits before sending this answer.
  Millis delay_ms = 0;
};

// Largest POST /v1/imagine body accepted; larger bodies get 413.
inline constexpr std::size_t kMaxImagineBody = 64 * 1024;
inline constexpr std::size_t kMaxPromptChars = 4000;

class Api {
 public:
  Api(JobStore& store, const Clock& clock, std::string token, FaultOptions faults,
      std::uint64_t random_seed);

  // Absolute URL prefix of this sandbox (http://host:port); image URLs in jobs start with it.
  void setBaseUrl(std::string base_url) { base_url_ = std::move(base_url); }
  const std::string& baseUrl() const { return base_url_; }

  // Never throws: every failure becomes a 4xx (or an injected fault).
  ApiResponse handle(const ApiRequest& request);

  // A fresh random version-4 UUID.
  std::string newJobId();

 private:
  ApiResponse route(const ApiRequest& request);
  ApiResponse listJobs(std::string_view target);
  ApiResponse getJob(const std::string& id);
  ApiResponse cancel(const std::string& id);
  ApiResponse imagine(const ApiRequest& request);
  ApiResponse gallery();
  ApiResponse image(const std::string& id, std::string_view file);
  ApiResponse sandboxControl(const ApiRequest& request, std::string_view what);
  std::optional<ApiResponse> injectedFault(const std::string& id);
  void record(const ApiRequest& request, std::string_view auth);

  JobStore& store_;
  const Clock& clock_;
  std::string token_;
  std::string base_url_;

  std::mutex mutex_;  // guards everything below
  FaultOptions faults_;
  std::uint64_t v1_requests_ = 0;
  std::deque<boost::json::object> request_log_;
  std::mt19937_64 random_;
  std::map<std::string, std::shared_ptr<const std::string>> image_cache_;
  std::deque<std::string> image_cache_order_;
};

// The error body of the contract: {"status":"ERROR","code":…,"message":…}.
ApiResponse errorResponse(int status, std::string_view code, std::string_view message);

}  // namespace capstan::sandbox
