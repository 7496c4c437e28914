#include "control/control_server.hpp"

#include <boost/json.hpp>

#include "support/json_text.hpp"
#include "support/metrics.hpp"

namespace capstan::control {

namespace http = net::http;

namespace {

net::Response jsonAnswer(http::status status, const boost::json::value& body) {
  return net::makeResponse(status, toJsonText(body), "application/json");
}

}  // namespace

ControlServer::ControlServer(net::asio::any_io_executor executor, StatusInfo info)
    : info_(std::move(info)),
      server_(
          std::move(executor),
          [this](net::Request& request, net::RequestContext& context)
              -> net::asio::awaitable<net::Response> { co_return handle(request, context); },
          net::ServerLimits{}, "control") {}

void ControlServer::addAdapter(AdapterStatus adapter) {
  std::lock_guard lock(mutex_);
  adapters_.push_back(std::move(adapter));
}

void ControlServer::markListening(const std::string& name, const std::string& url) {
  std::lock_guard lock(mutex_);
  for (auto& adapter : adapters_) {
    if (adapter.name != name) continue;
    adapter.listening = true;
    adapter.url = url;
  }
}

std::uint16_t ControlServer::listen(std::string_view host, std::uint16_t port) {
  return server_.listen(host, port);
}

void ControlServer::stop() { server_.stop(); }

net::Response ControlServer::handle(const net::Request& request, net::RequestContext& context) {
  std::string_view target = request.target();
  target = target.substr(0, target.find('?'));
  context.operation = std::string(target);

  bool known = target == "/health/live" || target == "/health/ready" || target == "/status" ||
               target == "/metrics";
  if (!known) {
    context.operation.clear();
    return jsonAnswer(http::status::not_found, {{"error", "not found"}});
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response = jsonAnswer(http::status::method_not_allowed, {{"error", "use GET"}});
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }

  if (target == "/health/live") return jsonAnswer(http::status::ok, {{"status", "live"}});
  if (target == "/health/ready") return ready();
  if (target == "/status") return status();
  {
    std::lock_guard lock(mutex_);
    for (const auto& hook : scrape_hooks_) hook();
  }
  return net::makeResponse(http::status::ok, Metrics::instance().serialize(),
                           "text/plain; version=0.0.4; charset=utf-8");
}

void ControlServer::onScrape(std::function<void()> hook) {
  scrape_hooks_.push_back(std::move(hook));
}

net::Response ControlServer::ready() const {
  std::lock_guard lock(mutex_);
  boost::json::array listed;
  bool all_ready = !adapters_.empty();
  for (const auto& adapter : adapters_) {
    all_ready = all_ready && adapter.listening;
    listed.push_back({{"type", adapter.type},
                      {"name", adapter.name},
                      {"url", adapter.url},
                      {"listening", adapter.listening}});
  }
  boost::json::object body{{"status", all_ready ? "ready" : "starting"}, {"adapters", listed}};
  return jsonAnswer(all_ready ? http::status::ok : http::status::service_unavailable, body);
}

net::Response ControlServer::status() const {
  std::lock_guard lock(mutex_);
  auto uptime = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
  boost::json::array listed;
  for (const auto& adapter : adapters_) {
    listed.push_back({{"type", adapter.type},
                      {"name", adapter.name},
                      {"url", adapter.url},
                      {"listening", adapter.listening}});
  }
  boost::json::object body{{"capability", info_.capability},
                           {"naftiko", info_.naftiko_version},
                           {"capstan", info_.capstan_version},
                           {"uptime_seconds", uptime.count()},
                           {"adapters", listed}};
  return jsonAnswer(http::status::ok, body);
}

}  // namespace capstan::control
