#include "sandbox/sandbox.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdio>
#include <filesystem>
#include <random>
#include <system_error>

#include "net/http_server.hpp"
#include "sandbox/fixtures.hpp"

namespace capstan::sandbox {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

std::string makeTempDatabase() {
  auto pattern = (std::filesystem::temp_directory_path() / "capstan-sandbox-XXXXXX.db").string();
  int fd = ::mkstemps(pattern.data(), 3);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "mkstemps " + pattern);
  ::close(fd);
  return pattern;
}

std::string randomToken(std::mt19937_64& random) {
  return fmt::format("sbx_{:016x}{:016x}", random(), random());
}

std::string urlHost(const std::string& host) {
  if (host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "[::1]";
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

// Metric label of a sandbox request, by route shape (never by id, to bound cardinality).
std::string operationOf(const ApiRequest& request) {
  const auto& target = request.target;
  if (target.rfind("/v1/imagine", 0) == 0) return "imagine";
  if (target.rfind("/v1/jobs", 0) != 0) return "";
  auto path = target.substr(0, target.find('?'));
  if (path == "/v1/jobs") return "listJobs";
  if (path.size() > 7 && path.substr(path.size() - 7) == "/cancel") return "cancelJob";
  return "getJobStatus";
}

}  // namespace

struct Sandbox::Impl : std::enable_shared_from_this<Sandbox::Impl> {
  SandboxOptions options;
  std::string db_path;
  bool temporary_db = false;
  std::mt19937_64 random;
  std::unique_ptr<JobStore> store;
  std::unique_ptr<Api> api;
  std::unique_ptr<net::HttpServer> server;
  std::unique_ptr<asio::steady_timer> timer;
  std::atomic<bool> stopping{false};
  std::uint16_t port = 0;

  ~Impl() {
    server.reset();
    api.reset();
    store.reset();
    if (temporary_db) {
      std::error_code ignored;
      for (const char* suffix : {"", "-wal", "-shm"}) {
        std::filesystem::remove(db_path + suffix, ignored);
      }
    }
  }

  asio::awaitable<net::Response> handle(net::Request& request, net::RequestContext& context) {
    ApiRequest api_request;
    api_request.method = std::string(request.method_string());
    api_request.target = std::string(request.target());
    for (const auto& field : request) {
      api_request.headers.emplace_back(std::string(field.name_string()),
                                       std::string(field.value()));
    }
    api_request.body = std::move(request.body());
    context.operation = operationOf(api_request);

    ApiResponse answer = api->handle(api_request);
    spdlog::debug("sandbox request {}: {} {} -> {}", context.request_id, api_request.method,
                  api_request.target, answer.status);
    if (answer.delay_ms > 0) {
      asio::steady_timer delay(co_await asio::this_coro::executor,
                               std::chrono::milliseconds(answer.delay_ms));
      co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
    }

    net::Response response{static_cast<http::status>(answer.status), 11};
    if (!answer.content_type.empty()) response.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) response.insert(name, value);
    response.body() = std::move(answer.body);
    co_return response;
  }

  asio::awaitable<void> schedule() {
    auto self = shared_from_this();
    Pace pace;
    pace.speed = options.speed;
    while (!stopping) {
      try {
        store->advanceActive(options.clock->nowMs(), pace);
      } catch (const std::exception& error) {
        spdlog::warn("sandbox scheduler: {}", error.what());
      }
      timer->expires_after(options.tick);
      auto [ec] = co_await timer->async_wait(asio::as_tuple(asio::use_awaitable));
      if (ec) break;
    }
  }
};

Sandbox::Sandbox(SandboxOptions options) : impl_(std::make_shared<Impl>()) {
  auto& impl = *impl_;
  impl.options = std::move(options);
  if (!impl.options.clock) impl.options.clock = std::make_shared<SystemClock>();
  impl.random.seed(impl.options.random_seed
                       ? *impl.options.random_seed
                       : (static_cast<std::uint64_t>(std::random_device{}()) << 32) ^
                             std::random_device{}());
  if (impl.options.token.empty()) impl.options.token = randomToken(impl.random);
  impl.temporary_db = impl.options.db_path.empty();
  impl.db_path = impl.temporary_db ? makeTempDatabase() : impl.options.db_path;

  impl.store = std::make_unique<JobStore>(impl.db_path);
  if (impl.options.fixtures) impl.store->replaceMany(fixtureJobs());
  impl.store->resumeActive(impl.options.clock->nowMs());
  impl.api = std::make_unique<Api>(*impl.store, *impl.options.clock, impl.options.token,
                                   impl.options.faults, impl.random());
}

namespace {

std::string_view refusalCode(int status) {
  switch (status) {
    case 413:
      return "payload_too_large";
    case 431:
      return "headers_too_large";
    case 500:
      return "internal_error";
    default:
      return "bad_request";
  }
}

}  // namespace

Sandbox::~Sandbox() { stop(); }

std::uint16_t Sandbox::start(boost::asio::any_io_executor executor) {
  auto& impl = *impl_;
  net::ServerLimits limits;
  limits.body_limit = 1024 * 1024;
  std::weak_ptr<Impl> weak = impl_;
  impl.server = std::make_unique<net::HttpServer>(
      executor,
      [weak](net::Request& request,
             net::RequestContext& context) -> asio::awaitable<net::Response> {
        auto self = weak.lock();
        if (!self) co_return net::makeResponse(http::status::service_unavailable, "", "text/plain");
        co_return co_await self->handle(request, context);
      },
      limits, "sandbox");
  // Refusals before routing (413, 431, malformed requests) keep the upstream's error shape.
  impl.server->setRefusalWriter([](int status, std::string_view message) {
    auto answer = errorResponse(status, refusalCode(status), message);
    return net::RefusalBody{std::move(answer.body), std::move(answer.content_type)};
  });
  impl.port = impl.server->listen(impl.options.host, impl.options.port);
  impl.api->setBaseUrl(baseUrl());

  if (impl.options.speed > 0) {
    impl.timer = std::make_unique<asio::steady_timer>(executor);
    asio::co_spawn(
        executor, [self = impl_]() { return self->schedule(); }, asio::detached);
  }
  return impl.port;
}

void Sandbox::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  if (impl_->server) impl_->server->stop();
  if (impl_->timer) {
    // The timer belongs to the scheduler's executor; cancel it there.
    asio::post(impl_->timer->get_executor(), [impl = impl_] { impl->timer->cancel(); });
  }
}

const std::string& Sandbox::token() const { return impl_->options.token; }

std::string Sandbox::baseUrl() const {
  return fmt::format("http://{}:{}", urlHost(impl_->options.host), impl_->port);
}

std::uint16_t Sandbox::port() const { return impl_->port; }

const std::string& Sandbox::dbPath() const { return impl_->db_path; }

JobStore& Sandbox::store() { return *impl_->store; }

}  // namespace capstan::sandbox
