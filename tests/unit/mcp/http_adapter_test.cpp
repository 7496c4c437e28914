// Streamable HTTP rules through McpHttpAdapter::handle, without sockets (MCP 2025-11-25,
// transports; 2026-07-28 header validation).
#include "mcp/http_adapter.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <exception>
#include <map>

namespace capstan::mcp {
namespace {

namespace asio = boost::asio;
namespace http = net::http;

class AdapterTest : public ::testing::Test {
 protected:
  AdapterTest() {
    Registry registry;
    Tool tool;
    tool.name = "echo";
    tool.description = "echoes";
    tool.input_schema = json::parse(R"({"type":"object","properties":{}})").as_object();
    tool.handler = [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
      co_return ToolResult::text("echo");
    };
    registry.addTool(std::move(tool));
    server_ = std::make_shared<McpServer>(std::move(registry));
    adapter_ = std::make_unique<McpHttpAdapter>(io_.get_executor(), server_);
  }

  void requireAuth(InboundAuth auth) {
    HttpOptions options;
    options.auth = std::move(auth);
    adapter_ = std::make_unique<McpHttpAdapter>(io_.get_executor(), server_, options);
  }

  net::Response send(http::verb verb, std::string body,
                     std::map<std::string, std::string> headers = {}) {
    net::Request request{verb, "/mcp", 11};
    request.set(http::field::host, "127.0.0.1:9090");
    request.set(http::field::content_type, "application/json");
    request.set(http::field::accept, "application/json, text/event-stream");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    net::RequestContext context;
    net::Response response;
    std::exception_ptr failure;
    asio::co_spawn(io_, adapter_->handle(request, context),
                   [&](std::exception_ptr error, net::Response value) {
                     failure = error;
                     response = std::move(value);
                   });
    io_.restart();
    io_.run();
    if (failure) std::rethrow_exception(failure);
    return response;
  }

  std::string initialize(std::string version = "2025-11-25") {
    auto response =
        send(http::verb::post,
             R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                             "protocolVersion":")" +
                 version + R"(","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
    EXPECT_EQ(response.result(), http::status::ok);
    return std::string(response["Mcp-Session-Id"]);
  }

  asio::io_context io_;
  std::shared_ptr<McpServer> server_;
  std::unique_ptr<McpHttpAdapter> adapter_;
};

TEST_F(AdapterTest, InitializeIssuesASessionAndNotificationsAre202) {
  auto session = initialize();
  ASSERT_FALSE(session.empty());
  auto response =
      send(http::verb::post, R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
           {{"Mcp-Session-Id", session}});
  EXPECT_EQ(response.result(), http::status::accepted);
  EXPECT_TRUE(response.body().empty());
}

TEST_F(AdapterTest, ARequestWithoutSessionIs400AndAnUnknownOne404) {
  EXPECT_EQ(send(http::verb::post, R"({"jsonrpc":"2.0","id":2,"method":"ping"})").result(),
            http::status::bad_request);
  EXPECT_EQ(send(http::verb::post, R"({"jsonrpc":"2.0","id":2,"method":"ping"})",
                 {{"Mcp-Session-Id", "nope"}})
                .result(),
            http::status::not_found);
}

TEST_F(AdapterTest, DeleteEndsTheSession) {
  auto session = initialize();
  EXPECT_EQ(send(http::verb::delete_, "", {{"Mcp-Session-Id", session}}).result(),
            http::status::ok);
  EXPECT_EQ(send(http::verb::post, R"({"jsonrpc":"2.0","id":2,"method":"ping"})",
                 {{"Mcp-Session-Id", session}})
                .result(),
            http::status::not_found);
}

TEST_F(AdapterTest, AForeignOriginIs403) {
  auto session = initialize();
  auto response = send(http::verb::post, R"({"jsonrpc":"2.0","id":2,"method":"ping"})",
                       {{"Mcp-Session-Id", session}, {"Origin", "https://evil.example.com"}});
  EXPECT_EQ(response.result(), http::status::forbidden);
}

TEST_F(AdapterTest, OriginsThatOnlyStartLikeLoopbackAre403) {
  // RFC 6454: the origin's host must be loopback itself, not a name that begins with it.
  auto session = initialize();
  for (const char* origin : {"http://127.0.0.1.evil.com", "http://127.0.0.1evil.com",
                             "http://localhost.evil.com:80", "http://127.0.0.1."}) {
    auto response = send(http::verb::post, R"({"jsonrpc":"2.0","id":2,"method":"ping"})",
                         {{"Mcp-Session-Id", session}, {"Origin", origin}});
    EXPECT_EQ(response.result(), http::status::forbidden) << origin;
  }
  auto loopback = send(http::verb::post, R"({"jsonrpc":"2.0","id":3,"method":"ping"})",
                       {{"Mcp-Session-Id", session}, {"Origin", "http://localhost:5173"}});
  EXPECT_EQ(loopback.result(), http::status::ok);
}

TEST_F(AdapterTest, AFailedInitializeHandsOutNoSession) {
  // InitializeRequest requires params.protocolVersion (schema 2025-11-25).
  auto response =
      send(http::verb::post, R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{}})", {});
  EXPECT_EQ(response.count("Mcp-Session-Id"), 0u) << response.body();
}

TEST_F(AdapterTest, BatchesOnlyUnder20250326) {
  std::string batch =
      R"([{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","id":3,"method":"ping"}])";
  auto current = initialize("2025-11-25");
  EXPECT_EQ(send(http::verb::post, batch, {{"Mcp-Session-Id", current}}).result(),
            http::status::bad_request);
  auto old = initialize("2025-03-26");
  auto response =
      send(http::verb::post, batch, {{"Mcp-Session-Id", old}, {"Accept", "application/json"}});
  ASSERT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(json::parse(response.body()).as_array().size(), 2u);
}

TEST_F(AdapterTest, MalformedJsonIsAParseError) {
  auto response = send(http::verb::post, R"({"jsonrpc":)");
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_EQ(json::parse(response.body()).at("error").at("code"), -32700);
}

TEST_F(AdapterTest, WrongContentTypeIs415AndUnacceptableAcceptIs406) {
  EXPECT_EQ(send(http::verb::post, "{}", {{"Content-Type", "text/plain"}}).result(),
            http::status::unsupported_media_type);
  EXPECT_EQ(send(http::verb::post, "{}", {{"Accept", "text/html"}}).result(),
            http::status::not_acceptable);
}

TEST_F(AdapterTest, StatelessRequestsCheckTheirHeadersAgainstTheBody) {
  std::string call = R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo",
      "_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
               "io.modelcontextprotocol/clientCapabilities":{}}}})";
  std::map<std::string, std::string> headers = {
      {"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/call"}, {"Mcp-Name", "echo"}};
  auto ok = send(http::verb::post, call, headers);
  ASSERT_EQ(ok.result(), http::status::ok) << ok.body();
  EXPECT_EQ(json::parse(ok.body()).at("result").at("resultType"), "complete");
  headers["Mcp-Name"] = "other";
  auto mismatch = send(http::verb::post, call, headers);
  EXPECT_EQ(mismatch.result(), http::status::bad_request);
  EXPECT_EQ(json::parse(mismatch.body()).at("error").at("code"), -32020);
}

TEST_F(AdapterTest, AStatelessRequestWithoutMetaIs400InvalidParams) {
  auto response = send(http::verb::post, R"({"jsonrpc":"2.0","id":6,"method":"tools/list"})",
                       {{"MCP-Protocol-Version", "2026-07-28"}, {"Mcp-Method", "tools/list"}});
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_EQ(json::parse(response.body()).at("error").at("code"), -32602);
  EXPECT_EQ(json::parse(response.body()).at("id"), 6);
}

}  // namespace
}  // namespace capstan::mcp

namespace capstan::mcp {
namespace {

TEST_F(AdapterTest, ABearerAdapterRefusesMissingOrWrongTokensWith401) {
  requireAuth({"bearer", "s3cret", "", ""});
  std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
      "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
  auto missing = send(http::verb::post, ping);
  EXPECT_EQ(missing.result(), http::status::unauthorized);
  EXPECT_NE(missing[http::field::www_authenticate].find("Bearer"), std::string::npos);
  EXPECT_EQ(send(http::verb::post, ping, {{"Authorization", "Bearer wrong"}}).result(),
            http::status::unauthorized);
  EXPECT_EQ(send(http::verb::post, ping, {{"Authorization", "Bearer s3cret"}}).result(),
            http::status::ok);
}

TEST_F(AdapterTest, AnApiKeyAdapterChecksItsHeader) {
  requireAuth({"apikey", "k-123", "X-API-Key", "header"});
  std::string ping = R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
      "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})";
  EXPECT_EQ(send(http::verb::post, ping).result(), http::status::unauthorized);
  EXPECT_EQ(send(http::verb::post, ping, {{"X-API-Key", "k-123"}}).result(), http::status::ok);
}

}  // namespace
}  // namespace capstan::mcp
