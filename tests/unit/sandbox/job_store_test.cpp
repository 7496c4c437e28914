#include "sandbox/job_store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Exception.h>
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "sandbox/fixtures.hpp"
#include "support/json_text.hpp"
#include "test_support.hpp"

namespace capstan::sandbox {
namespace {

constexpr Millis kStart = 1'700'000'000'000;

Job makeJob(std::string id, Millis created, JobStatus status = JobStatus::kPending) {
  Job job;
  job.id = std::move(id);
  job.prompt = "alpine lake";
  job.status = status;
  job.created_at = created;
  job.updated_at = created;
  job.tick_ms = created;
  if (isTerminal(status)) {
    job.completed_at = created;
    if (status == JobStatus::kCompleted) job.progress = 100;
  }
  return job;
}

TEST(JobStore, InsertedJobIsFoundWithEveryField) {
  testing::TempDatabase db;
  JobStore store(db.path());
  auto job = makeJob("a", kStart);
  job.parameters.aspect_ratio = "16:9";
  job.parameters.quality = 0.25;
  job.parameters.seed = 4294967295;
  job.parameters.no = "people";
  job.webhook_url = "https://example.com/hook";
  job.webhook_type = "progress";
  store.insert(job);

  auto found = store.find("a");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->parameters.aspect_ratio, "16:9");
  EXPECT_EQ(found->parameters.quality, 0.25);
  EXPECT_EQ(found->parameters.seed, 4294967295);
  EXPECT_EQ(found->parameters.no, "people");
  EXPECT_EQ(found->webhook_url, "https://example.com/hook");
  EXPECT_EQ(found->webhook_type, "progress");
  EXPECT_FALSE(found->completed_at);
}

TEST(JobStore, UnknownIdIsNotFound) {
  testing::TempDatabase db;
  JobStore store(db.path());
  EXPECT_FALSE(store.find("missing"));
  EXPECT_FALSE(store.cancel("missing", kStart).job);
}

TEST(JobStore, JobsSurviveReopening) {
  testing::TempDatabase db;
  {
    JobStore store(db.path());
    store.insert(makeJob("kept", kStart));
    store.cancel("kept", kStart + 10);
  }
  JobStore reopened(db.path());
  auto job = reopened.find("kept");
  ASSERT_TRUE(job);
  EXPECT_EQ(job->status, JobStatus::kCancelled);
  EXPECT_EQ(reopened.list({}).total, 1);
}

TEST(JobStore, DatabaseUsesWriteAheadLogging) {
  testing::TempDatabase db;
  { JobStore store(db.path()); }
  SQLite::Database raw(db.path());
  EXPECT_EQ(raw.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST(JobStore, TerminalJobWithoutCompletedAtIsRefused) {
  testing::TempDatabase db;
  JobStore store(db.path());
  auto job = makeJob("bad", kStart, JobStatus::kCompleted);
  job.completed_at.reset();
  EXPECT_THROW(store.insert(job), SQLite::Exception) << "terminal <=> completed_at set";
}

TEST(JobStore, ListFiltersByStatusAndCountsMatches) {
  testing::TempDatabase db;
  JobStore store(db.path());
  store.replaceMany(fixtureJobs());
  auto page = store.list({JobStatus::kPending, 5, 0, false});
  EXPECT_EQ(page.total, 12);
  ASSERT_EQ(page.jobs.size(), 5u);
  for (const auto& job : page.jobs) EXPECT_EQ(job.status, JobStatus::kPending);
  EXPECT_EQ(store.list({}).total, kFixtureCount);
}

TEST(JobStore, ListOrdersByCreatedAtThenIdBothWays) {
  testing::TempDatabase db;
  JobStore store(db.path());
  store.insertMany({makeJob("b", kStart), makeJob("a", kStart), makeJob("c", kStart - 1)});
  auto desc = store.list({std::nullopt, 25, 0, false}).jobs;
  ASSERT_EQ(desc.size(), 3u);
  EXPECT_EQ(desc[0].id, "b");
  EXPECT_EQ(desc[1].id, "a");
  EXPECT_EQ(desc[2].id, "c");
  auto asc = store.list({std::nullopt, 25, 0, true}).jobs;
  EXPECT_EQ(asc[0].id, "c");
  EXPECT_EQ(asc[1].id, "a");
  EXPECT_EQ(asc[2].id, "b");
}

TEST(JobStore, PagesCoverEveryJobExactlyOnce) {
  testing::TempDatabase db;
  JobStore store(db.path());
  store.replaceMany(fixtureJobs());
  std::set<std::string> seen;
  for (std::int64_t offset = 0; offset < kFixtureCount; offset += 25) {
    for (const auto& job : store.list({std::nullopt, 25, offset, true}).jobs) {
      EXPECT_TRUE(seen.insert(job.id).second) << job.id << " appeared twice";
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kFixtureCount));
}

TEST(JobStore, OffsetBeyondTotalGivesEmptyPage) {
  testing::TempDatabase db;
  JobStore store(db.path());
  store.replaceMany(fixtureJobs());
  auto page = store.list({std::nullopt, 25, 1'000, false});
  EXPECT_TRUE(page.jobs.empty());
  EXPECT_EQ(page.total, kFixtureCount);
}

TEST(JobStore, CountsFollowStatusChanges) {
  testing::TempDatabase db;
  JobStore store(db.path());
  store.insert(makeJob("x", kStart));
  store.cancel("x", kStart + 1);
  EXPECT_EQ(store.list({JobStatus::kPending, 25, 0, false}).total, 0);
  EXPECT_EQ(store.list({JobStatus::kCancelled, 25, 0, false}).total, 1);
}

TEST(JobStore, ConcurrentCancelsMakeOneTransitionWithIdenticalResults) {
  testing::TempDatabase db;
  JobStore store(db.path());
  store.insert(makeJob("race", kStart));
  constexpr int kThreads = 8;
  std::vector<CancelResult> results(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back(
        [&, i] { results[static_cast<std::size_t>(i)] = store.cancel("race", kStart + 1 + i); });
  }
  for (auto& thread : threads) thread.join();

  int transitions = 0;
  for (const auto& result : results) {
    ASSERT_TRUE(result.job);
    transitions += result.outcome == CancelOutcome::kCancelled ? 1 : 0;
    EXPECT_EQ(result.job->status, JobStatus::kCancelled);
    EXPECT_EQ(result.job->updated_at, results[0].job->updated_at) << "identical bodies";
  }
  EXPECT_EQ(transitions, 1);
}

TEST(JobStore, AdvanceMovesActiveJobsButNotHeldOnes) {
  testing::TempDatabase db;
  JobStore store(db.path());
  auto held = makeJob("held", kStart);
  held.held = true;
  store.insertMany({makeJob("live", kStart), held});
  store.advanceActive(kStart + 60'000, Pace{});
  EXPECT_EQ(store.find("live")->status, JobStatus::kCompleted);
  EXPECT_EQ(store.find("held")->status, JobStatus::kPending);
}

TEST(JobStore, ResumedJobDoesNotCountDowntimeAsWork) {
  testing::TempDatabase db;
  {
    JobStore store(db.path());
    store.insert(makeJob("resumed", kStart));
    store.advanceActive(kStart + 3'000, Pace{});
  }
  JobStore store(db.path());
  auto before = store.find("resumed");
  ASSERT_EQ(before->status, JobStatus::kInProgress);
  // An hour of downtime, then resume: the job continues from where it was.
  store.resumeActive(kStart + 3'600'000);
  store.advanceActive(kStart + 3'600'500, Pace{});
  auto after = store.find("resumed");
  EXPECT_EQ(after->status, JobStatus::kInProgress);
  EXPECT_GE(after->progress, before->progress);
  store.advanceActive(kStart + 3'610'000, Pace{});
  EXPECT_EQ(store.find("resumed")->status, JobStatus::kCompleted);
}

TEST(Fixtures, CoverEveryStatusAndTypeOverSeveralPages) {
  auto jobs = fixtureJobs();
  EXPECT_GE(jobs.size(), 60u);
  std::map<JobStatus, int> statuses;
  std::set<JobType> types;
  for (const auto& job : jobs) {
    ++statuses[job.status];
    types.insert(job.type);
    EXPECT_EQ(isTerminal(job.status), job.completed_at.has_value()) << job.id;
  }
  EXPECT_EQ(statuses.size(), 5u);
  for (auto [status, count] : statuses) EXPECT_GE(count, 2) << toString(status);
  EXPECT_EQ(types.size(), 5u);
}

TEST(Fixtures, AreIdenticalOnEveryCall) {
  auto a = fixtureJobs();
  auto b = fixtureJobs();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(capstan::toJsonText(jobToJson(a[i], "http://x")),
              capstan::toJsonText(jobToJson(b[i], "http://x")));
  }
}

}  // namespace
}  // namespace capstan::sandbox
