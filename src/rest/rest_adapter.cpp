#include "rest/rest_adapter.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <chrono>
#include <optional>

#include "rest/inbound_auth.hpp"
#include "rest/router.hpp"
#include "support/json_text.hpp"

namespace capstan::rest {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

struct Problem {
  engine::ErrorKind kind = engine::ErrorKind::kInternal;
  std::string detail;
  std::string parameter;
};

// RFC 9457 §3: type, title, status, detail, instance; `parameter` and `requestId` are extension
// members that let a client fix its call and quote the request in a report.
net::Response problemResponse(const Problem& problem, std::string_view path,
                              std::uint64_t request_id) {
  const engine::ErrorInfo& info = engine::errorInfo(problem.kind);
  json::object body{{"type", info.type},
                    {"title", info.title},
                    {"status", info.http_status},
                    {"instance", path},
                    {"requestId", request_id}};
  if (!problem.detail.empty()) body["detail"] = problem.detail;
  if (!problem.parameter.empty()) body["parameter"] = problem.parameter;
  return net::makeResponse(static_cast<http::status>(info.http_status), toJsonText(body),
                           "application/problem+json");
}

// The server's own refusals (before routing) are problems too, with a stable type per status.
net::RefusalBody refusalProblem(int status, std::string_view message) {
  std::string_view type = "urn:capstan:problem:bad-request";
  if (status == 413) type = "urn:capstan:problem:request-too-large";
  if (status == 431) type = "urn:capstan:problem:headers-too-large";
  if (status >= 500) type = engine::errorInfo(engine::ErrorKind::kInternal).type;
  json::object body{{"type", type},
                    {"title", http::obsolete_reason(static_cast<http::status>(status))},
                    {"status", status},
                    {"detail", message}};
  return {toJsonText(body), "application/problem+json"};
}

bool isValidStatus(int status) { return status >= 200 && status <= 599; }

std::optional<std::string_view> headerValue(const net::Request& request, std::string_view name) {
  auto it = request.find(name);
  if (it == request.end()) return std::nullopt;
  return it->value();
}

// RFC 6265 §4.2.1: `name=value` pairs separated by "; ".
std::optional<std::string> cookieValue(const net::Request& request, std::string_view name) {
  auto header = headerValue(request, "Cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) {
      return std::string(pair.substr(equals + 1));
    }
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace

struct RestAdapter::Impl : std::enable_shared_from_this<RestAdapter::Impl> {
  Impl(engine::Engine& engine_in, const spec::RestAdapter& adapter_in)
      : engine(engine_in), adapter(adapter_in), label("rest:" + adapter_in.namespace_) {}

  engine::Engine& engine;
  const spec::RestAdapter& adapter;
  std::string label;
  Router router;
  std::string route_list;
  std::optional<InboundAuth> auth;
  std::unique_ptr<net::HttpServer> server;

  void configureAuth() {
    if (!adapter.authentication) return;
    const spec::Authentication& declared = *adapter.authentication;
    auto render = [&](const std::string& text) {
      auto rendered = engine.renderWithBinds(text);
      if (!rendered || rendered->empty()) {
        throw engine::StartupError("authentication of REST adapter '" + adapter.namespace_ +
                                   "' uses a variable that no bind provides");
      }
      return *rendered;
    };
    InboundAuth inbound;
    inbound.type = declared.type;
    if (declared.type == "bearer") {
      inbound.expected = render(declared.token);
    } else if (declared.type == "basic") {
      inbound.expected = render(declared.username) + ":" + render(declared.password);
    } else if (declared.type == "apikey") {
      inbound.expected = render(declared.value);
      inbound.key = declared.key;
      inbound.placement = declared.placement.empty() ? "header" : declared.placement;
    } else {
      // TODO(#5): digest and oauth2 on inbound REST requests.
      throw engine::StartupError("REST adapter '" + adapter.namespace_ +
                                 "': inbound authentication '" + declared.type +
                                 "' is not supported");
    }
    auth = std::move(inbound);
  }

  bool authorized(const net::Request& request, const boost::urls::url_view& url) const {
    if (!auth) return true;
    std::optional<std::string> apikey;
    if (auth->type == "apikey") {
      if (auth->placement == "query") {
        auto it = url.params().find(auth->key);
        if (it != url.params().end() && (*it).has_value) apikey = (*it).value;
      } else if (auto value = headerValue(request, auth->key)) {
        apikey = std::string(*value);
      }
    }
    return isAuthorized(*auth, headerValue(request, "Authorization"),
                        apikey ? std::optional<std::string_view>(*apikey) : std::nullopt);
  }

  // Collects the operation's parameters from the path, query, headers, cookies and JSON body.
  std::optional<Problem> collectArguments(const engine::ExposedOperation& operation,
                                          const RouteMatch& match, const net::Request& request,
                                          const boost::urls::url_view& url,
                                          json::object& arguments) const {
    std::optional<json::object> body;
    for (const engine::ParameterInfo& parameter : operation.parameters) {
      switch (parameter.location) {
        case engine::ParamLocation::kPath: {
          auto it = match.path_parameters.find(parameter.name);
          if (it == match.path_parameters.end()) break;
          // An encoded '/' (%2F) inside one segment is ambiguous: servers and proxies disagree on
          // whether it splits the path (RFC 3986 §7.3), so it is refused rather than relayed.
          if (it->second.find('/') != std::string::npos) {
            return Problem{engine::ErrorKind::kInvalidArgument,
                           "path parameter '" + parameter.name + "' must not contain '/'",
                           parameter.name};
          }
          arguments[parameter.name] = it->second;
          break;
        }
        case engine::ParamLocation::kQuery:
        case engine::ParamLocation::kArgument: {
          json::array values;
          // WHATWG form decoding: '+' is a space in a query.
          boost::urls::encoding_opts options;
          options.space_as_plus = true;
          for (auto param : url.params(options)) {
            if (param.key == parameter.name)
              values.emplace_back(param.has_value ? param.value : "");
          }
          if (values.empty()) break;
          if (parameter.type == "array") {
            arguments[parameter.name] = std::move(values);
          } else if (values.size() > 1) {
            return Problem{engine::ErrorKind::kBadRequest,
                           "query parameter '" + parameter.name + "' is given more than once",
                           parameter.name};
          } else {
            arguments[parameter.name] = std::move(values.front());
          }
          break;
        }
        case engine::ParamLocation::kHeader: {
          // DESIGN.md "Semantics" 8: the caller's credentials never travel upstream.
          if (boost::beast::iequals(parameter.name, "Authorization") ||
              boost::beast::iequals(parameter.name, "Proxy-Authorization")) {
            break;
          }
          if (auto value = headerValue(request, parameter.name)) {
            arguments[parameter.name] = std::string(*value);
          }
          break;
        }
        case engine::ParamLocation::kCookie: {
          if (auto value = cookieValue(request, parameter.name)) arguments[parameter.name] = *value;
          break;
        }
        case engine::ParamLocation::kBody: {
          if (!body) {
            body.emplace();
            if (!request.body().empty()) {
              boost::system::error_code ec;
              json::value parsed = json::parse(request.body(), ec);
              if (ec || !parsed.is_object()) {
                return Problem{engine::ErrorKind::kBadRequest,
                               "the request body must be a JSON object", ""};
              }
              *body = std::move(parsed.get_object());
            }
          }
          if (const auto* value = body->if_contains(parameter.name)) {
            arguments[parameter.name] = *value;
          }
          break;
        }
      }
    }
    return std::nullopt;
  }

  net::Response fromOutcome(engine::CallOutcome& outcome, std::string_view path,
                            std::uint64_t request_id) const {
    net::Response response;
    if (outcome.kind == engine::ErrorKind::kNone ||
        (outcome.kind == engine::ErrorKind::kUpstreamStatus &&
         isValidStatus(outcome.upstream_status))) {
      // DESIGN.md "Semantics" 7: the upstream's status and body are relayed as they are.
      response.result(static_cast<http::status>(outcome.upstream_status));
      if (!outcome.body.empty()) {
        response.set(http::field::content_type, outcome.content_type);
        response.body() = std::move(outcome.body);
      }
    } else if (outcome.kind == engine::ErrorKind::kUpstreamStatus) {
      response = problemResponse(
          {engine::ErrorKind::kProtocol,
           "the upstream answered with status " + std::to_string(outcome.upstream_status), ""},
          path, request_id);
    } else {
      response =
          problemResponse({outcome.kind, outcome.message, outcome.parameter}, path, request_id);
    }
    // RFC 9110 §10.2.3: a 429/503 hint from the upstream stays useful to our caller.
    if (outcome.retry_after) response.set(http::field::retry_after, *outcome.retry_after);
    return response;
  }

  asio::awaitable<net::Response> handle(net::Request& request, net::RequestContext& context) {
    const auto started = std::chrono::steady_clock::now();
    const std::string method(request.method_string());
    const std::string_view target = request.target();
    const std::string path(target.substr(0, target.find('?')));
    int upstream_status = 0;

    net::Response response = co_await route(request, context, method, path, upstream_status);

    const auto latency =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started);
    // One line per request; the query is left out because it may carry an api key.
    spdlog::info("[{}] {} {} {} {} upstream={} {:.2f}ms", context.request_id, label, method, path,
                 response.result_int(),
                 upstream_status == 0 ? std::string("-") : std::to_string(upstream_status),
                 latency.count());
    co_return response;
  }

  asio::awaitable<net::Response> route(net::Request& request, net::RequestContext& context,
                                       const std::string& method, const std::string& path,
                                       int& upstream_status) {
    auto url = boost::urls::parse_origin_form(request.target());
    std::vector<std::string> segments;
    if (!url || !decodePath(request.target(), segments)) {
      co_return problemResponse({engine::ErrorKind::kBadRequest, "malformed request target", ""},
                                path, context.request_id);
    }
    RouteMatch match = router.match(method, segments);
    if (match.kind == RouteMatch::Kind::kNotFound) {
      co_return problemResponse(
          {engine::ErrorKind::kNotFound,
           "no route for " + path + (route_list.empty() ? "" : "; " + route_list), ""},
          path, context.request_id);
    }
    if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
      auto response = problemResponse(
          {engine::ErrorKind::kMethodNotAllowed, method + " is not served on this path", ""}, path,
          context.request_id);
      response.set(http::field::allow, match.allow);
      co_return response;
    }
    const engine::ExposedOperation& operation = *match.operation;
    context.operation = operation.name;

    if (!authorized(request, *url)) {
      auto response =
          problemResponse({engine::ErrorKind::kUnauthorized, "missing or wrong credentials", ""},
                          path, context.request_id);
      response.set(http::field::www_authenticate, challengeFor(*auth));
      co_return response;
    }

    json::object arguments;
    if (auto problem = collectArguments(operation, match, request, *url, arguments)) {
      co_return problemResponse(*problem, path, context.request_id);
    }
    engine::CallOutcome outcome =
        co_await engine.call(operation, arguments, engine::CallContext{context.request_id, {}});
    upstream_status = outcome.upstream_status;
    co_return fromOutcome(outcome, path, context.request_id);
  }
};

RestAdapter::RestAdapter(engine::Engine& engine, const spec::RestAdapter& adapter,
                         boost::asio::any_io_executor executor, net::ServerLimits limits)
    : impl_(std::make_shared<Impl>(engine, adapter)) {
  impl_->configureAuth();
  for (const auto* operation : engine.operationsOf(engine::Surface::kRest, adapter.namespace_)) {
    impl_->router.add(*operation);
    // A 404 lists what is served, so a caller who guessed a path sees the right one.
    impl_->route_list += (impl_->route_list.empty() ? "this adapter serves " : ", ") +
                         operation->method + " " + operation->path;
  }
  std::weak_ptr<Impl> weak = impl_;
  net::Handler handler = [weak](net::Request& request,
                                net::RequestContext& context) -> asio::awaitable<net::Response> {
    auto self = weak.lock();
    if (!self) {
      co_return net::makeResponse(http::status::service_unavailable, "", "text/plain");
    }
    co_return co_await self->handle(request, context);
  };
  impl_->server = std::make_unique<net::HttpServer>(std::move(executor), std::move(handler), limits,
                                                    impl_->label);
  impl_->server->setRefusalWriter(refusalProblem);
}

RestAdapter::~RestAdapter() {
  if (impl_ && impl_->server) impl_->server->stop();
}

std::uint16_t RestAdapter::start(std::string_view host, std::uint16_t port) {
  const std::uint16_t bound = impl_->server->listen(host, port);
  spdlog::info("{} listening on {}:{}", impl_->label, host, bound);
  return bound;
}

void RestAdapter::stop() { impl_->server->stop(); }

std::uint16_t RestAdapter::port() const { return impl_->server->port(); }

std::size_t RestAdapter::openConnections() const {
  return impl_->server ? impl_->server->openConnections() : 0;
}

}  // namespace capstan::rest
