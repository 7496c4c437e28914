#include "engine/engine.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <cstdlib>

#include "engine/binds.hpp"
#include "engine/digest.hpp"
#include "engine/json_check.hpp"
#include "engine/planner.hpp"
#include "spec/lookup.hpp"
#include "support/hex.hpp"
#include "support/json_text.hpp"
#include "support/metrics.hpp"
#include "template/template.hpp"
#include "upstream/client.hpp"

namespace capstan::engine {

namespace {

// The Authorization answer to the first Digest challenge of a 401, or nullopt when it carries
// none capstan can answer (the 401 is then relayed as it is).
std::optional<std::string> digestHeaderFor(const std::pair<std::string, std::string>& credentials,
                                           const upstream::Response& response,
                                           const upstream::Request& request) {
  for (const auto& [name, value] : response.headers) {
    if (!boost::beast::iequals(name, "WWW-Authenticate")) continue;
    auto challenge = parseDigestChallenge(value);
    if (!challenge) continue;
    // RFC 7616 §3.4: `uri` is the request-target (origin form: path and query).
    const auto scheme = request.url.find("://");
    const auto path = request.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    const std::string target = path == std::string::npos ? "/" : request.url.substr(path);
    std::array<unsigned char, 16> random{};
    RAND_bytes(random.data(), static_cast<int>(random.size()));
    return digestAuthorization(*challenge, credentials.first, credentials.second, request.method,
                               target, toHex(random.data(), random.size()));
  }
  return std::nullopt;
}

}  // namespace

namespace {

ErrorKind kindOfFailure(upstream::Failure failure) {
  switch (failure) {
    case upstream::Failure::kNone:
      return ErrorKind::kNone;
    case upstream::Failure::kConnect:
      return ErrorKind::kConnect;
    case upstream::Failure::kTls:
      return ErrorKind::kTls;
    case upstream::Failure::kTimeout:
      return ErrorKind::kTimeout;
    case upstream::Failure::kProtocol:
      return ErrorKind::kProtocol;
    case upstream::Failure::kTooLarge:
      return ErrorKind::kTooLarge;
    case upstream::Failure::kBadEncoding:
      return ErrorKind::kBadEncoding;
    case upstream::Failure::kRedirectRefused:
      return ErrorKind::kProtocol;
    case upstream::Failure::kBadUrl:
      return ErrorKind::kConnect;
    case upstream::Failure::kCancelled:
      return ErrorKind::kCancelled;
  }
  return ErrorKind::kProtocol;
}

std::vector<std::string> placeholderNames(const std::string& path) {
  std::vector<std::string> names;
  for (const auto& placeholder : spec::pathPlaceholders(path)) names.push_back(placeholder.name);
  return names;
}

void checkOverrides(const spec::Document& document,
                    const std::map<std::string, std::string>& overrides) {
  for (const auto& [ns, url] : overrides) {
    const auto& consumes = document.capability.consumes;
    const bool known =
        std::any_of(consumes.begin(), consumes.end(),
                    [&](const spec::ConsumedHttp& entry) { return entry.namespace_ == ns; });
    if (!known) throw StartupError("--upstream " + ns + ": no consumes entry has that namespace");
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
        parsed->host().empty()) {
      throw StartupError("--upstream " + ns + ": '" + url + "' is not an http(s) URL");
    }
  }
}

}  // namespace

struct Engine::Impl {
  const spec::Document& document;
  asio::any_io_executor executor;
  EngineOptions options;
  BindTable binds;
  std::vector<std::string> secrets;
  std::vector<std::string> body_secrets;
  static constexpr std::size_t kMinBodySecretLength = 8;
  std::shared_ptr<upstream::Transport> transport;
  std::vector<ExposedOperation> operations;
  std::vector<CompiledCall> compiled;
  EngineMetrics metrics;

  Impl(const spec::Document& document_in, asio::any_io_executor executor_in,
       EngineOptions options_in)
      : document(document_in), executor(std::move(executor_in)), options(std::move(options_in)) {
    binds = BindTable::resolve(document.binds, options.env_lookup, options.bind_base_dir);
    secrets = binds.secretValues();
    // Relayed bodies are scanned for secrets long enough to be credentials: short bind values
    // (a region, a flag) would otherwise mangle ordinary text.
    for (const auto& secret : secrets) {
      if (secret.size() >= kMinBodySecretLength) body_secrets.push_back(secret);
    }
    checkOverrides(document, options.upstream_overrides);
    for (const spec::RestAdapter& adapter : document.capability.rest) addRest(adapter);
    for (const spec::McpAdapter& adapter : document.capability.mcp) addMcp(adapter);
    transport = options.transport;
    if (!transport) transport = makeClient();
  }

  std::shared_ptr<upstream::Transport> makeClient() {
    upstream::ClientOptions client;
    client.connect_timeout = options.connect_timeout;
    client.total_timeout = options.total_timeout;
    client.max_response_bytes = options.max_response_bytes;
    client.ca_file = options.ca_file;
    client.use_proxy_env = options.use_proxy_env;
    client.env_lookup = options.env_lookup;
    try {
      return std::make_shared<upstream::Client>(executor, std::move(client));
    } catch (const std::exception& error) {
      throw StartupError(error.what());
    }
  }

  void add(ExposedOperation operation, const std::string& call, const spec::WithMap& with,
           const std::vector<spec::InputParameter>& declared,
           const std::vector<std::string>& exposed_placeholders,
           const std::vector<spec::OutputParameter>& outputs) {
    if (call.empty()) {
      throw StartupError(operation.adapter_namespace + ": operation '" + operation.name +
                         "' has no `call`");
    }
    CompiledCall compiled_call =
        compileCall(document, operation.surface, operation.adapter_namespace, call, with, declared,
                    exposed_placeholders, outputs, binds, options.upstream_overrides);
    operation.parameters = compiled_call.parameters;
    if (operation.description.empty()) operation.description = compiled_call.operation->description;
    operation.index = operations.size();
    operations.push_back(std::move(operation));
    compiled.push_back(std::move(compiled_call));
  }

  void addRest(const spec::RestAdapter& adapter) {
    for (const spec::RestResource& resource : adapter.resources) {
      for (const spec::RestOperation& rest : resource.operations) {
        ExposedOperation operation;
        operation.surface = Surface::kRest;
        operation.adapter_namespace = adapter.namespace_;
        operation.name = rest.name;
        operation.description = rest.description;
        operation.method = rest.method;
        operation.path = resource.path;
        operation.rest_resource = &resource;
        operation.rest_operation = &rest;
        std::vector<spec::InputParameter> declared = resource.input_parameters;
        declared.insert(declared.end(), rest.input_parameters.begin(), rest.input_parameters.end());
        add(std::move(operation), rest.call, rest.with, declared, placeholderNames(resource.path),
            rest.output_parameters);
      }
    }
  }

  void addMcp(const spec::McpAdapter& adapter) {
    for (const spec::McpTool& tool : adapter.tools) {
      ExposedOperation operation;
      operation.surface = Surface::kMcp;
      operation.adapter_namespace = adapter.namespace_;
      operation.name = tool.name;
      operation.description = tool.description;
      operation.mcp_tool = &tool;
      add(std::move(operation), tool.call, tool.with, tool.input_parameters, {},
          tool.output_parameters);
    }
  }

  CallOutcome finish(CallOutcome outcome) {
    metrics.count(outcome.kind);
    Metrics::instance().recordUpstream(outcome.info().metric);
    return outcome;
  }

  static CallOutcome notJson(int status) {
    CallOutcome outcome;
    outcome.kind = ErrorKind::kNotJson;
    outcome.upstream_status = status;
    outcome.message =
        "the upstream answered " + std::to_string(status) + " with a body that is not JSON";
    return outcome;
  }

  CallOutcome fromUpstream(const CompiledCall& plan, const boost::json::object& arguments,
                           upstream::Result result) {
    CallOutcome outcome;
    if (!result.ok()) {
      outcome.kind = kindOfFailure(result.failure);
      outcome.message = redact(result.detail, secrets);
      return outcome;
    }
    upstream::Response& response = result.response;
    outcome.upstream_status = response.status;
    outcome.retry_after = response.header("Retry-After");
    // DESIGN.md "Semantics" 7: non-2xx answers are relayed with their body, not reinterpreted.
    if (response.status < 200 || response.status >= 300) {
      outcome.kind = ErrorKind::kUpstreamStatus;
      outcome.content_type = response.header("Content-Type")
                                 .value_or(response.body.empty() ? "" : "application/octet-stream");
      outcome.body = std::move(response.body);
      return outcome;
    }
    if (response.body.empty()) return outcome;  // 2xx without a body is a success
    if (!plan.expects_json) {
      // `capstan serve` refuses outputRawFormat other than json at load (the spec marks it
      // unsupported, issue #2); an Engine built without that check passes the body through.
      outcome.content_type = response.header("Content-Type").value_or("application/octet-stream");
      outcome.body = std::move(response.body);
      return outcome;
    }
    if (plan.identity_output) {
      // DESIGN.md "Semantics" 6: identity mappings return the upstream bytes as they came, once
      // they are known to be JSON (7: not JSON when JSON was declared is a 502).
      if (!isJsonText(response.body)) return notJson(response.status);
      outcome.content_type = "application/json";
      outcome.body = std::move(response.body);
      return outcome;
    }
    // The DOM lives only until the answer is written: an arena turns its hundreds of node
    // allocations into a few blocks freed at once.
    unsigned char scratch[8192];
    boost::json::monotonic_resource arena(scratch, sizeof(scratch));
    boost::system::error_code ec;
    boost::json::value document_value = boost::json::parse(response.body, ec, &arena);
    if (ec) return notJson(response.status);
    outcome.content_type = "application/json";
    auto shaped = plan.shaper.apply(document_value, &arguments);
    if (!shaped) {
      outcome.kind = ErrorKind::kShaping;
      outcome.content_type.clear();
      outcome.message = shaped.error().describe();
      return outcome;
    }
    outcome.body = toJsonText(*shaped);
    return outcome;
  }
};

Engine::Engine(const spec::Document& document, asio::any_io_executor executor,
               EngineOptions options)
    : impl_(std::make_unique<Impl>(document, std::move(executor), std::move(options))) {}

Engine::~Engine() = default;

const std::vector<ExposedOperation>& Engine::operations() const { return impl_->operations; }

std::vector<const ExposedOperation*> Engine::operationsOf(
    Surface surface, const std::string& adapter_namespace) const {
  std::vector<const ExposedOperation*> out;
  for (const auto& operation : impl_->operations) {
    if (operation.surface == surface && operation.adapter_namespace == adapter_namespace) {
      out.push_back(&operation);
    }
  }
  return out;
}

const ExposedOperation* Engine::findTool(const std::string& adapter_namespace,
                                         const std::string& tool_name) const {
  for (const auto& operation : impl_->operations) {
    if (operation.surface == Surface::kMcp && operation.adapter_namespace == adapter_namespace &&
        operation.name == tool_name) {
      return &operation;
    }
  }
  return nullptr;
}

const EngineMetrics& Engine::metrics() const { return impl_->metrics; }

std::optional<std::string> Engine::renderWithBinds(const std::string& text) const {
  auto rendered =
      tmpl::render(text, [this](std::string_view name) { return impl_->binds.find(name); });
  if (!rendered.complete()) return std::nullopt;
  return std::move(rendered.text);
}

std::string Engine::redactSecrets(std::string text) const {
  return redact(std::move(text), impl_->secrets);
}

asio::awaitable<CallOutcome> Engine::call(const ExposedOperation& operation,
                                          const boost::json::object& arguments,
                                          CallContext context) {
  Impl& impl = *impl_;
  if (operation.index >= impl.operations.size() ||
      &impl.operations[operation.index] != &operation) {
    CallOutcome foreign;
    foreign.kind = ErrorKind::kInternal;
    foreign.message = "operation does not belong to this engine";
    co_return impl.finish(std::move(foreign));
  }
  const CompiledCall& compiled = impl.compiled[operation.index];

  // DESIGN.md "Semantics" 5: nothing reaches the upstream before the arguments check out.
  ValidatedArguments validated = validateArguments(operation.parameters, arguments);
  BuildResult built;
  if (!validated.error) built = buildUpstreamCall(compiled, validated.values, impl.binds);
  const auto& argument_error = validated.error ? validated.error : built.error;
  if (argument_error) {
    CallOutcome invalid;
    invalid.kind = ErrorKind::kInvalidArgument;
    invalid.parameter = argument_error->parameter;
    invalid.message = redact(argument_error->message, impl.secrets);
    spdlog::debug("[{}] {}: {}", context.request_id, operation.name, invalid.message);
    co_return impl.finish(std::move(invalid));
  }

  upstream::Request request;
  request.method = built.call->method;
  request.url = std::move(built.call->url);
  request.headers = std::move(built.call->headers);
  request.body = std::move(built.call->body);
  spdlog::debug("[{}] upstream {} {}", context.request_id, request.method,
                redact(request.url, impl.secrets));

  const auto started = std::chrono::steady_clock::now();
  impl.metrics.upstream_requests.fetch_add(1, std::memory_order_relaxed);
  // RFC 7616: a digest credential answers the server's challenge, so the first attempt goes
  // without one and a 401 carrying a Digest challenge is answered once.
  std::optional<upstream::Request> replay;
  if (compiled.digest_credentials) replay = request;
  upstream::Result result = co_await impl.transport->send(std::move(request), context.cancellation);
  if (replay && result.ok() && result.response.status == 401) {
    if (auto header = digestHeaderFor(*compiled.digest_credentials, result.response, *replay)) {
      replay->headers.emplace_back("Authorization", std::move(*header));
      result = co_await impl.transport->send(std::move(*replay), context.cancellation);
    }
  }
  CallOutcome outcome = impl.fromUpstream(compiled, validated.values, std::move(result));
  // DESIGN.md "Semantics" 8: an upstream that echoes the credential back (a 401 quoting the
  // Authorization header) must not hand it to the caller.
  if (!outcome.body.empty()) outcome.body = redact(std::move(outcome.body), impl.body_secrets);
  outcome.upstream_latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);
  if (!outcome.ok() && outcome.kind != ErrorKind::kUpstreamStatus) {
    spdlog::debug("[{}] {}: {} ({})", context.request_id, operation.name, outcome.info().metric,
                  outcome.message);
  }
  co_return impl.finish(std::move(outcome));
}

}  // namespace capstan::engine
