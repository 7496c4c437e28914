// The job object of the Midjourney Jobs contract (reference/midjourney/, Job schema) and its
// JSON form. Result images are not stored: they derive from the job (type, aspect ratio) and the
// sandbox's base URL, and are rendered on request.
#pragma once

#include <boost/json/object.hpp>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/clock.hpp"

namespace capstan::sandbox {

// ASCII lower-casing for header names, schemes and prompt matching (never locale-dependent).
inline std::string lowerAscii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

enum class JobStatus { kPending, kInProgress, kCompleted, kFailed, kCancelled };
enum class JobType { kImagine, kUpscale, kVariation, kDescribe, kBlend };

std::string_view toString(JobStatus status);
std::string_view toString(JobType type);
std::optional<JobStatus> parseJobStatus(std::string_view text);
std::optional<JobType> parseJobType(std::string_view text);
bool isTerminal(JobStatus status);

struct GenerationParameters {
  std::string aspect_ratio = "1:1";
  std::string model_version = "6.1";
  std::string process_mode = "fast";
  double quality = 1.0;
  int stylize = 100;
  int chaos = 0;
  std::int64_t seed = 0;
  std::optional<std::string> no;
};

struct Job {
  std::string id;
  JobType type = JobType::kImagine;
  JobStatus status = JobStatus::kPending;
  int progress = 0;
  std::string prompt;
  GenerationParameters parameters;
  std::optional<std::string> parent_job_id;
  std::optional<int> image_index;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  std::optional<std::string> webhook_url;
  std::optional<std::string> webhook_type;
  std::optional<std::string> image_url;
  Millis created_at = 0;
  Millis updated_at = 0;
  std::optional<Millis> completed_at;

  // Internal bookkeeping, never serialized: simulated work done so far, the clock reading it
  // was last accounted at, and whether the scheduler leaves this job alone (fixtures).
  Millis work_ms = 0;
  Millis tick_ms = 0;
  bool held = false;
};

struct ImageInfo {
  std::string name;  // "grid", "1".."4", "upscale"
  std::optional<int> index;
  int width = 0;
  int height = 0;
};

// Width and height of one grid cell for an aspect ratio "W:H": the long side is 512 px.
std::pair<int, int> cellSize(std::string_view aspect_ratio);

// The result images of a completed job, in the contract's order (grid first, then cells 1-4).
std::vector<ImageInfo> resultImages(const Job& job);

// Text suggestions of a completed describe job.
std::vector<std::string> describePrompts(const Job& job);

// RFC 3339 UTC with milliseconds: 2025-01-01T00:00:00.000Z.
std::string formatTimestamp(Millis ms);

// The contract's Job object. Absent optional members are omitted rather than null, because the
// schema types them as object/string. Image URLs are `<base_url>/images/<id>/<name>.png`.
boost::json::object jobToJson(const Job& job, std::string_view base_url);

}  // namespace capstan::sandbox
