// The upstream client against a scripted TCP server on 127.0.0.1:0: one test per failure kind,
// each with the answer that would fool a naive client (a gzip bomb, a truncated body, a redirect
// to another origin, a kept-alive connection the server has already closed).
#include "upstream/client.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace capstan::upstream {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What the server does with one request: raw response bytes, then keep the connection, close it,
// or never answer.
struct Reply {
  enum class After { kKeepOpen, kClose, kHang };
  std::string bytes;
  After after = After::kKeepOpen;
};

class ScriptedServer {
 public:
  using Script = std::function<Reply(const std::string& request_head)>;

  ScriptedServer(asio::io_context& io, Script script)
      : io_(io),
        acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        script_(std::move(script)) {
    asio::co_spawn(io_, accept(), asio::detached);
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }
  int accepted() const { return accepted_; }
  const std::vector<std::string>& requests() const { return requests_; }

 private:
  asio::awaitable<void> accept() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++accepted_;
      asio::co_spawn(io_, serve(std::make_shared<tcp::socket>(std::move(socket))), asio::detached);
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<tcp::socket> socket) {
    std::string buffer;
    for (;;) {
      boost::system::error_code ec;
      const std::size_t head_end =
          co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer), "\r\n\r\n",
                                          asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      std::string head = buffer.substr(0, head_end);
      buffer.erase(0, head_end);
      requests_.push_back(head);
      Reply reply = script_(head);
      if (reply.after == Reply::After::kHang) {
        hung_.push_back(socket);  // kept open, never answered
        co_return;
      }
      co_await asio::async_write(*socket, asio::buffer(reply.bytes),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec || reply.after == Reply::After::kClose) {
        socket->close(ec);
        co_return;
      }
    }
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  Script script_;
  int accepted_ = 0;
  std::vector<std::string> requests_;
  std::vector<std::shared_ptr<tcp::socket>> hung_;
};

std::string ok(const std::string& body, const std::string& extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

std::string gzip(const std::string& data) {
  z_stream stream{};
  // 16 + MAX_WBITS: write a gzip wrapper (RFC 1952), as servers do for Content-Encoding: gzip.
  EXPECT_EQ(
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

class ClientTest : public ::testing::Test {
 protected:
  ClientOptions options() {
    ClientOptions o;
    o.use_proxy_env = false;
    o.connect_timeout = std::chrono::milliseconds(5'000);
    o.total_timeout = std::chrono::milliseconds(10'000);
    return o;
  }

  Result send(Client& client, Request request) {
    Result out;
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          out = co_await client.send(std::move(request));
          io_.stop();
        },
        asio::detached);
    io_.restart();
    io_.run();
    return out;
  }

  // Runs what is ready on the loop (the scripted server closing or writing), without waiting.
  void settle() {
    io_.restart();
    io_.poll();
  }

  Request get(const std::string& url) {
    Request request;
    request.url = url;
    return request;
  }

  asio::io_context io_;
};

TEST_F(ClientTest, AnswerIsReturnedWithStatusHeadersAndBody) {
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 2\r\n\r\n{}"};
  });
  Client client(io_.get_executor(), options());
  auto result = send(client, get(server.url("/v1/jobs")));
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.response.status, 429) << "a status is an answer, not a failure";
  EXPECT_EQ(result.response.header("retry-after"), "7") << "RFC 9110 §5.1: names are case-blind";
  EXPECT_EQ(result.response.body, "{}");
}

TEST_F(ClientTest, RequestCarriesHostAndTheCallersHeaders) {
  ScriptedServer server(io_, [](const std::string&) { return Reply{ok("{}")}; });
  Client client(io_.get_executor(), options());
  Request request = get(server.url("/v1/jobs?limit=1"));
  request.headers.emplace_back("Authorization", "Bearer t");
  ASSERT_TRUE(send(client, request).ok());
  ASSERT_EQ(server.requests().size(), 1u);
  const std::string& head = server.requests()[0];
  EXPECT_EQ(head.rfind("GET /v1/jobs?limit=1 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Host: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos)
      << "RFC 9110 §7.2: Host names the upstream's origin";
  EXPECT_NE(head.find("Authorization: Bearer t\r\n"), std::string::npos);
}

TEST_F(ClientTest, RefusedConnectionIsAConnectFailure) {
  std::uint16_t port = 0;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }  // closed again: nothing listens there now
  Client client(io_.get_executor(), options());
  auto result = send(client, get("http://127.0.0.1:" + std::to_string(port) + "/"));
  EXPECT_EQ(result.failure, Failure::kConnect) << result.detail;
}

TEST_F(ClientTest, SilentServerIsATimeout) {
  ScriptedServer server(io_, [](const std::string&) { return Reply{"", Reply::After::kHang}; });
  auto o = options();
  o.total_timeout = std::chrono::milliseconds(200);
  Client client(io_.get_executor(), o);
  auto result = send(client, get(server.url()));
  EXPECT_EQ(result.failure, Failure::kTimeout) << result.detail;
}

TEST_F(ClientTest, SlowBodyIsATimeoutToo) {
  // The headers arrive at once; the body never completes. A client with only a header deadline
  // would wait forever.
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":",
                 Reply::After::kKeepOpen};
  });
  auto o = options();
  o.total_timeout = std::chrono::milliseconds(200);
  Client client(io_.get_executor(), o);
  auto result = send(client, get(server.url()));
  EXPECT_EQ(result.failure, Failure::kTimeout) << result.detail;
}

TEST_F(ClientTest, NotHttpIsAProtocolError) {
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{"SSH-2.0-OpenSSH_9.2\r\n\r\n", Reply::After::kClose};
  });
  Client client(io_.get_executor(), options());
  EXPECT_EQ(send(client, get(server.url())).failure, Failure::kProtocol);
}

TEST_F(ClientTest, BodyCutShortIsAProtocolError) {
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial\":",
                 Reply::After::kClose};
  });
  Client client(io_.get_executor(), options());
  EXPECT_EQ(send(client, get(server.url())).failure, Failure::kProtocol)
      << "a truncated body must not pass for a complete answer";
}

TEST_F(ClientTest, BodyOverTheCapIsTooLarge) {
  ScriptedServer server(io_, [](const std::string&) { return Reply{ok(std::string(5000, 'x'))}; });
  auto o = options();
  o.max_response_bytes = 1000;
  Client client(io_.get_executor(), o);
  EXPECT_EQ(send(client, get(server.url())).failure, Failure::kTooLarge);
}

TEST_F(ClientTest, GzipBodyIsDecodedAndTheEncodingHeaderDropped) {
  const std::string json = R"({"data":[)" + std::string(2000, ' ') + "]}";
  ScriptedServer server(
      io_, [&](const std::string&) { return Reply{ok(gzip(json), "Content-Encoding: gzip\r\n")}; });
  Client client(io_.get_executor(), options());
  auto result = send(client, get(server.url()));
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.response.body, json);
  EXPECT_FALSE(result.response.header("Content-Encoding"));
  EXPECT_NE(server.requests()[0].find("Accept-Encoding: gzip"), std::string::npos);
}

TEST_F(ClientTest, GzipBombOverTheCapIsTooLarge) {
  // 2 MB of zeros compress to about 2 KB: the compressed size passes the cap, the decoded does not.
  const std::string bomb = gzip(std::string(2 * 1024 * 1024, '0'));
  ASSERT_LT(bomb.size(), 64u * 1024u);
  ScriptedServer server(
      io_, [&](const std::string&) { return Reply{ok(bomb, "Content-Encoding: gzip\r\n")}; });
  auto o = options();
  o.max_response_bytes = 64 * 1024;
  Client client(io_.get_executor(), o);
  EXPECT_EQ(send(client, get(server.url())).failure, Failure::kTooLarge);
}

TEST_F(ClientTest, CorruptGzipIsBadEncoding) {
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{ok("definitely not gzip", "Content-Encoding: gzip\r\n")};
  });
  Client client(io_.get_executor(), options());
  EXPECT_EQ(send(client, get(server.url())).failure, Failure::kBadEncoding);
}

TEST_F(ClientTest, UnrequestedEncodingIsBadEncoding) {
  ScriptedServer server(
      io_, [](const std::string&) { return Reply{ok("\x1b\x03", "Content-Encoding: br\r\n")}; });
  Client client(io_.get_executor(), options());
  EXPECT_EQ(send(client, get(server.url())).failure, Failure::kBadEncoding);
}

TEST_F(ClientTest, RedirectToAnotherOriginIsRefused) {
  // Same host, another port: another origin (RFC 6454 §4), so the credentials must not follow.
  ScriptedServer other(io_, [](const std::string&) { return Reply{ok("{}")}; });
  ScriptedServer server(io_, [&](const std::string&) {
    return Reply{"HTTP/1.1 302 Found\r\nLocation: " + other.url("/steal") +
                 "\r\nContent-Length: 0\r\n\r\n"};
  });
  Client client(io_.get_executor(), options());
  Request request = get(server.url());
  request.headers.emplace_back("Authorization", "Bearer secret");
  EXPECT_EQ(send(client, request).failure, Failure::kRedirectRefused);
  EXPECT_EQ(other.accepted(), 0) << "nothing reached the other origin";
}

TEST_F(ClientTest, SameOriginRedirectIsFollowedForGet) {
  ScriptedServer server(io_, [](const std::string& head) {
    if (head.rfind("GET /old ", 0) == 0) {
      return Reply{"HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n"};
    }
    return Reply{ok(R"({"at":"new"})")};
  });
  Client client(io_.get_executor(), options());
  auto result = send(client, get(server.url("/old")));
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.response.status, 200);
  EXPECT_EQ(result.response.body, R"({"at":"new"})");
}

TEST_F(ClientTest, RedirectOfAPostIsRelayedNotReplayed) {
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n"};
  });
  Client client(io_.get_executor(), options());
  Request request = get(server.url("/cancel"));
  request.method = "POST";
  request.body = std::string();
  auto result = send(client, request);
  ASSERT_TRUE(result.ok()) << result.detail;
  EXPECT_EQ(result.response.status, 307);
  EXPECT_EQ(server.requests().size(), 1u) << "an unsafe method is never sent twice";
}

TEST_F(ClientTest, KeptAliveConnectionIsReused) {
  ScriptedServer server(io_, [](const std::string&) { return Reply{ok("{}")}; });
  Client client(io_.get_executor(), options());
  ASSERT_TRUE(send(client, get(server.url())).ok());
  auto second = send(client, get(server.url()));
  ASSERT_TRUE(second.ok()) << second.detail;
  EXPECT_TRUE(second.reused_connection);
  EXPECT_EQ(server.accepted(), 1);
  EXPECT_EQ(client.connectionsOpened(), 1u);
}

TEST_F(ClientTest, ConnectionCloseIsHonoured) {
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{ok("{}", "Connection: close\r\n"), Reply::After::kClose};
  });
  Client client(io_.get_executor(), options());
  ASSERT_TRUE(send(client, get(server.url())).ok());
  auto second = send(client, get(server.url()));
  ASSERT_TRUE(second.ok()) << second.detail;
  EXPECT_FALSE(second.reused_connection);
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(ClientTest, ConnectionTheServerDroppedIsRetriedOnceOnAFreshOne) {
  // The server closes after answering without saying so (no Connection: close): the pooled
  // connection is dead when the next request is written on it.
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{ok("{}"), Reply::After::kClose};
  });
  Client client(io_.get_executor(), options());
  ASSERT_TRUE(send(client, get(server.url())).ok());
  auto second = send(client, get(server.url()));
  ASSERT_TRUE(second.ok()) << "RFC 9112 §9.3.1: a GET may be retried: " << second.detail;
  EXPECT_EQ(second.response.status, 200);
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(ClientTest, InterimAnswersAreSkippedForTheFinalOne) {
  // RFC 9110 §15.2: 1xx answers come before the final answer on the same connection.
  int calls = 0;
  ScriptedServer server(io_, [&calls](const std::string&) {
    if (++calls == 1) {
      return Reply{
          "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n" +
          ok(R"({"final":1})")};
    }
    return Reply{ok(R"({"next":2})")};
  });
  Client client(io_.get_executor(), options());
  auto first = send(client, get(server.url()));
  ASSERT_TRUE(first.ok()) << first.detail;
  EXPECT_EQ(first.response.status, 200);
  EXPECT_EQ(first.response.body, R"({"final":1})");
  auto second = send(client, get(server.url()));
  ASSERT_TRUE(second.ok()) << second.detail;
  EXPECT_EQ(second.response.body, R"({"next":2})") << "each caller gets its own answer";
}

TEST_F(ClientTest, BytesAfterAnAnswerAreNeverTheNextCallersAnswer) {
  // A 204 must not carry content (RFC 9110 §15.3.5); one that does leaves bytes in the socket.
  int calls = 0;
  ScriptedServer server(io_, [&calls](const std::string&) {
    if (++calls == 1) return Reply{"HTTP/1.1 204 No Content\r\n\r\n{\"stale\":1}"};
    return Reply{ok(R"({"fresh":2})")};
  });
  Client client(io_.get_executor(), options());
  ASSERT_TRUE(send(client, get(server.url())).ok());
  settle();
  auto second = send(client, get(server.url()));
  ASSERT_TRUE(second.ok()) << second.detail;
  EXPECT_EQ(second.response.body, R"({"fresh":2})");
  EXPECT_FALSE(second.reused_connection);
}

TEST_F(ClientTest, PostAfterTheServerClosedAnIdleConnectionGoesOnAFreshOne) {
  // The server's keep-alive timeout closed the pooled connection while it sat idle: a POST,
  // which is never replayed, must not be written on it (RFC 9112 §9.3.1).
  ScriptedServer server(io_, [](const std::string&) {
    return Reply{ok("{}"), Reply::After::kClose};
  });
  Client client(io_.get_executor(), options());
  ASSERT_TRUE(send(client, get(server.url())).ok());
  settle();
  Request post = get(server.url("/v1/jobs/a/cancel"));
  post.method = "POST";
  auto second = send(client, post);
  ASSERT_TRUE(second.ok()) << second.detail;
  EXPECT_EQ(second.response.status, 200);
  EXPECT_EQ(server.requests().size(), 2u) << "the POST was sent exactly once";
  EXPECT_EQ(server.accepted(), 2);
}

TEST_F(ClientTest, HttpProxyGetsTheAbsoluteFormAndTheOriginsHost) {
  ScriptedServer proxy(io_, [](const std::string&) { return Reply{ok(R"({"via":"proxy"})")}; });
  auto o = options();
  o.use_proxy_env = true;
  o.env_lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "http_proxy") return proxy.url();
    return std::nullopt;
  };
  Client client(io_.get_executor(), o);
  auto result = send(client, get("http://api.example.test/v1/jobs?limit=1"));
  ASSERT_TRUE(result.ok()) << result.detail;
  ASSERT_EQ(proxy.requests().size(), 1u);
  const std::string& head = proxy.requests()[0];
  // RFC 9112 §3.2.2: a request to a proxy uses the absolute-form target.
  EXPECT_EQ(head.rfind("GET http://api.example.test/v1/jobs?limit=1 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_NE(head.find("Host: api.example.test\r\n"), std::string::npos) << head;
}

TEST_F(ClientTest, HttpsProxyIsAskedForATunnelAndItsRefusalIsAConnectFailure) {
  ScriptedServer proxy(io_, [](const std::string&) {
    return Reply{"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", Reply::After::kClose};
  });
  auto o = options();
  o.use_proxy_env = true;
  o.env_lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (name == "HTTPS_PROXY") return proxy.url();
    return std::nullopt;
  };
  Client client(io_.get_executor(), o);
  Request request = get("https://api.example.test/v1/jobs");
  request.headers.emplace_back("Authorization", "Bearer secret");
  auto result = send(client, request);
  EXPECT_EQ(result.failure, Failure::kConnect) << result.detail;
  ASSERT_EQ(proxy.requests().size(), 1u);
  const std::string& head = proxy.requests()[0];
  // RFC 9110 §9.3.6: CONNECT names host:port; the origin's credentials stay inside the tunnel.
  EXPECT_EQ(head.rfind("CONNECT api.example.test:443 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_EQ(head.find("secret"), std::string::npos) << "the proxy never sees the bearer";
}

// "user:p@ss word" percent-encoded in the proxy URL, as RFC 3986 §3.2.1 requires.
constexpr const char* kProxyUserinfo = "user:p%40ss%20word";
// base64("user:p@ss word") (RFC 7617 §2).
constexpr const char* kProxyBasic = "Proxy-Authorization: Basic dXNlcjpwQHNzIHdvcmQ=\r\n";

TEST_F(ClientTest, HttpProxyCredentialsAreSentToTheProxyAsBasic) {
  ScriptedServer proxy(io_, [](const std::string&) { return Reply{ok("{}")}; });
  auto o = options();
  o.use_proxy_env = true;
  o.env_lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (name != "http_proxy") return std::nullopt;
    return "http://" + std::string(kProxyUserinfo) + "@127.0.0.1:" + std::to_string(proxy.port());
  };
  Client client(io_.get_executor(), o);
  auto result = send(client, get("http://api.example.test/v1/jobs"));
  ASSERT_TRUE(result.ok()) << result.detail;
  ASSERT_EQ(proxy.requests().size(), 1u);
  EXPECT_NE(proxy.requests()[0].find(kProxyBasic), std::string::npos) << proxy.requests()[0];
}

TEST_F(ClientTest, HttpsProxyCredentialsGoOnTheConnectOnly) {
  ScriptedServer proxy(io_, [](const std::string&) {
    return Reply{"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n",
                 Reply::After::kClose};
  });
  auto o = options();
  o.use_proxy_env = true;
  o.env_lookup = [&](const std::string& name) -> std::optional<std::string> {
    if (name != "HTTPS_PROXY") return std::nullopt;
    return "http://" + std::string(kProxyUserinfo) + "@127.0.0.1:" + std::to_string(proxy.port());
  };
  Client client(io_.get_executor(), o);
  auto result = send(client, get("https://api.example.test/v1/jobs"));
  EXPECT_EQ(result.failure, Failure::kConnect) << result.detail;
  ASSERT_EQ(proxy.requests().size(), 1u);
  const std::string& head = proxy.requests()[0];
  EXPECT_EQ(head.rfind("CONNECT api.example.test:443 HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_NE(head.find(kProxyBasic), std::string::npos) << head;
  EXPECT_EQ(result.detail.find("p@ss"), std::string::npos) << "no password in the failure";
}

TEST_F(ClientTest, UnsupportedSchemeIsABadUrl) {
  Client client(io_.get_executor(), options());
  EXPECT_EQ(send(client, get("ftp://127.0.0.1/file")).failure, Failure::kBadUrl);
}

std::function<std::optional<std::string>(const std::string&)> env(
    std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ProxyFor, NoProxySuffixMatchesWholeLabelsOnly) {
  auto lookup = env({{"HTTPS_PROXY", "http://proxy:3128"}, {"NO_PROXY", "example.com"}});
  EXPECT_FALSE(proxyFor("https", "api.example.com", lookup));
  EXPECT_FALSE(proxyFor("https", "example.com", lookup));
  EXPECT_EQ(proxyFor("https", "notexample.com", lookup), "http://proxy:3128")
      << "a plain string suffix match would wrongly bypass the proxy";
}

TEST(ProxyFor, LoopbackNeverGoesThroughTheProxy) {
  auto lookup = env({{"HTTPS_PROXY", "http://proxy:3128"}, {"http_proxy", "http://proxy:3128"}});
  EXPECT_FALSE(proxyFor("https", "127.0.0.1", lookup));
  EXPECT_FALSE(proxyFor("http", "localhost", lookup));
}

TEST(ProxyFor, UpperCaseHttpProxyIsIgnored) {
  // httpoxy (CVE-2016-5385): in CGI, HTTP_PROXY can be set by a request header.
  EXPECT_FALSE(proxyFor("http", "api.example.com", env({{"HTTP_PROXY", "http://evil:1"}})));
  EXPECT_EQ(proxyFor("http", "api.example.com", env({{"http_proxy", "http://proxy:3128"}})),
            "http://proxy:3128");
}

TEST(Gunzip, TruncatedStreamIsRefused) {
  const std::string whole = gzip(std::string(10000, 'a'));
  bool too_large = false;
  EXPECT_TRUE(gunzip(whole, 1 << 20, too_large));
  EXPECT_FALSE(gunzip(std::string_view(whole).substr(0, whole.size() / 2), 1 << 20, too_large));
  EXPECT_FALSE(too_large);
}

}  // namespace
}  // namespace capstan::upstream
