// Jobs in SQLite (WAL): they survive a restart, and list pages come from indexes on
// (status, created_at, id) and (created_at, id). Every public call is atomic: one connection
// behind a mutex, and multi-statement changes inside one transaction.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/job.hpp"
#include "sandbox/lifecycle.hpp"

namespace SQLite {
class Database;
}

namespace capstan::sandbox {

struct ListQuery {
  std::optional<JobStatus> status;
  int limit = 25;
  std::int64_t offset = 0;
  bool ascending = false;
};

struct ListPage {
  std::vector<Job> jobs;
  std::int64_t total = 0;
};

struct CancelResult {
  std::optional<Job> job;  // empty when the id is unknown
  CancelOutcome outcome = CancelOutcome::kNotCancellable;
};

class JobStore {
 public:
  // Opens (creating when missing) the database at `path`. Throws SQLite::Exception.
  explicit JobStore(const std::string& path);
  ~JobStore();
  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  void insert(const Job& job);
  // One transaction for all of them (fixtures, benchmarks).
  void insertMany(const std::vector<Job>& jobs);
  // Replaces jobs with the same id, so that fixtures start from their defined state.
  void replaceMany(const std::vector<Job>& jobs);

  std::optional<Job> find(std::string_view id);
  ListPage list(const ListQuery& query);
  std::int64_t count();
  // The newest `limit` jobs, for the gallery.
  std::vector<Job> newest(int limit);

  // Compare-and-set on the status, in one transaction: exactly one concurrent caller moves a
  // job to cancelled; the others see it already cancelled and get the same row back.
  CancelResult cancel(std::string_view id, Millis now);

  // Runs the state machine over every active, non-held job. Returns how many changed visibly.
  std::size_t advanceActive(Millis now, const Pace& pace);

  // After a restart, the time the sandbox was down is not work done: active jobs resume from the
  // progress they had.
  void resumeActive(Millis now);

 private:
  void insertLocked(const Job& job);
  void updateLocked(const Job& job);
  std::optional<Job> findLocked(std::string_view id);

  std::mutex mutex_;
  std::unique_ptr<SQLite::Database> db_;
};

}  // namespace capstan::sandbox
