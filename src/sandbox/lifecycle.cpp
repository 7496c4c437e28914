#include "sandbox/lifecycle.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

namespace capstan::sandbox {

namespace {

constexpr std::array<std::string_view, 5> kBannedWords = {"nsfw", "gore", "banned", "forbidden",
                                                          "explicit"};

bool isWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool containsWord(const std::string& haystack, std::string_view word) {
  for (auto pos = haystack.find(word); pos != std::string::npos;
       pos = haystack.find(word, pos + 1)) {
    bool starts = pos == 0 || !isWordChar(haystack[pos - 1]);
    auto end = pos + word.size();
    bool ends = end == haystack.size() || !isWordChar(haystack[end]);
    if (starts && ends) return true;
  }
  return false;
}

void finish(Job& job, JobStatus status, Millis now) {
  job.status = status;
  job.updated_at = now;
  job.completed_at = now;
}

}  // namespace

bool isGlitchPrompt(std::string_view prompt) { return containsWord(lowerAscii(prompt), "glitch"); }

bool isModeratedPrompt(std::string_view prompt) {
  auto lower = lowerAscii(prompt);
  return std::any_of(kBannedWords.begin(), kBannedWords.end(),
                     [&](std::string_view word) { return containsWord(lower, word); });
}

Pace paceFor(const Job& job, const Pace& base) {
  Pace pace = base;
  const auto& mode = job.parameters.process_mode;
  if (mode == "turbo") {
    pace.queue_ms /= 2;
    pace.run_ms /= 2;
  } else if (mode == "relax") {
    pace.queue_ms *= 4;
    pace.run_ms = pace.run_ms * 3 / 2;
  }
  if (job.type == JobType::kUpscale || job.type == JobType::kDescribe) pace.run_ms /= 2;
  return pace;
}

bool advanceJob(Job& job, Millis now, const Pace& base) {
  if (isTerminal(job.status) || job.held) return false;
  if (now > job.tick_ms) {
    job.work_ms += static_cast<Millis>(static_cast<double>(now - job.tick_ms) * base.speed);
    job.tick_ms = now;
  }
  Pace pace = paceFor(job, base);

  bool changed = false;
  if (job.status == JobStatus::kPending) {
    if (job.work_ms < pace.queue_ms) return false;
    // Midjourney checks the prompt before it spends GPU time, so a banned prompt fails from
    // pending with progress 0.
    if (isModeratedPrompt(job.prompt)) {
      job.error_code = "prompt_moderated";
      job.error_message =
          "Banned prompt detected: the AI moderator flagged this prompt; rephrase it and try "
          "again";
      finish(job, JobStatus::kFailed, now);
      return true;
    }
    job.status = JobStatus::kInProgress;
    job.progress = std::max(job.progress, 1);
    job.updated_at = now;
    changed = true;
  }

  Millis run_ms = std::max<Millis>(pace.run_ms, 1);
  Millis run_done = std::max<Millis>(job.work_ms - pace.queue_ms, 0);
  int target = 1 + static_cast<int>(std::min(run_done, run_ms) * 99 / run_ms);
  if (isGlitchPrompt(job.prompt) && target >= kGlitchFailsAt) {
    job.progress = std::max(job.progress, kGlitchFailsAt);
    job.error_code = "internal_error";
    job.error_message = "Sorry! Could not complete the job!";
    finish(job, JobStatus::kFailed, now);
    return true;
  }
  if (run_done >= run_ms) {
    job.progress = 100;
    finish(job, JobStatus::kCompleted, now);
    return true;
  }
  target = std::min(target, 99);
  if (target <= job.progress) return changed;
  job.progress = target;
  job.updated_at = now;
  return true;
}

CancelOutcome cancelJob(Job& job, Millis now) {
  if (job.status == JobStatus::kCancelled) return CancelOutcome::kAlreadyCancelled;
  if (job.status != JobStatus::kPending && job.status != JobStatus::kInProgress) {
    return CancelOutcome::kNotCancellable;
  }
  finish(job, JobStatus::kCancelled, now);
  return CancelOutcome::kCancelled;
}

}  // namespace capstan::sandbox
