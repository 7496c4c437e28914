#include "sandbox/api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>
#include <cmath>
#include <fstream>
#include <set>

#include "sandbox/render.hpp"
#include "support/json_text.hpp"

namespace capstan::sandbox {

namespace {

constexpr std::size_t kRequestLogCapacity = 1'000;
constexpr std::size_t kLoggedBodyLimit = 4'096;
constexpr std::size_t kImageCacheCapacity = 64;
constexpr std::size_t kEchoedIdLimit = 200;
constexpr int kGalleryJobs = 60;

ApiResponse jsonResponse(int status, const boost::json::value& body) {
  ApiResponse response;
  response.status = status;
  response.body = toJsonText(body);
  return response;
}

ApiResponse methodNotAllowed(std::string_view allow) {
  auto response =
      errorResponse(405, "method_not_allowed", fmt::format("this path accepts only {}", allow));
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

ApiResponse notFound() {
  return errorResponse(404, "not_found", "no such path on the Midjourney sandbox");
}

// RFC 3629 well-formedness (lead bytes and continuation bytes; overlong forms are not checked).
bool isValidUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    if (c < 0x80) {
      extra = 0;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
    } else {
      return false;
    }
    if (extra > text.size() - i - 1) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

// An id as it may appear inside an error message: valid UTF-8 and bounded in length.
std::string echoId(std::string_view id) {
  std::string out;
  if (isValidUtf8(id)) {
    out = std::string(id.substr(0, kEchoedIdLimit));
    while (!out.empty() && !isValidUtf8(out)) out.pop_back();
  } else {
    for (unsigned char c : id.substr(0, kEchoedIdLimit))
      out += c < 0x80 ? static_cast<char>(c) : '?';
  }
  if (id.size() > kEchoedIdLimit) out += "…";
  return out;
}

std::size_t codePoints(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool isDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool constantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

// "missing", "invalid" or "valid" (RFC 6750 §2.1: `Authorization: Bearer <token>`, the scheme
// is case-insensitive).
std::string_view checkBearer(const ApiRequest& request, std::string_view token) {
  auto header = request.header("authorization");
  if (!header) return "missing";
  std::string_view value = *header;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return "missing";
  if (value.size() < 7 || lowerAscii(value.substr(0, 7)) != "bearer ") return "invalid";
  value.remove_prefix(7);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (value.empty()) return "missing";
  return constantTimeEquals(value, token) ? "valid" : "invalid";
}

std::optional<std::int64_t> asInteger(const boost::json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) {
    auto v = value.get_uint64();
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  if (value.is_double()) {
    double d = value.get_double();
    // JSON Schema: 1.0 is an integer.
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

std::optional<double> asNumber(const boost::json::value& value) {
  if (value.is_double()) return value.get_double();
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  return std::nullopt;
}

bool isHttpUrl(std::string_view text) {
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return false;
  auto scheme = lowerAscii(parsed->scheme());
  return (scheme == "http" || scheme == "https") && parsed->has_authority() &&
         !parsed->encoded_host().empty();
}

// Returns an error message naming the field, or nullopt when `ratio` is usable. The contract's
// pattern is ^[0-9]+:[0-9]+$; zero sides and ratios beyond 1:8 cannot be rendered.
std::optional<std::string> checkAspectRatio(std::string_view ratio) {
  auto colon = ratio.find(':');
  if (colon == std::string_view::npos || !isDigits(ratio.substr(0, colon)) ||
      !isDigits(ratio.substr(colon + 1))) {
    return "aspect_ratio must look like W:H (for example 16:9)";
  }
  auto w_text = ratio.substr(0, colon);
  auto h_text = ratio.substr(colon + 1);
  if (w_text.size() > 5 || h_text.size() > 5) return "aspect_ratio sides must be at most 99999";
  double w = std::stod(std::string(w_text));
  double h = std::stod(std::string(h_text));
  if (w == 0 || h == 0) return "aspect_ratio sides must be positive";
  if (w / h > 8 || h / w > 8) return "aspect_ratio must lie between 1:8 and 8:1";
  return std::nullopt;
}

struct ImagineInput {
  Job job;
  std::optional<std::string> error;
};

// Validates a POST /v1/imagine body against the image-generation contract's ImagineRequest.
// The contract's `false` property is YAML 1.1 reading the key `no`; the negative prompt is
// accepted under `no`.
ImagineInput parseImagine(const boost::json::object& body) {
  static const std::set<std::string, std::less<>> kKnown = {
      "prompt", "aspect_ratio", "model_version", "process_mode", "quality",     "stylize", "chaos",
      "seed",   "no",           "image_url",     "webhook_url",  "webhook_type"};
  ImagineInput input;
  auto fail = [&](std::string message) {
    input.error = std::move(message);
    return input;
  };
  for (const auto& entry : body) {
    if (!kKnown.count(std::string_view(entry.key()))) {
      return fail(fmt::format("unknown field '{}'", echoId(entry.key())));
    }
  }

  auto& job = input.job;
  const auto* prompt = body.if_contains("prompt");
  if (!prompt) return fail("prompt is required");
  if (!prompt->is_string()) return fail("prompt must be a string");
  std::string_view text = prompt->get_string();
  if (std::all_of(text.begin(), text.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
    return fail("prompt must not be empty");
  }
  if (codePoints(text) > kMaxPromptChars) {
    return fail(fmt::format("prompt must be at most {} characters", kMaxPromptChars));
  }
  if (std::any_of(text.begin(), text.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && c != '\n' && c != '\t' && c != '\r') || u == 0x7F;
      })) {
    return fail("prompt must not contain control characters");
  }
  job.prompt = std::string(text);

  auto stringField = [&](std::string_view name) -> std::optional<std::optional<std::string>> {
    const auto* value = body.if_contains(name);
    if (!value) return std::optional<std::string>{};
    if (!value->is_string()) return std::nullopt;
    return std::optional<std::string>(std::string(value->get_string()));
  };
  auto enumField = [&](std::string_view name, std::initializer_list<std::string_view> allowed,
                       std::string& target) -> std::optional<std::string> {
    auto value = stringField(name);
    if (!value) return fmt::format("{} must be a string", name);
    if (!*value) return std::nullopt;
    if (std::find(allowed.begin(), allowed.end(), **value) == allowed.end()) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return fmt::format("{} must be one of: {}", name, list);
    }
    target = **value;
    return std::nullopt;
  };
  auto intField = [&](std::string_view name, std::int64_t lo, std::int64_t hi,
                      auto& target) -> std::optional<std::string> {
    const auto* value = body.if_contains(name);
    if (!value) return std::nullopt;
    auto number = asInteger(*value);
    if (!number || *number < lo || *number > hi) {
      return fmt::format("{} must be an integer between {} and {}", name, lo, hi);
    }
    target = static_cast<std::remove_reference_t<decltype(target)>>(*number);
    return std::nullopt;
  };

  if (auto ratio = stringField("aspect_ratio"); !ratio) {
    return fail("aspect_ratio must be a string");
  } else if (*ratio) {
    if (auto problem = checkAspectRatio(**ratio)) return fail(*problem);
    job.parameters.aspect_ratio = **ratio;
  }
  if (auto e =
          enumField("model_version", {"5.2", "6.0", "6.1", "7.0"}, job.parameters.model_version)) {
    return fail(*e);
  }
  if (auto e = enumField("process_mode", {"fast", "turbo", "relax"}, job.parameters.process_mode)) {
    return fail(*e);
  }
  if (const auto* quality = body.if_contains("quality")) {
    auto number = asNumber(*quality);
    if (!number || (*number != 0.25 && *number != 0.5 && *number != 1.0 && *number != 2.0)) {
      return fail("quality must be one of: 0.25, 0.5, 1, 2");
    }
    job.parameters.quality = *number;
  }
  if (auto e = intField("stylize", 0, 1000, job.parameters.stylize)) return fail(*e);
  if (auto e = intField("chaos", 0, 100, job.parameters.chaos)) return fail(*e);
  if (auto e = intField("seed", 0, 4294967295LL, job.parameters.seed)) return fail(*e);
  if (auto no = stringField("no"); !no) {
    return fail("no must be a string");
  } else if (*no) {
    if (codePoints(**no) > kMaxPromptChars) return fail("no must be at most 4000 characters");
    job.parameters.no = **no;
  }
  for (std::string_view name : {"image_url", "webhook_url"}) {
    auto url = stringField(name);
    if (!url) return fail(fmt::format("{} must be a string", name));
    if (!*url) continue;
    if ((*url)->size() > 2048 || !isHttpUrl(**url)) {
      return fail(fmt::format("{} must be an absolute http or https URL", name));
    }
    (name == "image_url" ? job.image_url : job.webhook_url) = **url;
  }
  std::string webhook_type;
  if (auto e = enumField("webhook_type", {"progress", "result"}, webhook_type)) return fail(*e);
  if (!webhook_type.empty()) job.webhook_type = webhook_type;
  return input;
}

struct ListParams {
  ListQuery query;
  std::optional<std::string> error;
};

// Strict query validation (research notes §6.3): integer literals only, enums case-sensitive,
// repeated parameters refused, unknown parameters ignored.
ListParams parseListQuery(const boost::urls::url_view& url) {
  ListParams out;
  std::set<std::string, std::less<>> seen;
  for (auto param : url.params()) {
    std::string key = param.key;
    if (key != "status" && key != "limit" && key != "offset" && key != "sort") continue;
    if (!seen.insert(key).second) {
      out.error = fmt::format("parameter '{}' is repeated", key);
      return out;
    }
    std::string value = param.has_value ? std::string(param.value) : std::string();
    if (key == "status") {
      out.query.status = parseJobStatus(value);
      if (!out.query.status) {
        out.error =
            "parameter 'status' must be one of: pending, in_progress, completed, failed, "
            "cancelled";
        return out;
      }
    } else if (key == "sort") {
      if (value != "created_at_asc" && value != "created_at_desc") {
        out.error = "parameter 'sort' must be one of: created_at_asc, created_at_desc";
        return out;
      }
      out.query.ascending = value == "created_at_asc";
    } else if (key == "limit") {
      if (!isDigits(value) || value.size() > 3 || std::stoi(value) < 1 || std::stoi(value) > 100) {
        out.error = "parameter 'limit' must be an integer between 1 and 100";
        return out;
      }
      out.query.limit = std::stoi(value);
    } else {
      if (!isDigits(value) || value.size() > 15) {
        out.error = "parameter 'offset' must be an integer of at least 0";
        return out;
      }
      out.query.offset = std::stoll(value);
    }
  }
  return out;
}

std::string_view statusColor(JobStatus status) {
  switch (status) {
    case JobStatus::kPending:
      return "#8a8f98";
    case JobStatus::kInProgress:
      return "#2f7de1";
    case JobStatus::kCompleted:
      return "#2e9d5b";
    case JobStatus::kFailed:
      return "#d0453a";
    case JobStatus::kCancelled:
      return "#b07c1e";
  }
  return "#888";
}

}  // namespace

std::optional<std::string_view> ApiRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && lowerAscii(key) == lowerAscii(name)) return value;
  }
  return std::nullopt;
}

ApiResponse errorResponse(int status, std::string_view code, std::string_view message) {
  boost::json::object body{{"status", "ERROR"}, {"code", code}, {"message", message}};
  return jsonResponse(status, body);
}

Api::Api(JobStore& store, const Clock& clock, std::string token, FaultOptions faults,
         std::uint64_t random_seed)
    : store_(store),
      clock_(clock),
      token_(std::move(token)),
      faults_(std::move(faults)),
      random_(random_seed) {}

std::string Api::newJobId() {
  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  {
    std::lock_guard lock(mutex_);
    hi = random_();
    lo = random_();
  }
  // RFC 9562 §5.4: version 4 in bits 48-51, variant 10 in bits 64-65.
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

ApiResponse Api::handle(const ApiRequest& request) {
  try {
    return route(request);
  } catch (const std::exception& error) {
    // The store throws only on I/O trouble (disk full, database locked for seconds); the
    // client gets a retryable answer instead of a dropped connection.
    auto response = errorResponse(503, "unavailable", "the sandbox store is busy; retry");
    response.headers.emplace_back("Retry-After", "1");
    return response;
  }
}

ApiResponse Api::route(const ApiRequest& request) {
  auto parsed = boost::urls::parse_origin_form(request.target);
  if (!parsed) return errorResponse(400, "bad_request", "the request target is not a valid path");
  std::vector<std::string> segments;
  for (auto segment : parsed->segments()) segments.push_back(segment);
  const auto& method = request.method;
  std::string_view auth = checkBearer(request, token_);

  bool is_control = !segments.empty() && segments[0] == "_sandbox";
  if (!is_control) record(request, auth);

  // The gallery and the images are public so that a browser can show them (documented).
  if (segments.empty()) {
    if (method != "GET") return methodNotAllowed("GET");
    return gallery();
  }
  if (segments[0] == "images" && segments.size() == 3) {
    if (method != "GET") return methodNotAllowed("GET");
    return image(segments[1], segments[2]);
  }
  if (segments.size() == 1 && segments[0] == "favicon.ico") return notFound();

  if (auth != "valid") {
    auto response =
        errorResponse(401, "unauthorized",
                      auth == "missing" ? "missing bearer token in the Authorization header"
                                        : "invalid bearer token");
    response.headers.emplace_back("WWW-Authenticate", auth == "missing"
                                                          ? "Bearer realm=\"midjourney-sandbox\""
                                                          : "Bearer realm=\"midjourney-sandbox\", "
                                                            "error=\"invalid_token\"");
    return response;
  }

  if (is_control) {
    bool enabled = false;
    {
      std::lock_guard lock(mutex_);
      enabled = faults_.enabled;
    }
    if (!enabled || segments.size() != 2) return notFound();
    return sandboxControl(request, segments[1]);
  }
  if (segments[0] != "v1") return notFound();

  // Fault injection applies to the contract's routes only.
  Millis delay = 0;
  {
    std::lock_guard lock(mutex_);
    delay = faults_.latency_ms;
    ++v1_requests_;
    if (faults_.fail_every > 0 &&
        v1_requests_ % static_cast<std::uint64_t>(faults_.fail_every) == 0) {
      int status = faults_.fail_status;
      auto response = errorResponse(status, status == 429 ? "rate_limited" : "injected_fault",
                                    fmt::format("fault injection: every {}th request answers {}",
                                                faults_.fail_every, status));
      if (status == 429 || status == 503) {
        response.headers.emplace_back("Retry-After", std::to_string(faults_.retry_after_s));
      }
      response.delay_ms = delay;
      return response;
    }
  }

  ApiResponse response;
  if (segments.size() == 2 && segments[1] == "jobs") {
    response = method == "GET" ? listJobs(request.target) : methodNotAllowed("GET");
  } else if (segments.size() == 2 && segments[1] == "imagine") {
    response = method == "POST" ? imagine(request) : methodNotAllowed("POST");
  } else if (segments.size() == 3 && segments[1] == "jobs" && !segments[2].empty()) {
    if (auto fault = injectedFault(segments[2])) {
      response = std::move(*fault);
    } else {
      response = method == "GET" ? getJob(segments[2]) : methodNotAllowed("GET");
    }
  } else if (segments.size() == 4 && segments[1] == "jobs" && !segments[2].empty() &&
             segments[3] == "cancel") {
    if (auto fault = injectedFault(segments[2])) {
      response = std::move(*fault);
    } else {
      response = method == "POST" ? cancel(segments[2]) : methodNotAllowed("POST");
    }
  } else {
    response = notFound();
  }
  response.delay_ms = delay;
  return response;
}

ApiResponse Api::listJobs(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  auto params = parseListQuery(*url);
  if (params.error) return errorResponse(400, "invalid_parameter", *params.error);

  auto page = store_.list(params.query);
  boost::json::array data;
  for (const auto& job : page.jobs) data.push_back(jobToJson(job, base_url_));
  boost::json::object body{{"data", std::move(data)},
                           {"total", page.total},
                           {"limit", params.query.limit},
                           {"offset", params.query.offset}};
  return jsonResponse(200, body);
}

ApiResponse Api::getJob(const std::string& id) {
  auto job = store_.find(id);
  if (!job) return errorResponse(404, "job_not_found", fmt::format("job {} not found", echoId(id)));
  return jsonResponse(200, jobToJson(*job, base_url_));
}

ApiResponse Api::cancel(const std::string& id) {
  auto result = store_.cancel(id, clock_.nowMs());
  if (!result.job) {
    return errorResponse(404, "job_not_found", fmt::format("job {} not found", echoId(id)));
  }
  // The jobs contract declares 400 for completed or failed jobs (DESIGN.md keeps it over the
  // research notes' 409 suggestion).
  if (result.outcome == CancelOutcome::kNotCancellable) {
    return errorResponse(400, "job_not_cancellable",
                         fmt::format("job {} is {} and cannot be cancelled", result.job->id,
                                     toString(result.job->status)));
  }
  return jsonResponse(200, jobToJson(*result.job, base_url_));
}

ApiResponse Api::imagine(const ApiRequest& request) {
  if (request.body.size() > kMaxImagineBody) {
    return errorResponse(413, "payload_too_large",
                         fmt::format("the request body exceeds {} bytes", kMaxImagineBody));
  }
  auto content_type = request.header("content-type");
  if (!content_type ||
      lowerAscii(content_type->substr(0, content_type->find(';'))).find("application/json") ==
          std::string::npos) {
    return errorResponse(415, "unsupported_media_type", "the body must be application/json");
  }
  boost::system::error_code ec;
  auto parsed = boost::json::parse(request.body, ec);
  if (ec) return errorResponse(400, "invalid_json", "the body is not valid JSON");
  if (!parsed.is_object())
    return errorResponse(400, "invalid_request", "the body must be an object");

  auto input = parseImagine(parsed.get_object());
  if (input.error) return errorResponse(400, "invalid_request", *input.error);

  auto& job = input.job;
  job.id = newJobId();
  job.type = JobType::kImagine;
  job.status = JobStatus::kPending;
  if (!parsed.get_object().contains("seed")) {
    std::lock_guard lock(mutex_);
    job.parameters.seed = static_cast<std::int64_t>(random_() & 0xFFFFFFFFULL);
  }
  Millis now = clock_.nowMs();
  job.created_at = now;
  job.updated_at = now;
  job.tick_ms = now;
  store_.insert(job);

  // The created Job itself, as the jobs contract shapes it (the image-generation contract's
  // {status:"SUCCESS", data:{job_id}} envelope would clash with the Job's own `status`).
  return jsonResponse(200, jobToJson(job, base_url_));
}

ApiResponse Api::image(const std::string& id, std::string_view file) {
  if (file.size() < 5 || file.substr(file.size() - 4) != ".png") return notFound();
  std::string name(file.substr(0, file.size() - 4));
  std::string key = id + "/" + name;

  std::shared_ptr<const std::string> png;
  {
    std::lock_guard lock(mutex_);
    if (auto it = image_cache_.find(key); it != image_cache_.end()) png = it->second;
  }
  if (!png) {
    auto job = store_.find(id);
    if (!job) return errorResponse(404, "not_found", "no such image");
    auto rendered = renderJobImage(*job, name);
    if (!rendered || rendered->empty()) return errorResponse(404, "not_found", "no such image");
    png = std::make_shared<const std::string>(std::move(*rendered));
    std::lock_guard lock(mutex_);
    if (image_cache_.emplace(key, png).second) image_cache_order_.push_back(key);
    while (image_cache_order_.size() > kImageCacheCapacity) {
      image_cache_.erase(image_cache_order_.front());
      image_cache_order_.pop_front();
    }
  }
  ApiResponse response;
  response.content_type = "image/png";
  response.body = *png;
  // Same job, same bytes: images never change once a job completed.
  response.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  return response;
}

ApiResponse Api::gallery() {
  auto jobs = store_.newest(kGalleryJobs);
  auto total = store_.list(ListQuery{std::nullopt, 1, 0, false}).total;
  std::string html;
  html += R"(<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="2"><title>Midjourney sandbox</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;background:#f4f2ee;color:#222}
h1{font-weight:600;font-size:20px}.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:14px}
.card{background:#fff;border-radius:10px;padding:10px;box-shadow:0 1px 3px #0002}
.card img{width:100%;border-radius:6px;display:block}.ph{height:120px;border-radius:6px;background:linear-gradient(135deg,#e6e1d8,#d4dbe6)}
.badge{display:inline-block;color:#fff;border-radius:9px;padding:1px 8px;font-size:12px}
.bar{height:4px;background:#eee;border-radius:2px;margin:6px 0}.bar div{height:4px;background:#2f7de1;border-radius:2px}
.p{margin:6px 0 2px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}.m{color:#777;font-size:12px}
</style></head><body>)";
  html += fmt::format(
      "<h1>Midjourney sandbox &middot; {} jobs</h1><p class=\"m\">Newest {} shown; "
      "refreshes every 2 s. The API needs a bearer token; this page and the "
      "images do not.</p><div class=\"grid\">",
      total, std::min<std::int64_t>(total, kGalleryJobs));
  for (const auto& job : jobs) {
    html += "<div class=\"card\">";
    if (!resultImages(job).empty()) {
      html += fmt::format(
          "<a href=\"/images/{0}/{1}.png\"><img loading=\"lazy\" alt=\"\" "
          "src=\"/images/{0}/thumb.png\"></a>",
          job.id, job.type == JobType::kUpscale ? "upscale" : "grid");
    } else {
      html += "<div class=\"ph\"></div>";
    }
    html += fmt::format("<div class=\"p\" title=\"{0}\">{0}</div>", htmlEscape(job.prompt));
    html += fmt::format(
        "<span class=\"badge\" style=\"background:{}\">{}</span> <span "
        "class=\"m\">{} &middot; {}</span>",
        statusColor(job.status), toString(job.status), toString(job.type),
        htmlEscape(formatTimestamp(job.created_at)));
    if (!isTerminal(job.status)) {
      html += fmt::format("<div class=\"bar\"><div style=\"width:{}%\"></div></div>", job.progress);
    }
    if (job.error_message) {
      html += fmt::format("<div class=\"m\">{}</div>", htmlEscape(*job.error_message));
    }
    html += fmt::format("<div class=\"m\">{}</div></div>", job.id);
  }
  html += "</div></body></html>";
  ApiResponse response;
  response.content_type = "text/html; charset=utf-8";
  response.body = std::move(html);
  return response;
}

std::optional<ApiResponse> Api::injectedFault(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    if (!faults_.enabled) return std::nullopt;
  }
  if (id == "fault-html") {
    ApiResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.body = "<html><body>not JSON</body></html>";
    return response;
  }
  if (id == "fault-empty") {
    ApiResponse response;
    response.status = 204;
    response.content_type.clear();
    return response;
  }
  if (id.size() == 9 && id.rfind("fault-", 0) == 0 && isDigits(id.substr(6))) {
    int status = std::stoi(id.substr(6));
    if (status < 400 || status > 599) return std::nullopt;
    auto response = errorResponse(status, status == 429 ? "rate_limited" : "injected_fault",
                                  fmt::format("fault injection: {} answers {}", id, status));
    if (status == 429 || status == 503) {
      std::lock_guard lock(mutex_);
      response.headers.emplace_back("Retry-After", std::to_string(faults_.retry_after_s));
    }
    return response;
  }
  return std::nullopt;
}

void Api::record(const ApiRequest& request, std::string_view auth) {
  boost::json::object headers;
  for (const auto& [name, value] : request.headers) {
    auto key = lowerAscii(name);
    // The token itself never leaves the sandbox; `auth` says whether it matched.
    std::string shown =
        key == "authorization"
            ? (value.size() >= 6 ? value.substr(0, 6) + " [redacted]" : "[redacted]")
            : value;
    if (auto* existing = headers.if_contains(key)) {
      shown = std::string(existing->get_string()) + ", " + shown;
    }
    headers[key] = shown;
  }
  boost::json::object entry{{"time", formatTimestamp(clock_.nowMs())},
                            {"method", request.method},
                            {"target", request.target},
                            {"headers", std::move(headers)},
                            {"auth", auth}};
  if (!request.body.empty()) {
    entry["body"] = isValidUtf8(request.body.substr(0, kLoggedBodyLimit))
                        ? request.body.substr(0, kLoggedBodyLimit)
                        : std::string("[binary]");
  }

  std::lock_guard lock(mutex_);
  if (!faults_.request_log_path.empty()) {
    std::ofstream file(faults_.request_log_path, std::ios::app);
    file << toJsonText(entry) << '\n';
  }
  if (!faults_.enabled) return;
  request_log_.push_back(std::move(entry));
  if (request_log_.size() > kRequestLogCapacity) request_log_.pop_front();
}

ApiResponse Api::sandboxControl(const ApiRequest& request, std::string_view what) {
  std::lock_guard lock(mutex_);
  if (what == "requests") {
    if (request.method == "DELETE") {
      request_log_.clear();
      return jsonResponse(200, boost::json::object{{"requests", boost::json::array{}}});
    }
    if (request.method != "GET") return methodNotAllowed("GET, DELETE");
    boost::json::array entries;
    for (const auto& entry : request_log_) entries.push_back(entry);
    return jsonResponse(200, boost::json::object{{"requests", std::move(entries)}});
  }
  if (what != "faults") return notFound();
  if (request.method == "PUT") {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(request.body, ec);
    if (ec || !parsed.is_object()) {
      return errorResponse(400, "invalid_request", "the body must be a JSON object");
    }
    for (const auto& entry : parsed.get_object()) {
      auto value = asInteger(entry.value());
      std::string_view key = entry.key();
      if (!value || *value < 0 || *value > 600'000) {
        return errorResponse(400, "invalid_request",
                             fmt::format("{} must be a non-negative integer", echoId(key)));
      }
      if (key == "latency_ms") {
        faults_.latency_ms = *value;
      } else if (key == "fail_every") {
        faults_.fail_every = static_cast<int>(*value);
      } else if (key == "fail_status") {
        if (*value < 400 || *value > 599) {
          return errorResponse(400, "invalid_request", "fail_status must be 400-599");
        }
        faults_.fail_status = static_cast<int>(*value);
      } else if (key == "retry_after") {
        faults_.retry_after_s = static_cast<int>(*value);
      } else {
        return errorResponse(400, "invalid_request",
                             fmt::format("unknown field '{}'", echoId(key)));
      }
    }
    v1_requests_ = 0;
  } else if (request.method != "GET") {
    return methodNotAllowed("GET, PUT");
  }
  return jsonResponse(200, boost::json::object{{"latency_ms", faults_.latency_ms},
                                               {"fail_every", faults_.fail_every},
                                               {"fail_status", faults_.fail_status},
                                               {"retry_after", faults_.retry_after_s}});
}

}  // namespace capstan::sandbox
