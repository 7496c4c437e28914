#include "sandbox/job.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <ctime>

namespace capstan::sandbox {

namespace {

constexpr std::array<std::string_view, 5> kStatusNames = {"pending", "in_progress", "completed",
                                                          "failed", "cancelled"};
constexpr std::array<std::string_view, 5> kTypeNames = {"imagine", "upscale", "variation",
                                                        "describe", "blend"};
constexpr int kCellLongSide = 512;
constexpr int kCellShortSideMin = 32;

int parseRatioPart(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value <= 0) return 1;
  return value;
}

bool hasGridResult(JobType type) {
  return type == JobType::kImagine || type == JobType::kVariation || type == JobType::kBlend;
}

}  // namespace

std::string_view toString(JobStatus status) { return kStatusNames[static_cast<int>(status)]; }
std::string_view toString(JobType type) { return kTypeNames[static_cast<int>(type)]; }

std::optional<JobStatus> parseJobStatus(std::string_view text) {
  for (std::size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == text) return static_cast<JobStatus>(i);
  }
  return std::nullopt;
}

std::optional<JobType> parseJobType(std::string_view text) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == text) return static_cast<JobType>(i);
  }
  return std::nullopt;
}

bool isTerminal(JobStatus status) {
  return status == JobStatus::kCompleted || status == JobStatus::kFailed ||
         status == JobStatus::kCancelled;
}

std::pair<int, int> cellSize(std::string_view aspect_ratio) {
  auto colon = aspect_ratio.find(':');
  if (colon == std::string_view::npos) return {kCellLongSide, kCellLongSide};
  double w = parseRatioPart(aspect_ratio.substr(0, colon));
  double h = parseRatioPart(aspect_ratio.substr(colon + 1));
  if (w >= h) {
    int short_side =
        std::max(kCellShortSideMin, static_cast<int>(std::lround(kCellLongSide * h / w)));
    return {kCellLongSide, short_side};
  }
  int short_side =
      std::max(kCellShortSideMin, static_cast<int>(std::lround(kCellLongSide * w / h)));
  return {short_side, kCellLongSide};
}

std::vector<ImageInfo> resultImages(const Job& job) {
  std::vector<ImageInfo> images;
  if (job.status != JobStatus::kCompleted) return images;
  auto [w, h] = cellSize(job.parameters.aspect_ratio);
  if (job.type == JobType::kUpscale) {
    images.push_back({"upscale", std::nullopt, 2 * w, 2 * h});
    return images;
  }
  if (!hasGridResult(job.type)) return images;
  images.push_back({"grid", std::nullopt, 2 * w, 2 * h});
  for (int i = 1; i <= 4; ++i) images.push_back({std::to_string(i), i, w, h});
  return images;
}

std::vector<std::string> describePrompts(const Job& job) {
  // Four suggestions in the shape Midjourney's /describe produces: a subject, a style, a
  // parameter; varied by the seed so that two describe jobs differ.
  static constexpr std::array<std::string_view, 6> kStyles = {
      "soft watercolor washes", "cinematic lighting", "muted pastel palette",
      "bold graphic shapes",    "misty atmosphere",   "golden hour glow"};
  std::vector<std::string> prompts;
  auto seed = static_cast<std::uint64_t>(job.parameters.seed);
  for (std::uint64_t i = 0; i < 4; ++i) {
    auto style = kStyles[(seed + i * 7) % kStyles.size()];
    prompts.push_back(fmt::format("a quiet landscape of rolling hills, {} --ar {}", style,
                                  job.parameters.aspect_ratio));
  }
  return prompts;
}

std::string formatTimestamp(Millis ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  Millis millis = ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

boost::json::object jobToJson(const Job& job, std::string_view base_url) {
  boost::json::object out;
  out["id"] = job.id;
  out["type"] = toString(job.type);
  out["status"] = toString(job.status);
  out["progress"] = job.progress;
  if (job.type != JobType::kDescribe || !job.prompt.empty()) out["prompt"] = job.prompt;

  boost::json::object params;
  params["aspect_ratio"] = job.parameters.aspect_ratio;
  params["model_version"] = job.parameters.model_version;
  params["process_mode"] = job.parameters.process_mode;
  params["quality"] = job.parameters.quality;
  params["stylize"] = job.parameters.stylize;
  params["chaos"] = job.parameters.chaos;
  params["seed"] = job.parameters.seed;
  if (job.parameters.no) params["no"] = *job.parameters.no;
  out["parameters"] = std::move(params);

  if (job.parent_job_id) out["parent_job_id"] = *job.parent_job_id;
  if (job.image_index) out["image_index"] = *job.image_index;

  if (job.status == JobStatus::kCompleted) {
    boost::json::object result;
    boost::json::array images;
    for (const auto& image : resultImages(job)) {
      boost::json::object item;
      item["url"] = fmt::format("{}/images/{}/{}.png", base_url, job.id, image.name);
      // The grid and an upscale have no cell index; the schema types `index` as a bare
      // integer, so it is omitted rather than null.
      if (image.index) item["index"] = *image.index;
      item["width"] = image.width;
      item["height"] = image.height;
      item["content_type"] = "image/png";
      images.push_back(std::move(item));
    }
    result["images"] = std::move(images);
    if (job.type == JobType::kDescribe) {
      boost::json::array prompts;
      for (auto& text : describePrompts(job)) prompts.push_back(boost::json::string(text));
      result["prompts"] = std::move(prompts);
    }
    out["result"] = std::move(result);
  }
  if (job.error_code) {
    out["error"] =
        boost::json::object{{"code", *job.error_code}, {"message", job.error_message.value_or("")}};
  }
  if (job.webhook_url) out["webhook_url"] = *job.webhook_url;
  if (job.webhook_type) out["webhook_type"] = *job.webhook_type;
  out["created_at"] = formatTimestamp(job.created_at);
  out["updated_at"] = formatTimestamp(job.updated_at);
  if (job.completed_at) out["completed_at"] = formatTimestamp(*job.completed_at);
  return out;
}

}  // namespace capstan::sandbox
