// `capstan serve`: loads a capability, refuses what it cannot run, and serves every exposed
// adapter (REST, MCP over HTTP or stdio) plus the control endpoints from one event loop.
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "cli/mapping_checks.hpp"
#include "control/control_server.hpp"
#include "engine/engine.hpp"
#include "mcp/capability_tools.hpp"
#include "mcp/http_adapter.hpp"
#include "mcp/stdio.hpp"
#include "rest/rest_adapter.hpp"
#include "sandbox/sandbox.hpp"
#include "spec/loader.hpp"
#include "support/json_text.hpp"
#include "support/metrics.hpp"

#ifndef CAPSTAN_SOURCE_DIR
#define CAPSTAN_SOURCE_DIR "."
#endif

namespace capstan::cli {

namespace {

constexpr const char* kVersion = "0.1.0";
constexpr const char* kBundledCapability = "capabilities/midjourney/image-generation-jobs.yaml";
// The upstream that the embedded sandbox stands in for.
constexpr const char* kSandboxedHost = "api.midjourney.com";

struct ServeArgs {
  std::string file;
  bool sandbox = false;
  bool stdio = false;
  std::vector<std::string> upstreams;
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> allowed_origins;
  std::string host = "127.0.0.1";
  int port_offset = 0;
  int control_port = -1;
  std::string log_level = "info";
  std::string log_format = "text";
  int connect_timeout_ms = 5'000;
  int timeout_ms = 30'000;
  std::size_t max_response_bytes = 8 * 1024 * 1024;
  std::string ca_file;
  int threads = 2;
  std::string sandbox_db;
  bool sandbox_fixtures = false;
  double sandbox_speed = 1.0;
};

// Default control port when the capability declares no `exposes[type=control]`.
constexpr int kDefaultControlPort = 9464;

// A JSON-escaped copy of the message, for `--log-format json`.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string escaped;
    appendJsonString(escaped, std::string_view(message.payload.data(), message.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

void setUpLogging(const ServeArgs& args) {
  // stdout belongs to the stdio transport: every log line goes to stderr.
  auto logger = spdlog::stderr_color_mt("capstan");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(args.log_level));
  if (args.log_format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":%*})");
    spdlog::set_formatter(std::move(formatter));
  } else {
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
}

std::filesystem::path resolveCapability(const std::string& given) {
  if (!given.empty()) return given;
  if (std::filesystem::exists(kBundledCapability)) return kBundledCapability;
  return std::filesystem::path(CAPSTAN_SOURCE_DIR) / kBundledCapability;
}

// An --upstream URL is a base URI like a consumes `baseUri`: http(s), a host, an optional port
// and path, nothing after them (a query or fragment would swallow the operation paths).
std::optional<std::string> upstreamUrlProblem(const std::string& url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return "not a URL (expected http://HOST[:PORT][/PATH])";
  // RFC 3986 §3.1: schemes are case-insensitive.
  if (parsed->scheme_id() != boost::urls::scheme::http &&
      parsed->scheme_id() != boost::urls::scheme::https) {
    return "the scheme must be http or https";
  }
  if (parsed->host().empty()) return "the URL names no host";
  // A password in the URL would show in the banner and in debug logs; credentials belong in the
  // capability's `authentication`, fed by binds.
  if (parsed->has_userinfo()) return "credentials in the URL are refused (use authentication)";
  if (parsed->has_port() && (parsed->port().empty() || parsed->port().size() > 5 ||
                             std::stoul(std::string(parsed->port())) == 0 ||
                             std::stoul(std::string(parsed->port())) > 65535)) {
    return "the port must be 1-65535";
  }
  if (parsed->has_query() || parsed->has_fragment()) {
    return "a base URL takes no query or fragment";
  }
  return std::nullopt;
}

std::string hostOf(const std::string& uri) {
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed) return {};
  return std::string(parsed->host());
}

// Names of bind variables that a consumes entry's authentication reads (`{{env.KEY}}`, `{{KEY}}`).
std::vector<std::string> authVariables(const spec::ConsumedHttp& consumed) {
  std::vector<std::string> names;
  if (!consumed.authentication) return names;
  const auto& auth = *consumed.authentication;
  static const std::regex kPlaceholder(
      R"(\{\{\s*(?:[A-Za-z0-9_-]+\.)?([A-Za-z_][A-Za-z0-9_]*)\s*\}\})");
  for (const std::string* text : {&auth.token, &auth.value, &auth.username, &auth.password}) {
    for (std::sregex_iterator it(text->begin(), text->end(), kPlaceholder), end; it != end; ++it) {
      names.push_back((*it)[1].str());
    }
  }
  return names;
}

// Maps a bind variable (`KEY` of `binds[].keys`) to the environment variable it reads.
std::optional<std::string> environmentNameOf(const spec::Document& document,
                                             const std::string& variable) {
  for (const auto& bind : document.binds) {
    if (bind.location) continue;
    for (const auto& [key, provider] : bind.keys) {
      if (key == variable) return provider;
    }
  }
  return std::nullopt;
}

std::uint16_t offsetPort(int port, int offset) {
  int shifted = port + offset;
  if (shifted < 0 || shifted > 65535) {
    throw std::runtime_error("port " + std::to_string(port) + " shifted by --port-offset " +
                             std::to_string(offset) + " is out of range");
  }
  return static_cast<std::uint16_t>(shifted);
}

std::string urlFor(const std::string& host, std::uint16_t port, std::string_view path = "") {
  std::string shown = host == "0.0.0.0" ? "127.0.0.1" : host;
  if (shown.find(':') != std::string::npos) shown = "[" + shown + "]";
  return "http://" + shown + ":" + std::to_string(port) + std::string(path);
}

// Refuses what capstan parsed but cannot run, in the compiler form of `capstan validate`.
bool refuseUnsupported(const spec::Document& document, bool stdio) {
  bool refused = false;
  for (const auto& feature : document.capability.unsupported) {
    // The stdio transport is what `--stdio` serves.
    if (stdio && feature.feature == "stdio-transport") continue;
    std::cerr << feature.pos.file << ":" << feature.pos.line << ":" << feature.pos.column
              << ": error: " << feature.pointer << ": " << feature.message
              << " (capstan cannot serve this yet)\n";
    refused = true;
  }
  return refused;
}

// Names the surface in a listen failure: "REST adapter jobs-rest: 127.0.0.1:8080: Address already
// in use".
template <typename Listen>
std::uint16_t listenAs(const std::string& surface, Listen listen) {
  try {
    return listen();
  } catch (const std::exception& error) {
    throw std::runtime_error(surface + ": " + error.what());
  }
}

// The stdio configuration that starts this same setup: the flags that pick the upstream, and the
// environment variables the binds read (an MCP client passes no environment by default).
boost::json::object stdioClientConfig(const ServeArgs& args, const spec::Document& document,
                                      const std::string& exe, const std::string& capability) {
  boost::json::array argv{"serve", "--stdio"};
  if (args.sandbox) argv.emplace_back("--sandbox");
  for (const auto& upstream : args.upstreams) {
    argv.emplace_back("--upstream");
    argv.emplace_back(upstream);
  }
  argv.emplace_back(capability);
  boost::json::object server{{"command", exe}, {"args", std::move(argv)}};
  boost::json::object env;
  for (const auto& bind : document.binds) {
    if (bind.location || args.sandbox) continue;
    for (const auto& [variable, provider] : bind.keys)
      env[provider] = "<value of " + provider + ">";
  }
  if (!env.empty()) server["env"] = std::move(env);
  return {{"mcpServers", boost::json::object{{"capstan", std::move(server)}}}};
}

struct Runtime {
  boost::asio::io_context io;
  std::unique_ptr<sandbox::Sandbox> sandbox;
  std::unique_ptr<engine::Engine> engine;
  std::vector<std::unique_ptr<rest::RestAdapter>> rest;
  std::vector<std::unique_ptr<mcp::McpHttpAdapter>> mcp;
  std::vector<std::shared_ptr<mcp::McpServer>> mcp_servers;
  std::unique_ptr<control::ControlServer> control;
};

// SIGTERM: in-flight requests get this long to finish; the loop exits as soon as they have.
constexpr std::chrono::seconds kDrainBound{5};
constexpr std::chrono::milliseconds kDrainPoll{10};

std::size_t openConnections(const Runtime& runtime) {
  std::size_t open = 0;
  for (const auto& adapter : runtime.rest) open += adapter->openConnections();
  for (const auto& adapter : runtime.mcp) open += adapter->openConnections();
  return open;
}

void stopAll(Runtime& runtime) {
  for (auto& adapter : runtime.rest) adapter->stop();
  for (auto& adapter : runtime.mcp) adapter->stop();
  if (runtime.control) runtime.control->stop();
  if (runtime.sandbox) runtime.sandbox->stop();
}

int runServe(const ServeArgs& args) {
  auto started = std::chrono::steady_clock::now();
  setUpLogging(args);

  // 1. Load and check the capability like `capstan validate` does.
  auto path = resolveCapability(args.file);
  auto loaded = spec::loadDocument(path);
  if (loaded.document) checkMappings(*loaded.document, false, loaded.diagnostics);
  // LoadResult holds a document only when there is no error.
  if (spec::hasErrors(loaded.diagnostics)) loaded.document.reset();
  for (const auto& diagnostic : loaded.diagnostics) {
    if (diagnostic.severity == spec::Severity::kError) {
      std::cerr << spec::formatDiagnostic(diagnostic) << "\n";
    } else {
      spdlog::debug("{}", spec::formatDiagnostic(diagnostic));
    }
  }
  if (!loaded.ok()) {
    std::cerr << "capstan serve: " << path.string() << " has errors; nothing served\n";
    return 1;
  }
  const spec::Document& document = *loaded.document;
  if (refuseUnsupported(document, args.stdio)) {
    std::cerr << "capstan serve: " << path.string() << " uses features capstan does not run yet\n";
    return 1;
  }

  Runtime runtime;
  engine::EngineOptions options;
  options.connect_timeout = std::chrono::milliseconds(args.connect_timeout_ms);
  options.total_timeout = std::chrono::milliseconds(args.timeout_ms);
  options.max_response_bytes = args.max_response_bytes;
  if (!args.ca_file.empty()) options.ca_file = args.ca_file;
  for (const auto& entry : args.upstreams) {
    auto equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      std::cerr << "capstan serve: --upstream expects NAMESPACE=URL, got '" << entry << "'\n";
      return 2;
    }
    const std::string url = entry.substr(equals + 1);
    if (auto problem = upstreamUrlProblem(url)) {
      // The URL itself is not repeated: it may carry a password.
      std::cerr << "capstan serve: --upstream " << entry.substr(0, equals) << "=...: " << *problem
                << "\n";
      return 2;
    }
    options.upstream_overrides[entry.substr(0, equals)] = url;
  }

  // 2. The sandbox stands in for the Midjourney API: it takes the consumes entries that point
  // there, and accepts MIDJOURNEY_API_KEY when set (else capstan hands it a generated token).
  std::map<std::string, std::string> supplied;
  bool token_generated = false;
  if (args.sandbox) {
    sandbox::SandboxOptions sandbox_options;
    sandbox_options.db_path = args.sandbox_db;
    sandbox_options.fixtures = args.sandbox_fixtures;
    sandbox_options.speed = args.sandbox_speed;
    std::vector<std::string> secret_env;
    for (const auto& consumed : document.capability.consumes) {
      if (hostOf(consumed.base_uri) != kSandboxedHost) continue;
      for (const auto& variable : authVariables(consumed)) {
        secret_env.push_back(environmentNameOf(document, variable).value_or(variable));
      }
    }
    for (const auto& name : secret_env) {
      if (const char* value = std::getenv(name.c_str()); value && *value) {
        sandbox_options.token = value;
      }
    }
    token_generated = sandbox_options.token.empty();
    try {
      runtime.sandbox = std::make_unique<sandbox::Sandbox>(sandbox_options);
      runtime.sandbox->start(runtime.io.get_executor());
    } catch (const std::exception& error) {
      std::cerr << "capstan serve: cannot start the sandbox: " << error.what() << "\n";
      return 1;
    }
    for (const auto& consumed : document.capability.consumes) {
      if (hostOf(consumed.base_uri) != kSandboxedHost) continue;
      options.upstream_overrides.try_emplace(consumed.namespace_, runtime.sandbox->baseUrl());
    }
    for (const auto& name : secret_env) supplied[name] = runtime.sandbox->token();
  }
  options.env_lookup = [supplied](const std::string& name) -> std::optional<std::string> {
    if (const char* value = std::getenv(name.c_str())) return std::string(value);
    if (auto found = supplied.find(name); found != supplied.end()) return found->second;
    return std::nullopt;
  };

  // 3. The engine resolves binds; a missing secret stops here, naming the variable.
  try {
    runtime.engine = std::make_unique<engine::Engine>(document, runtime.io.get_executor(), options);
  } catch (const std::exception& error) {
    std::cerr << "capstan serve: " << error.what() << "\n";
    if (!args.sandbox &&
        std::string_view(error.what()).find("environment variable") != std::string_view::npos) {
      std::cerr << "  (set it to the upstream's credential, or try the capability against the "
                   "embedded sandbox with --sandbox)\n";
    }
    return 1;
  }

  if (args.stdio) {
    if (document.capability.mcp.empty()) {
      std::cerr << "capstan serve --stdio: " << path.string() << " exposes no MCP adapter\n";
      return 1;
    }
    auto server =
        mcp::makeCapabilityServer(*runtime.engine, document, document.capability.mcp.front());
    spdlog::info("serving {} over stdio (MCP adapter {})", document.info.label,
                 document.capability.mcp.front().namespace_);
    if (runtime.sandbox) {
      // Jobs come to exist through the sandbox's own POST /v1/imagine (or --sandbox-fixtures).
      spdlog::info("sandbox {} (gallery {}/){}", runtime.sandbox->baseUrl(),
                   runtime.sandbox->baseUrl(),
                   token_generated ? ", token " + runtime.sandbox->token() : "");
    }
    int code = mcp::runStdio(*server, runtime.io, std::cin, std::cout);
    if (runtime.sandbox) runtime.sandbox->stop();
    return code;
  }

  // 4. Adapters, then the control port, then the banner.
  control::StatusInfo status{document.info.label, document.naftiko_version, kVersion};
  runtime.control = std::make_unique<control::ControlServer>(runtime.io.get_executor(), status);
  std::string banner;
  std::string rest_example;
  std::string mcp_url;
  try {
    for (const auto& adapter : document.capability.rest) {
      runtime.control->addAdapter({"rest", adapter.namespace_, "", false});
    }
    for (const auto& adapter : document.capability.mcp) {
      if (adapter.transport != "stdio")
        runtime.control->addAdapter({"mcp", adapter.namespace_, "", false});
    }
    if (runtime.sandbox) {
      runtime.control->addAdapter({"sandbox", "sandbox", runtime.sandbox->baseUrl(), true});
    }

    for (const auto& adapter : document.capability.rest) {
      auto rest =
          std::make_unique<rest::RestAdapter>(*runtime.engine, adapter, runtime.io.get_executor());
      auto port = listenAs("REST adapter " + adapter.namespace_, [&] {
        return rest->start(adapter.address.value_or(args.host),
                           offsetPort(adapter.port, args.port_offset));
      });
      auto url = urlFor(adapter.address.value_or(args.host), port);
      runtime.control->markListening(adapter.namespace_, url);
      banner += fmt::format("  REST     {:<32} {}\n", adapter.namespace_, url);
      if (rest_example.empty() && !adapter.resources.empty()) {
        rest_example = url + adapter.resources.front().path;
      }
      runtime.rest.push_back(std::move(rest));
    }
    for (const auto& adapter : document.capability.mcp) {
      if (adapter.transport == "stdio") continue;
      auto server = mcp::makeCapabilityServer(*runtime.engine, document, adapter);
      mcp::HttpOptions http_options;
      http_options.metrics_label = "mcp:" + adapter.namespace_;
      // Instances that share CAPSTAN_MCP_SESSION_KEY accept each other's sessions.
      http_options.sessions.key = mcp::sessionKeyFromEnvironment();
      http_options.allowed_hosts = args.allowed_hosts;
      http_options.allowed_origins = args.allowed_origins;
      http_options.auth = mcp::inboundAuthFor(
          adapter, [&options](std::string_view name) -> std::optional<std::string> {
            std::string key(name);
            if (auto dot = key.find('.'); dot != std::string::npos) key = key.substr(dot + 1);
            return options.env_lookup(key);
          });
      auto http =
          std::make_unique<mcp::McpHttpAdapter>(runtime.io.get_executor(), server, http_options);
      auto host = adapter.address.value_or(args.host);
      auto port = listenAs("MCP adapter " + adapter.namespace_, [&] {
        return http->start(host, offsetPort(adapter.port.value_or(0), args.port_offset));
      });
      auto url = urlFor(host, port, "/mcp");
      runtime.control->markListening(adapter.namespace_, url);
      banner += fmt::format("  MCP      {:<32} {}\n", adapter.namespace_, url);
      if (mcp_url.empty()) mcp_url = url;
      runtime.control->onScrape([adapter = http.get(), label = http_options.metrics_label] {
        Metrics::instance().setMcpSessions(label, static_cast<double>(adapter->sessionCount()));
      });
      runtime.mcp_servers.push_back(std::move(server));
      runtime.mcp.push_back(std::move(http));
    }
    int control_port = args.control_port;
    std::string control_host = "127.0.0.1";
    if (control_port < 0 && !document.capability.control.empty()) {
      const auto& declared = document.capability.control.front();
      control_port = offsetPort(declared.port, args.port_offset);
      control_host = declared.address.value_or(control_host);
    }
    if (control_port < 0) control_port = offsetPort(kDefaultControlPort, args.port_offset);
    auto bound = listenAs("control endpoints", [&] {
      return runtime.control->listen(control_host, static_cast<std::uint16_t>(control_port));
    });
    banner += fmt::format("  control  {:<32} {}  (/health/ready, /status, /metrics)\n", "",
                          urlFor(control_host, bound));
  } catch (const std::exception& error) {
    std::cerr << "capstan serve: cannot listen: " << error.what()
              << "\n  (another process holds the port: stop it, or move every port of the "
                 "capability with --port-offset N and the control port with --control-port)\n";
    stopAll(runtime);
    return 1;
  }

  std::string text = fmt::format("capstan {} serving \"{}\" ({}, naftiko {})\n", kVersion,
                                 document.info.label, path.string(), document.naftiko_version);
  text += banner;
  if (runtime.sandbox) {
    text += fmt::format("  sandbox  {:<32} {}  (gallery: {}/)\n", "", runtime.sandbox->baseUrl(),
                        runtime.sandbox->baseUrl());
    if (token_generated) text += fmt::format("  sandbox token: {}\n", runtime.sandbox->token());
  }
  if (!rest_example.empty()) {
    text += "try:\n";
    std::string example = std::regex_replace(rest_example, std::regex(R"(\{\{?[^}]+\}?\})"), "ID");
    text += fmt::format("  curl -s '{}'\n", example);
    if (runtime.sandbox) {
      text += fmt::format(
          "  curl -s -X POST {}/v1/imagine -H 'Authorization: Bearer {}' "
          "-H 'Content-Type: application/json' -d '{{\"prompt\":\"a lighthouse at dusk\"}}'\n",
          runtime.sandbox->baseUrl(), token_generated ? runtime.sandbox->token() : "$TOKEN");
    }
  }
  if (!mcp_url.empty()) {
    auto absolute = std::filesystem::absolute(path).string();
    std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
    text += "MCP client configuration (Claude Desktop, VS Code):\n";
    text += fmt::format(
        "  {{\"mcpServers\":{{\"capstan\":{{\"type\":\"http\",\"url\":\"{}\"}}}}}}\n", mcp_url);
    text += "  " + toJsonText(stdioClientConfig(args, document, exe, absolute)) + "\n";
  }
  auto ready_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
  text += fmt::format("ready in {:.1f} ms\n", ready_ms.count());
  std::cerr << text << std::flush;

  // 5. SIGINT/SIGTERM: stop accepting, let in-flight requests finish within a bound, exit 0.
  boost::asio::signal_set signals(runtime.io, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_timer(runtime.io);
  auto drain_deadline = std::chrono::steady_clock::time_point::max();
  std::function<void()> drain = [&] {
    if (openConnections(runtime) == 0 || std::chrono::steady_clock::now() >= drain_deadline) {
      runtime.io.stop();
      return;
    }
    drain_timer.expires_after(kDrainPoll);
    drain_timer.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) drain();
    });
  };
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: stopping; in-flight requests get {} s", signal, kDrainBound.count());
    stopAll(runtime);
    drain_deadline = std::chrono::steady_clock::now() + kDrainBound;
    drain();
  });

  std::vector<std::thread> pool;
  for (int i = 1; i < std::max(1, args.threads); ++i) pool.emplace_back([&] { runtime.io.run(); });
  runtime.io.run();
  for (auto& thread : pool) thread.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void addServeCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  auto* command = app.add_subcommand(
      "serve", "Serve a capability's REST and MCP adapters (default: the bundled Midjourney one)");
  command->add_option("file", args->file, "Capability file")->check(CLI::ExistingFile);
  command
      ->add_flag("--sandbox", args->sandbox,
                 "Start the embedded Midjourney sandbox and point the capability at it")
      ->envname("CAPSTAN_SANDBOX");
  command->add_flag("--stdio", args->stdio, "Serve the MCP adapter on stdin/stdout");
  // One value per occurrence (repeat the flag), so a capability file after it stays positional.
  command->add_option("--upstream", args->upstreams, "Override a consumes baseUri: NAMESPACE=URL")
      ->envname("CAPSTAN_UPSTREAM")
      ->allow_extra_args(false);
  command->add_option("--host", args->host, "Address the adapters listen on")
      ->envname("CAPSTAN_HOST")
      ->capture_default_str();
  command
      ->add_option("--allowed-host", args->allowed_hosts,
                   "Host header the MCP adapter accepts besides loopback names (behind a proxy)")
      ->envname("CAPSTAN_ALLOWED_HOSTS")
      ->delimiter(',')
      ->allow_extra_args(false);
  command
      ->add_option("--allowed-origin", args->allowed_origins,
                   "Origin the MCP adapter accepts besides loopback ones (https://app.example)")
      ->envname("CAPSTAN_ALLOWED_ORIGINS")
      ->delimiter(',')
      ->allow_extra_args(false);
  command->add_option("--port-offset", args->port_offset, "Added to every port of the capability")
      ->envname("CAPSTAN_PORT_OFFSET");
  command
      ->add_option("--control-port", args->control_port,
                   "Port of /health, /status and /metrics (default 9464)")
      ->envname("CAPSTAN_CONTROL_PORT")
      ->check(CLI::Range(0, 65535));
  command->add_option("--log-level", args->log_level, "trace|debug|info|warn|error")
      ->envname("CAPSTAN_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();
  command->add_option("--log-format", args->log_format, "text|json")
      ->envname("CAPSTAN_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  command->add_option("--connect-timeout-ms", args->connect_timeout_ms, "Upstream connect deadline")
      ->envname("CAPSTAN_CONNECT_TIMEOUT_MS")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  command->add_option("--timeout-ms", args->timeout_ms, "Upstream total deadline, body included")
      ->envname("CAPSTAN_TIMEOUT_MS")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  command->add_option("--max-response-bytes", args->max_response_bytes, "Upstream response cap")
      ->envname("CAPSTAN_MAX_RESPONSE_BYTES")
      ->capture_default_str();
  command->add_option("--ca-file", args->ca_file, "Extra trusted CA (PEM) for upstream TLS")
      ->envname("CAPSTAN_CA_FILE")
      ->check(CLI::ExistingFile);
  command->add_option("--threads", args->threads, "Event-loop threads")
      ->envname("CAPSTAN_THREADS")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command->add_option("--sandbox-db", args->sandbox_db, "SQLite file of the sandbox's jobs")
      ->envname("CAPSTAN_SANDBOX_DB");
  command->add_flag("--sandbox-fixtures", args->sandbox_fixtures, "Load the sandbox's demo jobs")
      ->envname("CAPSTAN_SANDBOX_FIXTURES");
  command->add_option("--sandbox-speed", args->sandbox_speed, "Pace of the sandbox's jobs")
      ->envname("CAPSTAN_SANDBOX_SPEED")
      ->check(CLI::Range(0.0, 1000.0));
  command->callback([args, &exit_code] { exit_code = runServe(*args); });
}

}  // namespace capstan::cli
