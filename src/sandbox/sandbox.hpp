// The embedded Midjourney Jobs upstream as a library: `capstan sandbox` runs it alone and
// `capstan serve --sandbox` starts it in-process beside the capability's servers.
//
//   capstan::sandbox::Sandbox sandbox({.fixtures = true});
//   auto port = sandbox.start(io.get_executor());
//   // ... point the capability at sandbox.baseUrl() with sandbox.token()
//   sandbox.stop();
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sandbox/api.hpp"
#include "sandbox/clock.hpp"
#include "sandbox/job_store.hpp"

namespace capstan::sandbox {

struct SandboxOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  // The accepted bearer token; empty: a random one is generated (see Sandbox::token()).
  std::string token;
  // SQLite file; empty: a temporary file, removed when the Sandbox is destroyed.
  std::string db_path;
  // Loads the deterministic demo jobs (fixtures.hpp), replacing earlier copies of them.
  bool fixtures = false;
  // Multiplies the pace of the simulated work; 0 freezes every job.
  double speed = 1.0;
  FaultOptions faults;
  // Defaults to the system clock.
  std::shared_ptr<const Clock> clock;
  // How often the scheduler advances active jobs.
  std::chrono::milliseconds tick{100};
  // Seeds job ids, seeds and the generated token; empty: std::random_device.
  std::optional<std::uint64_t> random_seed;
};

class Sandbox {
 public:
  // Opens the store and loads fixtures. Throws std::exception on a bad database path.
  explicit Sandbox(SandboxOptions options = {});
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Listens on host:port and starts the scheduler on `executor`. Returns the bound port.
  // Throws std::system_error when the address cannot be bound.
  std::uint16_t start(boost::asio::any_io_executor executor);
  // Stops accepting and stops the scheduler; jobs stay in the database.
  void stop();

  const std::string& token() const;
  // http://host:port, with 127.0.0.1 for a wildcard host. Valid after start().
  std::string baseUrl() const;
  std::uint16_t port() const;
  // The database file in use (the temporary one when none was given).
  const std::string& dbPath() const;
  JobStore& store();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace capstan::sandbox
