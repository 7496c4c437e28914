#include "upstream/client.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cerrno>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>

#include "support/base64.hpp"

namespace capstan::upstream {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

namespace {

constexpr auto kAsTupleAwaitable = asio::as_tuple(asio::use_awaitable);

struct Endpoint {
  std::string scheme;  // http | https
  std::string host;    // without IPv6 brackets
  std::string port;
  std::string target;       // origin-form: path and query
  std::string credentials;  // decoded `user:password` of the URL's userinfo (proxies only)

  bool tls() const { return scheme == "https"; }
  std::string origin() const { return scheme + "://" + hostPort(); }
  std::string hostPort() const {
    const bool ipv6 = host.find(':') != std::string::npos;
    return (ipv6 ? "[" + host + "]" : host) + ":" + port;
  }
  // RFC 9110 §7.2: the port is omitted from Host when it is the scheme's default.
  std::string hostHeader() const {
    const bool default_port =
        (scheme == "https" && port == "443") || (scheme == "http" && port == "80");
    const bool ipv6 = host.find(':') != std::string::npos;
    const std::string name = ipv6 ? "[" + host + "]" : host;
    return default_port ? name : name + ":" + port;
  }
};

std::optional<Endpoint> parseEndpoint(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return std::nullopt;
  Endpoint endpoint;
  endpoint.scheme = parsed->scheme();
  if (endpoint.scheme != "http" && endpoint.scheme != "https") return std::nullopt;
  if (parsed->host_type() == boost::urls::host_type::ipv6) {
    endpoint.host = parsed->host_ipv6_address().to_string();
  } else {
    endpoint.host = parsed->host();
  }
  if (endpoint.host.empty()) return std::nullopt;
  endpoint.port =
      parsed->has_port() ? std::string(parsed->port()) : std::string(endpoint.tls() ? "443" : "80");
  endpoint.target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) endpoint.target += "?" + std::string(parsed->encoded_query());
  if (parsed->has_userinfo()) endpoint.credentials = parsed->userinfo();
  return endpoint;
}

// SSL_set_tlsext_host_name is a macro with a C-style cast; calling SSL_ctrl keeps the warning
// flags clean. RFC 6066 §3: literal IP addresses are not sent as a server name.
bool setServerName(SSL* handle, const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (!ec) return true;
  return SSL_ctrl(handle, SSL_CTRL_SET_TLSEXT_HOSTNAME,
                  static_cast<long>(TLSEXT_NAMETYPE_host_name),
                  const_cast<char*>(host.c_str())) == 1;
}

bool isIdempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
         method == "DELETE" || method == "TRACE";
}

bool isRedirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Errors that a server closing an idle kept-alive connection produces on our next use.
bool isStaleConnectionError(const ErrorCode& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::connection_aborted;
}

struct Fail {
  Failure failure;
  std::string detail;
};

Fail classifyExchangeError(const ErrorCode& ec, bool cancelled) {
  if (cancelled || ec == asio::error::operation_aborted) {
    return {cancelled ? Failure::kCancelled : Failure::kTimeout, ec.message()};
  }
  if (ec == beast::error::timeout) return {Failure::kTimeout, "total deadline passed"};
  if (ec == http::error::body_limit) return {Failure::kTooLarge, "response body over the cap"};
  if (ec == http::error::header_limit) return {Failure::kTooLarge, "response header over the cap"};
  if (ec.category() == asio::error::get_ssl_category()) return {Failure::kTls, ec.message()};
  return {Failure::kProtocol, ec.message()};
}

}  // namespace

constexpr std::size_t kReadBufferBytes = 16 * 1024;

struct Connection {
  std::string pool_key;
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  SteadyClock::time_point idle_since;

  beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

struct Client::Impl : std::enable_shared_from_this<Client::Impl> {
  Impl(asio::any_io_executor executor_in, ClientOptions options_in)
      : executor(std::move(executor_in)), options(std::move(options_in)) {
    // An explicit CA file is checked at start-up, so a bad one stops `serve` at once.
    if (options.ca_file) tlsContext();
  }

  // Parsing the system CA bundle costs tens of milliseconds, so a capability whose upstreams are
  // all plain HTTP (the sandbox) never pays it: the context is built on the first TLS connect.
  ssl::context& tlsContext() {
    std::call_once(tls_once, [this] {
      auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
      // Without a system store every TLS handshake fails verification, which callers see as a
      // TLS error: nothing to throw on the request path.
      ErrorCode ec;
      context->set_default_verify_paths(ec);
      if (options.ca_file) {
        context->load_verify_file(options.ca_file->string(), ec);
        if (ec) {
          throw std::runtime_error("cannot load CA file " + options.ca_file->string() + ": " +
                                   ec.message());
        }
      }
      context->set_verify_mode(ssl::verify_peer);
      tls_context = std::move(context);
    });
    return *tls_context;
  }

  asio::any_io_executor executor;
  ClientOptions options;
  std::once_flag tls_once;
  std::unique_ptr<ssl::context> tls_context;
  std::mutex pool_mutex;
  std::map<std::string, std::vector<std::shared_ptr<Connection>>> idle;
  std::atomic<std::size_t> opened{0};

  std::shared_ptr<Connection> takeIdle(const std::string& key) {
    std::lock_guard lock(pool_mutex);
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    const auto now = SteadyClock::now();
    while (!list.empty()) {
      auto connection = std::move(list.back());
      list.pop_back();
      if (now - connection->idle_since < options.idle_expiry && stillOpen(*connection)) {
        return connection;
      }
    }
    return nullptr;
  }

  // An idle HTTP/1.1 connection has nothing to read: readable bytes or end of stream mean the
  // server closed it (keep-alive timeout) or sent something unasked, and it must not carry a
  // request (RFC 9112 §9.3.1). Checked without blocking and without consuming anything.
  static bool stillOpen(Connection& connection) {
    char probe = 0;
    const auto fd = connection.tcp().socket().native_handle();
    const auto peeked = ::recv(fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    return peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

  void giveBack(std::shared_ptr<Connection> connection) {
    connection->tcp().expires_never();
    connection->idle_since = SteadyClock::now();
    std::lock_guard lock(pool_mutex);
    auto& list = idle[connection->pool_key];
    if (list.size() >= options.max_idle_per_origin) list.erase(list.begin());
    list.push_back(std::move(connection));
  }

  // Opens a connection to `endpoint` (through `proxy` when set). On failure returns nullptr and
  // fills `fail`.
  asio::awaitable<std::shared_ptr<Connection>> open(const Endpoint& endpoint,
                                                    const std::optional<Endpoint>& proxy,
                                                    SteadyClock::time_point deadline, Fail& fail) {
    auto connection = std::make_shared<Connection>();
    // Beast reads at most the buffer's free capacity (at least 512 bytes) per receive: a typical
    // JSON answer then takes one or two syscalls instead of twenty.
    connection->buffer.reserve(kReadBufferBytes);
    const Endpoint& first_hop = proxy ? *proxy : endpoint;
    auto strand = asio::make_strand(executor);

    tcp::resolver resolver(strand);
    // TODO(#5): the resolver is not bounded by the connect deadline (getaddrinfo cannot be
    // cancelled); loopback and cached names answer at once.
    auto [resolve_ec, results] =
        co_await resolver.async_resolve(first_hop.host, first_hop.port, kAsTupleAwaitable);
    if (resolve_ec) {
      fail = {Failure::kConnect, "cannot resolve " + first_hop.host + ": " + resolve_ec.message()};
      co_return nullptr;
    }

    beast::tcp_stream stream(strand);
    stream.expires_at(std::min(deadline, SteadyClock::now() + options.connect_timeout));
    auto [connect_ec, connected] = co_await stream.async_connect(results, kAsTupleAwaitable);
    if (connect_ec) {
      fail = {connect_ec == beast::error::timeout ? Failure::kTimeout : Failure::kConnect,
              "cannot connect to " + first_hop.hostPort() + ": " + connect_ec.message()};
      co_return nullptr;
    }
    stream.socket().set_option(tcp::no_delay(true));
    ++opened;

    if (proxy && endpoint.tls()) {
      if (!co_await tunnel(stream, endpoint, *proxy, fail)) co_return nullptr;
    }

    if (!endpoint.tls()) {
      connection->plain = std::make_unique<beast::tcp_stream>(std::move(stream));
      co_return connection;
    }

    connection->tls =
        std::make_unique<beast::ssl_stream<beast::tcp_stream>>(std::move(stream), tlsContext());
    auto& tls = *connection->tls;
    if (!setServerName(tls.native_handle(), endpoint.host)) {
      fail = {Failure::kTls, "cannot set the TLS server name"};
      co_return nullptr;
    }
    tls.set_verify_callback(ssl::host_name_verification(endpoint.host));
    beast::get_lowest_layer(tls).expires_at(
        std::min(deadline, SteadyClock::now() + options.connect_timeout));
    auto [handshake_ec] = co_await tls.async_handshake(ssl::stream_base::client, kAsTupleAwaitable);
    if (handshake_ec) {
      fail = {handshake_ec == beast::error::timeout ? Failure::kTimeout : Failure::kTls,
              "TLS handshake with " + endpoint.host + " failed: " + handshake_ec.message()};
      co_return nullptr;
    }
    co_return connection;
  }

  // RFC 9110 §9.3.6: CONNECT opens a tunnel through an HTTP proxy; TLS then runs inside it.
  asio::awaitable<bool> tunnel(beast::tcp_stream& stream, const Endpoint& endpoint,
                               const Endpoint& proxy, Fail& fail) {
    http::request<http::empty_body> request{http::verb::connect, endpoint.hostPort(), 11};
    request.set(http::field::host, endpoint.hostPort());
    setProxyAuthorization(request, proxy);
    auto [write_ec, written] = co_await http::async_write(stream, request, kAsTupleAwaitable);
    if (write_ec) {
      fail = {Failure::kConnect, "proxy CONNECT failed: " + write_ec.message()};
      co_return false;
    }
    beast::flat_buffer buffer;
    http::response_parser<http::empty_body> parser;
    parser.skip(true);  // a 2xx answer to CONNECT has no body (RFC 9110 §9.3.6)
    auto [read_ec, read] =
        co_await http::async_read_header(stream, buffer, parser, kAsTupleAwaitable);
    if (read_ec) {
      fail = {read_ec == beast::error::timeout ? Failure::kTimeout : Failure::kConnect,
              "proxy CONNECT failed: " + read_ec.message()};
      co_return false;
    }
    if (parser.get().result_int() / 100 != 2) {
      fail = {Failure::kConnect,
              "proxy refused CONNECT with status " + std::to_string(parser.get().result_int())};
      co_return false;
    }
    co_return true;
  }

  // RFC 9110 §11.7.1: `user:password` in HTTPS_PROXY / HTTP_PROXY become Basic credentials for
  // the proxy (RFC 7617); they never reach the origin.
  template <class Message>
  static void setProxyAuthorization(Message& message, const Endpoint& proxy) {
    if (proxy.credentials.empty()) return;
    message.set(http::field::proxy_authorization, "Basic " + base64Encode(proxy.credentials));
  }

  using Parser = http::response_parser<http::string_body>;

  void configure(Parser& parser, const Request& request) const {
    parser.body_limit(options.max_response_bytes);
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    if (request.method == "HEAD") parser.skip(true);
  }

  template <class Stream>
  asio::awaitable<ErrorCode> exchange(Stream& stream, beast::flat_buffer& buffer,
                                      http::request<http::string_body>& http_request,
                                      const Request& request, std::optional<Parser>& parser,
                                      bool& written) {
    auto [write_ec, write_n] = co_await http::async_write(stream, http_request, kAsTupleAwaitable);
    if (write_ec) co_return write_ec;
    written = true;
    for (;;) {
      parser.emplace();
      configure(*parser, request);
      auto [read_ec, read_n] =
          co_await http::async_read(stream, buffer, *parser, kAsTupleAwaitable);
      if (read_ec) co_return read_ec;
      // RFC 9110 §15.2: interim answers (100 Continue, 103 Early Hints) precede the final one;
      // skip them. 101 would switch protocols, which capstan never asks for.
      const unsigned status = parser->get().result_int();
      if (status < 100 || status >= 200 || status == 101) co_return read_ec;
    }
  }

  http::request<http::string_body> buildRequest(const Request& request, const Endpoint& endpoint,
                                                const std::optional<Endpoint>& proxy) const {
    // RFC 9112 §3.2.2: a plain-HTTP request through a proxy uses the absolute form.
    const bool absolute_form = proxy && !endpoint.tls();
    http::request<http::string_body> out;
    out.version(11);
    const auto verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
      out.method_string(request.method);
    } else {
      out.method(verb);
    }
    out.target(absolute_form ? endpoint.scheme + "://" + endpoint.hostHeader() + endpoint.target
                             : endpoint.target);
    out.set(http::field::host, endpoint.hostHeader());
    out.set(http::field::user_agent, "capstan/0.1");
    out.set(http::field::accept_encoding, "gzip");
    for (const auto& [name, value] : request.headers) out.insert(name, value);
    if (absolute_form) setProxyAuthorization(out, *proxy);
    if (request.body) {
      out.body() = *request.body;
      out.prepare_payload();
    }
    return out;
  }

  asio::awaitable<Result> exchangeOnce(const Request& request, const Endpoint& endpoint,
                                       SteadyClock::time_point deadline,
                                       asio::cancellation_slot slot) {
    Result result;
    std::optional<Endpoint> proxy;
    if (options.use_proxy_env) {
      if (auto proxy_url = proxyFor(endpoint.scheme, endpoint.host, options.env_lookup)) {
        proxy = parseEndpoint(*proxy_url);
        if (!proxy || proxy->tls()) {
          result.failure = Failure::kBadUrl;
          result.detail = "unsupported proxy URL in the environment";
          co_return result;
        }
      }
    }
    const std::string pool_key =
        (proxy ? proxy->origin() + "|" : std::string()) + endpoint.origin();

    for (int attempt = 0;; ++attempt) {
      auto connection = takeIdle(pool_key);
      const bool reused = connection != nullptr;
      if (!connection) {
        Fail fail{Failure::kNone, {}};
        connection = co_await open(endpoint, proxy, deadline, fail);
        if (!connection) {
          result.failure = fail.failure;
          result.detail = std::move(fail.detail);
          co_return result;
        }
        connection->pool_key = pool_key;
      }
      result.reused_connection = reused;

      auto cancelled = std::make_shared<std::atomic<bool>>(false);
      if (slot.is_connected()) {
        std::weak_ptr<Connection> weak = connection;
        slot.assign([weak, cancelled](asio::cancellation_type) {
          auto alive = weak.lock();
          if (!alive) return;
          *cancelled = true;
          asio::post(alive->tcp().get_executor(), [alive] { alive->tcp().cancel(); });
        });
      }

      auto http_request = buildRequest(request, endpoint, proxy);
      std::optional<Parser> parser;
      connection->tcp().expires_at(deadline);
      bool written = false;
      const ErrorCode ec = connection->tls
                               ? co_await exchange(*connection->tls, connection->buffer,
                                                   http_request, request, parser, written)
                               : co_await exchange(*connection->plain, connection->buffer,
                                                   http_request, request, parser, written);
      if (slot.is_connected()) slot.clear();

      if (ec) {
        // RFC 9112 §9.3.1: a request on a reused connection may race the server closing it;
        // retry once on a fresh one when nothing was received and a replay is harmless.
        const bool retry = reused && attempt == 0 && (!parser || !parser->got_some()) &&
                           isStaleConnectionError(ec) && (!written || isIdempotent(request.method));
        if (retry && !*cancelled) continue;
        const Fail fail = classifyExchangeError(ec, *cancelled);
        result.failure = fail.failure;
        result.detail = fail.detail;
        co_return result;
      }

      auto message = parser->release();
      if (message.result_int() == 101) {
        result.failure = Failure::kProtocol;
        result.detail = "the upstream switched protocols (101), which capstan never asks for";
        co_return result;
      }
      // Bytes after the answer (a 204 or 304 that carried a body anyway) would be read as the
      // next caller's answer: such a connection is closed, not pooled.
      const bool keep =
          message.keep_alive() && !message.need_eof() && connection->buffer.size() == 0;
      result.response.status = message.result_int();
      for (const auto& field : message) {
        result.response.headers.emplace_back(std::string(field.name_string()),
                                             std::string(field.value()));
      }
      result.response.body = std::move(message.body());
      if (keep) giveBack(std::move(connection));
      co_return result;
    }
  }

  // RFC 9110 §8.4: gzip is the only coding we ask for; identity passes through.
  static void decodeBody(Result& result, std::size_t limit) {
    auto encoding = result.response.header("Content-Encoding");
    if (!encoding || encoding->empty() || *encoding == "identity") return;
    if (*encoding != "gzip" && *encoding != "x-gzip") {
      result.failure = Failure::kBadEncoding;
      result.detail = "unsupported Content-Encoding " + *encoding;
      return;
    }
    bool too_large = false;
    auto decoded = gunzip(result.response.body, limit, too_large);
    if (!decoded) {
      result.failure = too_large ? Failure::kTooLarge : Failure::kBadEncoding;
      result.detail = too_large ? "decoded response body over the cap" : "corrupt gzip body";
      return;
    }
    result.response.body = std::move(*decoded);
    std::erase_if(result.response.headers, [](const auto& header) {
      return beast::iequals(header.first, "Content-Encoding") ||
             beast::iequals(header.first, "Content-Length");
    });
  }
};

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Client::~Client() = default;

std::size_t Client::connectionsOpened() const { return impl_->opened.load(); }

asio::awaitable<Result> Client::send(Request request, asio::cancellation_slot slot) {
  auto impl = impl_;
  const auto deadline = SteadyClock::now() + impl->options.total_timeout;
  std::string url = request.url;
  auto endpoint = parseEndpoint(url);
  if (!endpoint) {
    Result bad;
    bad.failure = Failure::kBadUrl;
    bad.detail = "unsupported upstream URL";
    co_return bad;
  }
  const std::string origin = endpoint->origin();

  for (int hop = 0;; ++hop) {
    Result result = co_await impl->exchangeOnce(request, *endpoint, deadline, slot);
    if (!result.ok()) co_return result;
    Impl::decodeBody(result, impl->options.max_response_bytes);
    if (!result.ok() || !isRedirect(result.response.status)) co_return result;

    auto location = result.response.header("Location");
    if (!location) co_return result;
    boost::urls::url next;
    auto base = boost::urls::parse_uri(url);
    auto reference = boost::urls::parse_uri_reference(*location);
    if (!base || !reference || !boost::urls::resolve(*base, *reference, next)) {
      result.failure = Failure::kProtocol;
      result.detail = "unparsable redirect Location";
      co_return result;
    }
    auto next_endpoint = parseEndpoint(next.buffer());
    // Credentials were computed for this origin only; another origin never receives them.
    if (!next_endpoint || next_endpoint->origin() != origin) {
      result.failure = Failure::kRedirectRefused;
      result.detail = "redirect to another origin refused";
      co_return result;
    }
    // Only safe methods are replayed; anything else relays the 3xx to the caller.
    if ((request.method != "GET" && request.method != "HEAD") ||
        hop >= impl->options.max_redirects) {
      co_return result;
    }
    url = std::string(next.buffer());
    endpoint = next_endpoint;
  }
}

}  // namespace capstan::upstream
