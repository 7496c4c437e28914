// GET /v1/jobs over a sandbox store of 100,000 jobs (#3): one page of 25, filtered by status and
// sorted by created_at, measured at the store (SQLite query + row decoding) and through the
// whole Api (target parsing, validation, query, Job JSON, serialisation). Target: p50 <= 1 ms.
//
//   build/<dir>/bench/bench_sandbox_list --benchmark_min_time=2
//
// The p50_us / p99_us counters are per-call percentiles over every timed iteration.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sandbox/api.hpp"
#include "sandbox/clock.hpp"
#include "sandbox/job_store.hpp"

namespace capstan::sandbox {
namespace {

constexpr int kJobCount = 100'000;
constexpr Millis kStart = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr std::array<JobStatus, 10> kMix = {
    JobStatus::kCompleted, JobStatus::kCompleted, JobStatus::kCompleted, JobStatus::kCompleted,
    JobStatus::kCompleted, JobStatus::kFailed,    JobStatus::kCancelled, JobStatus::kCancelled,
    JobStatus::kPending,   JobStatus::kInProgress};

Job benchJob(int i) {
  Job job;
  job.id = fmt::format("7b0d2c4e-1f3a-4b5c-8d6e-{:012x}", static_cast<unsigned>(i) * 2654435761U);
  job.type = i % 7 == 3 ? JobType::kUpscale : JobType::kImagine;
  job.status = kMix[static_cast<std::size_t>(i) % kMix.size()];
  job.prompt = fmt::format("a harbour town at dawn, watercolor, soft light, study number {}", i);
  job.parameters.aspect_ratio = i % 3 == 0 ? "16:9" : "1:1";
  job.parameters.seed = i;
  // Several jobs per millisecond: the (created_at, id) tie-break is part of every page.
  job.created_at = kStart + i / 3;
  job.updated_at = job.created_at + 1'000;
  job.tick_ms = job.updated_at;
  job.held = true;
  switch (job.status) {
    case JobStatus::kPending:
      job.updated_at = job.created_at;
      break;
    case JobStatus::kInProgress:
      job.progress = 1 + i % 99;
      break;
    case JobStatus::kCompleted:
      job.progress = 100;
      job.completed_at = job.updated_at;
      break;
    case JobStatus::kFailed:
      job.error_code = "prompt_moderated";
      job.error_message = "Banned prompt detected";
      job.completed_at = job.updated_at;
      break;
    case JobStatus::kCancelled:
      job.progress = i % 60;
      job.completed_at = job.updated_at;
      break;
  }
  return job;
}

// One store of 100,000 jobs for the whole program, in a temporary file.
struct Fixture {
  std::string path;
  std::unique_ptr<JobStore> store;
  ManualClock clock{kStart};
  std::unique_ptr<Api> api;

  Fixture() {
    path = (std::filesystem::temp_directory_path() /
            fmt::format("capstan-bench-sandbox-{}.db", static_cast<long>(::getpid())))
               .string();
    store = std::make_unique<JobStore>(path);
    std::vector<Job> jobs;
    jobs.reserve(kJobCount);
    for (int i = 0; i < kJobCount; ++i) jobs.push_back(benchJob(i));
    store->insertMany(jobs);
    api = std::make_unique<Api>(*store, clock, "bench-token", FaultOptions{}, 1);
    api->setBaseUrl("http://127.0.0.1:4010");
  }
  ~Fixture() {
    api.reset();
    store.reset();
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ignored);
  }
};

Fixture& fixture() {
  static Fixture instance;
  return instance;
}

// Times each iteration itself so that the counters are real per-call percentiles.
template <typename Call>
void runTimed(benchmark::State& state, Call&& call) {
  std::vector<double> micros;
  for (auto _ : state) {
    auto started = std::chrono::steady_clock::now();
    call();
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - started)
            .count());
  }
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<std::size_t>(q * (micros.size() - 1))]; };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}

const std::array<JobStatus, 3> kFilters = {JobStatus::kCompleted, JobStatus::kCancelled,
                                           JobStatus::kInProgress};

// Store only. Args: offset, ascending (0/1).
void BM_StoreListPage(benchmark::State& state) {
  auto& f = fixture();
  std::size_t turn = 0;
  runTimed(state, [&] {
    ListQuery query;
    query.status = kFilters[turn++ % kFilters.size()];
    query.limit = 25;
    query.offset = state.range(0);
    query.ascending = state.range(1) != 0;
    auto page = f.store->list(query);
    benchmark::DoNotOptimize(page);
  });
}
BENCHMARK(BM_StoreListPage)
    ->ArgNames({"offset", "asc"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1'000, 0})
    ->Args({20'000, 1});

// The whole request as the HTTP glue hands it over: bearer check, strict query parsing, the
// page, JSON for 25 jobs (with result image URLs) and serialisation.
void BM_ApiListPage(benchmark::State& state) {
  auto& f = fixture();
  std::array<std::string, 3> targets;
  const char* sort = state.range(1) != 0 ? "created_at_asc" : "created_at_desc";
  for (std::size_t i = 0; i < kFilters.size(); ++i) {
    targets[i] = fmt::format("/v1/jobs?status={}&limit=25&offset={}&sort={}", toString(kFilters[i]),
                             state.range(0), sort);
  }
  std::size_t turn = 0;
  std::size_t bytes = 0;
  runTimed(state, [&] {
    ApiRequest request;
    request.method = "GET";
    request.target = targets[turn++ % targets.size()];
    request.headers = {{"Authorization", "Bearer bench-token"}};
    auto response = f.api->handle(request);
    if (response.status != 200) state.SkipWithError(response.body.c_str());
    bytes += response.body.size();
    benchmark::DoNotOptimize(response);
  });
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_ApiListPage)
    ->ArgNames({"offset", "asc"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1'000, 0})
    ->Args({20'000, 1});

}  // namespace
}  // namespace capstan::sandbox
