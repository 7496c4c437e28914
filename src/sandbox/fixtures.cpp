#include "sandbox/fixtures.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace capstan::sandbox {

namespace {

// 2025-01-01T00:00:00Z
constexpr Millis kFixtureEpoch = 1'735'689'600'000;

constexpr std::array<std::string_view, 12> kPrompts = {
    "lighthouse at dusk above a calm sea",   "terraced tea fields in morning mist",
    "a fox asleep under autumn maples",      "desert dunes under a violet sky",
    "alpine lake with a wooden pier",        "paper lanterns drifting over a river",
    "a quiet harbour town in watercolor",    "northern lights over snowy pines",
    "sunflower field before a summer storm", "koi pond seen from above, ink wash",
    "an old observatory on a hill at night", "lavender rows leading to a stone farmhouse"};

constexpr std::array<std::string_view, 6> kRatios = {"1:1", "16:9", "2:3", "4:3", "3:2", "9:16"};
constexpr std::array<std::string_view, 4> kVersions = {"5.2", "6.0", "6.1", "7.0"};
constexpr std::array<std::string_view, 3> kModes = {"fast", "turbo", "relax"};

// One period of twelve: C C P I C F C X C I P X (completed, pending, in_progress, failed,
// cancelled) gives 30/12/12/6/12 jobs over 72.
constexpr std::array<JobStatus, 12> kStatusCycle = {
    JobStatus::kCompleted, JobStatus::kCompleted,  JobStatus::kPending,   JobStatus::kInProgress,
    JobStatus::kCompleted, JobStatus::kFailed,     JobStatus::kCompleted, JobStatus::kCancelled,
    JobStatus::kCompleted, JobStatus::kInProgress, JobStatus::kPending,   JobStatus::kCancelled};

constexpr std::array<JobType, 6> kTypeCycle = {JobType::kImagine,  JobType::kImagine,
                                               JobType::kUpscale,  JobType::kVariation,
                                               JobType::kDescribe, JobType::kBlend};

}  // namespace

std::string fixtureId(int n) { return fmt::format("3f1c0b9e-6a2d-4c1e-9f3b-{:012d}", n); }

std::vector<Job> fixtureJobs() {
  std::vector<Job> jobs;
  for (int i = 0; i < kFixtureCount; ++i) {
    Job job;
    auto u = static_cast<std::size_t>(i);
    job.id = fixtureId(i + 1);
    job.held = true;
    job.status = kStatusCycle[u % kStatusCycle.size()];
    job.type = i == 0 ? JobType::kImagine : kTypeCycle[u % kTypeCycle.size()];
    job.prompt = std::string(kPrompts[u % kPrompts.size()]);
    job.parameters.aspect_ratio = std::string(kRatios[u % kRatios.size()]);
    job.parameters.model_version = std::string(kVersions[u % kVersions.size()]);
    job.parameters.process_mode = std::string(kModes[u % kModes.size()]);
    job.parameters.stylize = 50 * (i % 5) + 100;
    job.parameters.seed = 1000 + (i * 7919) % 100000;
    // Pairs share a creation time, so the (created_at, id) tie-break is exercised.
    job.created_at = kFixtureEpoch + static_cast<Millis>(i / 2) * 300'000;

    if (job.type == JobType::kUpscale || job.type == JobType::kVariation) {
      // Children of fixture 1, a completed imagine job, painted from the same prompt and seed.
      job.parent_job_id = fixtureId(1);
      job.image_index = 1 + i % 4;
      job.prompt = std::string(kPrompts[0]);
      job.parameters.seed = 1000;
      job.parameters.aspect_ratio = "1:1";
    }
    if (job.type == JobType::kDescribe) {
      job.prompt.clear();
      job.image_url = fmt::format("https://example.com/reference/{}.png", i + 1);
    }

    switch (job.status) {
      case JobStatus::kPending:
        job.progress = 0;
        job.updated_at = job.created_at;
        break;
      case JobStatus::kInProgress:
        job.progress = 5 + (i * 37) % 90;
        job.updated_at = job.created_at + 20'000;
        break;
      case JobStatus::kCompleted:
        job.progress = 100;
        job.updated_at = job.created_at + 65'000;
        job.completed_at = job.updated_at;
        break;
      case JobStatus::kFailed:
        if ((i / 12) % 2 == 0) {
          job.prompt = "banned nsfw scene " + std::to_string(i + 1);
          job.progress = 0;
          job.error_code = "prompt_moderated";
          job.error_message =
              "Banned prompt detected: the AI moderator flagged this prompt; rephrase it and try "
              "again";
        } else {
          job.progress = 40;
          job.error_code = "internal_error";
          job.error_message = "Sorry! Could not complete the job!";
        }
        job.updated_at = job.created_at + 3'000;
        job.completed_at = job.updated_at;
        break;
      case JobStatus::kCancelled:
        job.progress = (i / 12) % 2 == 0 ? 0 : 55;
        job.updated_at = job.created_at + 30'000;
        job.completed_at = job.updated_at;
        break;
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace capstan::sandbox
