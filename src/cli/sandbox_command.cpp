// `capstan sandbox`: the embedded Midjourney Jobs upstream, standalone.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "sandbox/sandbox.hpp"

namespace capstan::cli {

namespace {

struct SandboxArgs {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4010;
  std::string token;
  std::string db;
  bool fixtures = false;
  double speed = 1.0;
  bool faults = false;
  std::int64_t latency_ms = 0;
  int fail_every = 0;
  int fail_status = 503;
  int retry_after = 1;
  std::string request_log;
  bool verbose = false;
};

int runSandbox(const SandboxArgs& args) {
  // stdout belongs to the stdio transport elsewhere in capstan; logs go to stderr.
  auto logger = spdlog::stderr_color_mt("sandbox");
  spdlog::set_default_logger(logger);
  spdlog::set_level(args.verbose ? spdlog::level::debug : spdlog::level::info);

  sandbox::SandboxOptions options;
  options.host = args.host;
  options.port = args.port;
  options.token = args.token;
  options.db_path = args.db;
  options.fixtures = args.fixtures;
  options.speed = args.speed;
  options.faults.enabled = args.faults;
  options.faults.latency_ms = args.latency_ms;
  options.faults.fail_every = args.fail_every;
  options.faults.fail_status = args.fail_status;
  options.faults.retry_after_s = args.retry_after;
  options.faults.request_log_path = args.request_log;

  boost::asio::io_context io;
  std::unique_ptr<sandbox::Sandbox> sandbox;
  try {
    sandbox = std::make_unique<sandbox::Sandbox>(options);
    sandbox->start(io.get_executor());
  } catch (const std::exception& error) {
    spdlog::error("sandbox: cannot start: {}", error.what());
    return 1;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("sandbox: signal {}, stopping", signal);
    sandbox->stop();
    io.stop();
  });

  if (args.token.empty()) {
    spdlog::info("sandbox: generated bearer token {} (pass --token to choose one)",
                 sandbox->token());
  }
  spdlog::info("sandbox: database {}{}", sandbox->dbPath(), args.db.empty() ? " (temporary)" : "");
  if (args.faults) spdlog::warn("sandbox: fault injection enabled");
  // Tests and scripts wait for this exact line.
  spdlog::info("listening on {}", sandbox->baseUrl());

  io.run();
  sandbox.reset();
  return 0;
}

}  // namespace

void addSandboxCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SandboxArgs>();
  auto* command = app.add_subcommand(
      "sandbox", "Run the embedded Midjourney Jobs API (an upstream for demos and tests)");
  command->add_option("--port", args->port, "TCP port (0: any free port)")->capture_default_str();
  command->add_option("--host", args->host, "Address to listen on")->capture_default_str();
  command->add_option("--token", args->token,
                      "Accepted bearer token (default: a random one, printed at start)");
  command->add_option("--db", args->db, "SQLite database file (default: a temporary file)");
  command->add_flag("--fixtures", args->fixtures,
                    "Load the deterministic demo jobs (every status and type, 72 jobs)");
  command
      ->add_option("--speed", args->speed, "Pace of simulated work (2: twice as fast; 0: frozen)")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  command->add_flag("--faults", args->faults,
                    "Enable fault injection: reserved ids fault-NNN, fault-html, fault-empty, "
                    "and the /_sandbox/requests and /_sandbox/faults endpoints");
  command->add_option("--latency", args->latency_ms, "Milliseconds added to every /v1 answer")
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{600'000}));
  command
      ->add_option("--fail-every", args->fail_every,
                   "Every Nth /v1 request answers --fail-status instead")
      ->check(CLI::Range(0, 1'000'000));
  command->add_option("--fail-status", args->fail_status, "Status of injected failures")
      ->check(CLI::Range(400, 599))
      ->capture_default_str();
  command->add_option("--retry-after", args->retry_after, "Retry-After seconds on 429 and 503")
      ->check(CLI::Range(0, 86'400))
      ->capture_default_str();
  command->add_option("--request-log", args->request_log,
                      "Append every request received (method, target, headers) as JSON lines");
  command->add_flag("-v,--verbose", args->verbose, "Log every request");
  command->footer(
      "Jobs come from POST /v1/imagine. A prompt with the word nsfw, gore, banned, forbidden or "
      "explicit fails moderation (failed, prompt_moderated) before it runs; one with the word "
      "glitch fails at 40% (internal_error). The gallery is at / and needs no token.");
  command->callback([args, &exit_code] { exit_code = runSandbox(*args); });
}

}  // namespace capstan::cli
