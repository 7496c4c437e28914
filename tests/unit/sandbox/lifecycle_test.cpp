#include "sandbox/lifecycle.hpp"

#include <gtest/gtest.h>

namespace capstan::sandbox {
namespace {

constexpr Millis kStart = 1'700'000'000'000;

Job pendingJob(std::string prompt = "lighthouse at dusk") {
  Job job;
  job.id = "3f1c0b9e-6a2d-4c1e-9f3b-000000000001";
  job.prompt = std::move(prompt);
  job.created_at = kStart;
  job.updated_at = kStart;
  job.tick_ms = kStart;
  return job;
}

// Pace at speed 1: queue 1 s, run 6 s (fast mode).
const Pace kPace{};

TEST(Lifecycle, PendingJobStaysPendingWhileQueued) {
  auto job = pendingJob();
  EXPECT_FALSE(advanceJob(job, kStart + 999, kPace));
  EXPECT_EQ(job.status, JobStatus::kPending);
  EXPECT_EQ(job.progress, 0);
  EXPECT_FALSE(job.completed_at);
}

TEST(Lifecycle, QueuedJobStartsWithProgressAtLeastOne) {
  auto job = pendingJob();
  EXPECT_TRUE(advanceJob(job, kStart + 1'000, kPace));
  EXPECT_EQ(job.status, JobStatus::kInProgress);
  EXPECT_GE(job.progress, 1);
  EXPECT_LE(job.progress, 99);
  EXPECT_EQ(job.updated_at, kStart + 1'000);
  EXPECT_FALSE(job.completed_at);
}

TEST(Lifecycle, ProgressRisesAsIntegerAndNeverDecreases) {
  auto job = pendingJob();
  int last = 0;
  for (Millis t = kStart; t < kStart + 7'000; t += 250) {
    advanceJob(job, t, kPace);
    ASSERT_GE(job.progress, last) << "progress went down at t=" << t - kStart;
    last = job.progress;
    if (job.status == JobStatus::kInProgress) {
      ASSERT_LE(job.progress, 99);
    }
  }
  EXPECT_GT(last, 50);
}

TEST(Lifecycle, JobCompletesWithFullProgressAndCompletedAt) {
  auto job = pendingJob();
  advanceJob(job, kStart + 1'000, kPace);
  EXPECT_TRUE(advanceJob(job, kStart + 7'000, kPace));
  EXPECT_EQ(job.status, JobStatus::kCompleted);
  EXPECT_EQ(job.progress, 100);
  ASSERT_TRUE(job.completed_at);
  EXPECT_EQ(*job.completed_at, kStart + 7'000);
  EXPECT_EQ(job.updated_at, *job.completed_at);
}

TEST(Lifecycle, TerminalJobNeverChangesAgain) {
  auto job = pendingJob();
  advanceJob(job, kStart + 10'000, kPace);
  ASSERT_EQ(job.status, JobStatus::kCompleted);
  auto before = job.updated_at;
  EXPECT_FALSE(advanceJob(job, kStart + 100'000, kPace));
  EXPECT_EQ(job.updated_at, before);
}

TEST(Lifecycle, ModeratedPromptFailsFromPendingWithProgressZero) {
  auto job = pendingJob("a gore scene");
  EXPECT_TRUE(advanceJob(job, kStart + 1'000, kPace));
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.progress, 0);
  EXPECT_EQ(job.error_code, "prompt_moderated");
  ASSERT_TRUE(job.error_message);
  EXPECT_NE(job.error_message->find("Banned prompt"), std::string::npos);
  EXPECT_TRUE(job.completed_at);
}

TEST(Lifecycle, ModerationMatchesWholeWordsCaseInsensitively) {
  EXPECT_TRUE(isModeratedPrompt("NSFW poster"));
  EXPECT_TRUE(isModeratedPrompt("a forbidden, dark forest"));
  EXPECT_FALSE(isModeratedPrompt("a gorgeous sunset")) << "'gore' inside 'gorgeous'";
  EXPECT_FALSE(isModeratedPrompt("lighthouse at dusk"));
}

TEST(Lifecycle, GlitchPromptFailsWhileRunningWithProgressFrozen) {
  auto job = pendingJob("a glitch in the matrix");
  for (Millis t = kStart; t <= kStart + 7'000; t += 100) advanceJob(job, t, kPace);
  EXPECT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(job.error_code, "internal_error");
  EXPECT_EQ(job.progress, kGlitchFailsAt);
  EXPECT_TRUE(job.completed_at);
}

TEST(Lifecycle, SpeedFactorScalesThePace) {
  auto job = pendingJob();
  Pace fast = kPace;
  fast.speed = 10;
  advanceJob(job, kStart + 700, fast);
  EXPECT_EQ(job.status, JobStatus::kCompleted) << "7 s of work at 10x takes 0.7 s";
}

TEST(Lifecycle, SpeedZeroFreezesJobs) {
  auto job = pendingJob();
  Pace frozen = kPace;
  frozen.speed = 0;
  EXPECT_FALSE(advanceJob(job, kStart + 1'000'000, frozen));
  EXPECT_EQ(job.status, JobStatus::kPending);
}

TEST(Lifecycle, HeldJobIsNeverAdvanced) {
  auto job = pendingJob();
  job.held = true;
  EXPECT_FALSE(advanceJob(job, kStart + 100'000, kPace));
  EXPECT_EQ(job.status, JobStatus::kPending);
}

TEST(Lifecycle, RelaxModeQueuesLongerThanFast) {
  auto fast = pendingJob();
  auto relax = pendingJob();
  relax.parameters.process_mode = "relax";
  advanceJob(fast, kStart + 2'000, kPace);
  advanceJob(relax, kStart + 2'000, kPace);
  EXPECT_EQ(fast.status, JobStatus::kInProgress);
  EXPECT_EQ(relax.status, JobStatus::kPending);
}

TEST(Lifecycle, CancelOfPendingJobFreezesProgressAtZero) {
  auto job = pendingJob();
  EXPECT_EQ(cancelJob(job, kStart + 5), CancelOutcome::kCancelled);
  EXPECT_EQ(job.status, JobStatus::kCancelled);
  EXPECT_EQ(job.progress, 0);
  EXPECT_EQ(job.completed_at, kStart + 5);
  EXPECT_EQ(job.updated_at, kStart + 5);
}

TEST(Lifecycle, CancelOfInProgressJobKeepsItsProgress) {
  auto job = pendingJob();
  advanceJob(job, kStart + 4'000, kPace);
  ASSERT_EQ(job.status, JobStatus::kInProgress);
  int progress = job.progress;
  EXPECT_EQ(cancelJob(job, kStart + 4'001), CancelOutcome::kCancelled);
  EXPECT_EQ(job.progress, progress);
  EXPECT_FALSE(advanceJob(job, kStart + 100'000, kPace)) << "a cancelled job stays cancelled";
}

TEST(Lifecycle, CancelOfCancelledJobChangesNothing) {
  auto job = pendingJob();
  cancelJob(job, kStart + 5);
  EXPECT_EQ(cancelJob(job, kStart + 9), CancelOutcome::kAlreadyCancelled);
  EXPECT_EQ(job.updated_at, kStart + 5);
  EXPECT_EQ(job.completed_at, kStart + 5);
}

TEST(Lifecycle, CancelOfCompletedJobIsRejected) {
  auto job = pendingJob();
  advanceJob(job, kStart + 10'000, kPace);
  EXPECT_EQ(cancelJob(job, kStart + 10'001), CancelOutcome::kNotCancellable);
  EXPECT_EQ(job.status, JobStatus::kCompleted);
}

TEST(Lifecycle, CancelOfFailedJobIsRejected) {
  auto job = pendingJob("nsfw");
  advanceJob(job, kStart + 10'000, kPace);
  ASSERT_EQ(job.status, JobStatus::kFailed);
  EXPECT_EQ(cancelJob(job, kStart + 10'001), CancelOutcome::kNotCancellable);
  EXPECT_EQ(job.status, JobStatus::kFailed);
}

}  // namespace
}  // namespace capstan::sandbox
