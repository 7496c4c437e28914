#include "sandbox/job_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

namespace capstan::sandbox {

namespace {

// The CHECK constraints are the research notes' invariants: terminal <=> completed_at set,
// progress within 0..100.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT NOT NULL PRIMARY KEY,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  progress INTEGER NOT NULL CHECK (progress BETWEEN 0 AND 100),
  prompt TEXT NOT NULL,
  aspect_ratio TEXT NOT NULL,
  model_version TEXT NOT NULL,
  process_mode TEXT NOT NULL,
  quality REAL NOT NULL,
  stylize INTEGER NOT NULL,
  chaos INTEGER NOT NULL,
  seed INTEGER NOT NULL,
  negative TEXT,
  parent_job_id TEXT,
  image_index INTEGER,
  error_code TEXT,
  error_message TEXT,
  webhook_url TEXT,
  webhook_type TEXT,
  image_url TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER,
  work_ms INTEGER NOT NULL DEFAULT 0,
  tick_ms INTEGER NOT NULL DEFAULT 0,
  held INTEGER NOT NULL DEFAULT 0,
  CHECK ((completed_at IS NULL) = (status IN ('pending', 'in_progress')))
);
CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs (created_at, id);
CREATE INDEX IF NOT EXISTS jobs_by_status_created ON jobs (status, created_at, id);
CREATE TABLE IF NOT EXISTS job_counts (status TEXT NOT NULL PRIMARY KEY, n INTEGER NOT NULL);
INSERT OR IGNORE INTO job_counts (status, n) VALUES
  ('pending', 0), ('in_progress', 0), ('completed', 0), ('failed', 0), ('cancelled', 0);
CREATE TRIGGER IF NOT EXISTS jobs_count_insert AFTER INSERT ON jobs BEGIN
  UPDATE job_counts SET n = n + 1 WHERE status = new.status;
END;
CREATE TRIGGER IF NOT EXISTS jobs_count_delete AFTER DELETE ON jobs BEGIN
  UPDATE job_counts SET n = n - 1 WHERE status = old.status;
END;
CREATE TRIGGER IF NOT EXISTS jobs_count_update AFTER UPDATE OF status ON jobs
WHEN old.status <> new.status BEGIN
  UPDATE job_counts SET n = n - 1 WHERE status = old.status;
  UPDATE job_counts SET n = n + 1 WHERE status = new.status;
END;
)sql";

constexpr const char* kColumns =
    "id, type, status, progress, prompt, aspect_ratio, model_version, process_mode, quality, "
    "stylize, chaos, seed, negative, parent_job_id, image_index, error_code, error_message, "
    "webhook_url, webhook_type, image_url, created_at, updated_at, completed_at, work_ms, "
    "tick_ms, held";

std::optional<std::string> optionalText(const SQLite::Column& column) {
  if (column.isNull()) return std::nullopt;
  return column.getString();
}

Job rowToJob(SQLite::Statement& row) {
  Job job;
  job.id = row.getColumn(0).getString();
  job.type = parseJobType(row.getColumn(1).getString()).value_or(JobType::kImagine);
  job.status = parseJobStatus(row.getColumn(2).getString()).value_or(JobStatus::kFailed);
  job.progress = row.getColumn(3).getInt();
  job.prompt = row.getColumn(4).getString();
  job.parameters.aspect_ratio = row.getColumn(5).getString();
  job.parameters.model_version = row.getColumn(6).getString();
  job.parameters.process_mode = row.getColumn(7).getString();
  job.parameters.quality = row.getColumn(8).getDouble();
  job.parameters.stylize = row.getColumn(9).getInt();
  job.parameters.chaos = row.getColumn(10).getInt();
  job.parameters.seed = row.getColumn(11).getInt64();
  job.parameters.no = optionalText(row.getColumn(12));
  job.parent_job_id = optionalText(row.getColumn(13));
  if (!row.getColumn(14).isNull()) job.image_index = row.getColumn(14).getInt();
  job.error_code = optionalText(row.getColumn(15));
  job.error_message = optionalText(row.getColumn(16));
  job.webhook_url = optionalText(row.getColumn(17));
  job.webhook_type = optionalText(row.getColumn(18));
  job.image_url = optionalText(row.getColumn(19));
  job.created_at = row.getColumn(20).getInt64();
  job.updated_at = row.getColumn(21).getInt64();
  if (!row.getColumn(22).isNull()) job.completed_at = row.getColumn(22).getInt64();
  job.work_ms = row.getColumn(23).getInt64();
  job.tick_ms = row.getColumn(24).getInt64();
  job.held = row.getColumn(25).getInt() != 0;
  return job;
}

void bindOptional(SQLite::Statement& statement, int index, const std::optional<std::string>& v) {
  if (v) {
    statement.bind(index, *v);
  } else {
    statement.bind(index);
  }
}

void bindOptional(SQLite::Statement& statement, int index, const std::optional<Millis>& v) {
  if (v) {
    statement.bind(index, static_cast<std::int64_t>(*v));
  } else {
    statement.bind(index);
  }
}

std::vector<Job> collect(SQLite::Statement& statement) {
  std::vector<Job> jobs;
  while (statement.executeStep()) jobs.push_back(rowToJob(statement));
  return jobs;
}

}  // namespace

JobStore::JobStore(const std::string& path)
    : db_(std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE)) {
  db_->exec("PRAGMA journal_mode = WAL");
  // WAL with synchronous=NORMAL survives a process crash; only a power loss may drop the last
  // transactions, which is fine for a development upstream.
  db_->exec("PRAGMA synchronous = NORMAL");
  db_->setBusyTimeout(5'000);
  SQLite::Transaction transaction(*db_);
  db_->exec(kSchema);
  transaction.commit();
}

JobStore::~JobStore() = default;

void JobStore::insertLocked(const Job& job) {
  SQLite::Statement insert(*db_, std::string("INSERT INTO jobs (") + kColumns +
                                     ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                                     "?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.bind(1, job.id);
  insert.bind(2, std::string(toString(job.type)));
  insert.bind(3, std::string(toString(job.status)));
  insert.bind(4, job.progress);
  insert.bind(5, job.prompt);
  insert.bind(6, job.parameters.aspect_ratio);
  insert.bind(7, job.parameters.model_version);
  insert.bind(8, job.parameters.process_mode);
  insert.bind(9, job.parameters.quality);
  insert.bind(10, job.parameters.stylize);
  insert.bind(11, job.parameters.chaos);
  insert.bind(12, static_cast<std::int64_t>(job.parameters.seed));
  bindOptional(insert, 13, job.parameters.no);
  bindOptional(insert, 14, job.parent_job_id);
  if (job.image_index) {
    insert.bind(15, *job.image_index);
  } else {
    insert.bind(15);
  }
  bindOptional(insert, 16, job.error_code);
  bindOptional(insert, 17, job.error_message);
  bindOptional(insert, 18, job.webhook_url);
  bindOptional(insert, 19, job.webhook_type);
  bindOptional(insert, 20, job.image_url);
  insert.bind(21, static_cast<std::int64_t>(job.created_at));
  insert.bind(22, static_cast<std::int64_t>(job.updated_at));
  bindOptional(insert, 23, job.completed_at);
  insert.bind(24, static_cast<std::int64_t>(job.work_ms));
  insert.bind(25, static_cast<std::int64_t>(job.tick_ms));
  insert.bind(26, job.held ? 1 : 0);
  insert.exec();
}

void JobStore::updateLocked(const Job& job) {
  SQLite::Statement update(*db_,
                           "UPDATE jobs SET status = ?, progress = ?, error_code = ?, "
                           "error_message = ?, updated_at = ?, completed_at = ?, work_ms = ?, "
                           "tick_ms = ? WHERE id = ?");
  update.bind(1, std::string(toString(job.status)));
  update.bind(2, job.progress);
  bindOptional(update, 3, job.error_code);
  bindOptional(update, 4, job.error_message);
  update.bind(5, static_cast<std::int64_t>(job.updated_at));
  bindOptional(update, 6, job.completed_at);
  update.bind(7, static_cast<std::int64_t>(job.work_ms));
  update.bind(8, static_cast<std::int64_t>(job.tick_ms));
  update.bind(9, job.id);
  update.exec();
}

std::optional<Job> JobStore::findLocked(std::string_view id) {
  SQLite::Statement query(*db_, std::string("SELECT ") + kColumns + " FROM jobs WHERE id = ?");
  query.bind(1, std::string(id));
  if (!query.executeStep()) return std::nullopt;
  return rowToJob(query);
}

void JobStore::insert(const Job& job) {
  std::lock_guard lock(mutex_);
  insertLocked(job);
}

void JobStore::insertMany(const std::vector<Job>& jobs) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  for (const auto& job : jobs) insertLocked(job);
  transaction.commit();
}

void JobStore::replaceMany(const std::vector<Job>& jobs) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  SQLite::Statement remove(*db_, "DELETE FROM jobs WHERE id = ?");
  for (const auto& job : jobs) {
    remove.bind(1, job.id);
    remove.exec();
    remove.reset();
    insertLocked(job);
  }
  transaction.commit();
}

std::optional<Job> JobStore::find(std::string_view id) {
  std::lock_guard lock(mutex_);
  return findLocked(id);
}

ListPage JobStore::list(const ListQuery& query) {
  std::string order =
      query.ascending ? " ORDER BY created_at ASC, id ASC" : " ORDER BY created_at DESC, id DESC";
  // OFFSET walks the skipped rows one by one; doing that walk on the covering index (the rowid
  // is in it) and reading only the page's rows from the table halves the cost of deep pages.
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM jobs WHERE rowid IN (SELECT rowid FROM jobs" +
      (query.status ? " WHERE status = ?" : "") + order + " LIMIT ? OFFSET ?)" + order;

  std::lock_guard lock(mutex_);
  // One read transaction, so that the page and the total describe the same snapshot.
  SQLite::Transaction transaction(*db_);
  SQLite::Statement page(*db_, sql);
  int index = 1;
  if (query.status) page.bind(index++, std::string(toString(*query.status)));
  page.bind(index++, query.limit);
  page.bind(index, static_cast<std::int64_t>(query.offset));
  ListPage result;
  result.jobs = collect(page);

  SQLite::Statement total(*db_, query.status ? "SELECT n FROM job_counts WHERE status = ?"
                                             : "SELECT COALESCE(SUM(n), 0) FROM job_counts");
  if (query.status) total.bind(1, std::string(toString(*query.status)));
  if (total.executeStep()) result.total = total.getColumn(0).getInt64();
  transaction.commit();
  return result;
}

std::int64_t JobStore::count() {
  std::lock_guard lock(mutex_);
  SQLite::Statement total(*db_, "SELECT COUNT(*) FROM jobs");
  total.executeStep();
  return total.getColumn(0).getInt64();
}

std::vector<Job> JobStore::newest(int limit) {
  return list(ListQuery{std::nullopt, limit, 0, false}).jobs;
}

CancelResult JobStore::cancel(std::string_view id, Millis now) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  CancelResult result;
  result.job = findLocked(id);
  if (!result.job) return result;
  result.outcome = cancelJob(*result.job, now);
  if (result.outcome == CancelOutcome::kCancelled) updateLocked(*result.job);
  transaction.commit();
  return result;
}

std::size_t JobStore::advanceActive(Millis now, const Pace& pace) {
  std::lock_guard lock(mutex_);
  SQLite::Transaction transaction(*db_);
  SQLite::Statement query(*db_, std::string("SELECT ") + kColumns +
                                    " FROM jobs WHERE status IN ('pending', 'in_progress') AND "
                                    "held = 0");
  auto jobs = collect(query);
  std::size_t changed = 0;
  for (auto& job : jobs) {
    if (advanceJob(job, now, pace)) ++changed;
    updateLocked(job);
  }
  transaction.commit();
  return changed;
}

void JobStore::resumeActive(Millis now) {
  std::lock_guard lock(mutex_);
  SQLite::Statement update(
      *db_, "UPDATE jobs SET tick_ms = ? WHERE status IN ('pending', 'in_progress')");
  update.bind(1, static_cast<std::int64_t>(now));
  update.exec();
}

}  // namespace capstan::sandbox
