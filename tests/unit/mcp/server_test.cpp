// MCP method semantics without a transport (MCP 2025-11-25 server features; 2026-07-28 results).
#include "mcp/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <exception>

#include "support/json_text.hpp"

namespace capstan::mcp {
namespace {

namespace asio = boost::asio;

std::optional<json::object> run(McpServer& server, std::string_view text, Exchange& exchange) {
  auto message = json::parse(text).as_object();
  asio::io_context io;
  std::optional<json::object> reply;
  std::exception_ptr failure;
  asio::co_spawn(io, server.handle(message, exchange),
                 [&](std::exception_ptr error, std::optional<json::object> value) {
                   failure = error;
                   reply = std::move(value);
                 });
  io.run();
  if (failure) std::rethrow_exception(failure);
  return reply;
}

Tool textTool(std::string name) {
  Tool tool;
  tool.name = name;
  tool.description = "returns its name";
  tool.input_schema =
      json::parse(R"({"type":"object","properties":{"count":{"type":"integer"}}})").as_object();
  tool.handler = [name](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
    ToolResult result = ToolResult::text(name);
    result.structured_content = json::parse(R"({"ok":true})");
    co_return result;
  };
  return tool;
}

Tool askingTool() {
  Tool tool;
  tool.name = "asks";
  tool.description = "needs a confirmation first";
  tool.input_schema = json::parse(R"({"type":"object"})").as_object();
  tool.required_client_capabilities = {"elicitation"};
  tool.handler = [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
    if (context.inputResponses() != nullptr && context.requestState() == "step-1") {
      co_return ToolResult::text("confirmed");
    }
    json::object requests;
    requests["confirm"] = json::parse(R"({"method":"elicitation/create","params":{}})");
    co_return ToolResult::inputRequired(std::move(requests), "step-1");
  };
  return tool;
}

Tool taskTool(std::string name, TaskSupport support) {
  Tool tool = textTool(std::move(name));
  tool.task_support = support;
  return tool;
}

McpServer makeTaskServer() {
  Registry registry;
  registry.addTool(taskTool("optional", TaskSupport::kOptional));
  registry.addTool(taskTool("required", TaskSupport::kRequired));
  return McpServer(std::move(registry));
}

constexpr std::string_view kWithTasks = R"({"extensions":{"io.modelcontextprotocol/tasks":{}}})";

McpServer makeServer(std::size_t page_size = 100) {
  Registry registry;
  registry.addTool(textTool("alpha"));
  registry.addTool(textTool("beta"));
  registry.addTool(textTool("gamma"));
  registry.addTool(askingTool());
  ServerOptions options;
  options.page_size = page_size;
  return McpServer(std::move(registry), options);
}

Exchange legacy(std::string version = "2025-11-25") {
  Exchange exchange;
  exchange.era = Era::kLegacy;
  exchange.protocol_version = std::move(version);
  return exchange;
}

Exchange modern(std::string_view capabilities = "{}") {
  Exchange exchange;
  exchange.era = Era::kModern;
  exchange.protocol_version = "2026-07-28";
  exchange.client_capabilities = json::parse(capabilities).as_object();
  return exchange;
}

TEST(Server, ToolsListPagesWithAnOpaqueCursor) {
  auto server = makeServer(3);
  auto exchange = legacy();
  auto first = run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", exchange);
  ASSERT_TRUE(first);
  const auto& page = first->at("result").as_object();
  EXPECT_EQ(page.at("tools").as_array().size(), 3u);
  ASSERT_TRUE(page.contains("nextCursor"));
  std::string request = R"({"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":)" +
                        std::string("\"") + std::string(page.at("nextCursor").as_string()) + "\"}}";
  auto second = run(server, request, exchange);
  const auto& last = second->at("result").as_object();
  ASSERT_EQ(last.at("tools").as_array().size(), 1u);
  EXPECT_EQ(last.at("tools").as_array()[0].at("name"), "asks");
  EXPECT_FALSE(last.contains("nextCursor")) << "the last page has no nextCursor";
}

TEST(Server, AForeignCursorIsInvalidParams) {
  auto server = makeServer();
  auto exchange = legacy();
  auto reply =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"x"}})",
          exchange);
  EXPECT_EQ(reply->at("error").at("code"), -32602);
}

TEST(Server, AnUnknownToolIsAProtocolError) {
  auto server = makeServer();
  auto exchange = legacy();
  auto reply =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"nope"}})",
          exchange);
  EXPECT_EQ(reply->at("error").at("code"), -32602);
}

TEST(Server, InvalidArgumentsAreAToolResultNamingTheArgument) {
  auto server = makeServer();
  auto exchange = legacy();
  auto reply = run(server,
                   R"({"jsonrpc":"2.0","id":1,"method":"tools/call",
                       "params":{"name":"alpha","arguments":{"count":"many"}}})",
                   exchange);
  const auto& result = reply->at("result").as_object();
  EXPECT_EQ(result.at("isError"), true);
  std::string text(result.at("content").as_array()[0].at("text").as_string());
  EXPECT_NE(text.find("'count'"), std::string::npos) << text;
}

TEST(Server, StructuredContentExistsFrom20250618On) {
  auto server = makeServer();
  auto old = legacy("2025-03-26");
  auto call = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"alpha"}})";
  EXPECT_FALSE(run(server, call, old)->at("result").as_object().contains("structuredContent"));
  auto current = legacy("2025-06-18");
  EXPECT_TRUE(run(server, call, current)->at("result").as_object().contains("structuredContent"));
}

TEST(Server, UnknownMethodsAreMethodNotFound) {
  auto server = makeServer();
  auto exchange = legacy();
  auto reply = run(server, R"({"jsonrpc":"2.0","id":1,"method":"no/such"})", exchange);
  EXPECT_EQ(reply->at("error").at("code"), -32601);
}

TEST(Server, PingAndLoggingAreGoneUnder20260728) {
  auto server = makeServer();
  auto exchange = modern();
  EXPECT_EQ(
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"ping"})", exchange)->at("error").at("code"),
      -32601);
  EXPECT_FALSE(server.knowsMethod("logging/setLevel", Era::kModern));
  EXPECT_TRUE(server.knowsMethod("server/discover", Era::kModern));
  EXPECT_FALSE(server.knowsMethod("server/discover", Era::kLegacy));
}

TEST(Server, ModernResultsSayWhatTheyAreAndWhoMadeThem) {
  auto server = makeServer();
  auto exchange = modern();
  auto reply = run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/list"})", exchange);
  const auto& result = reply->at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_TRUE(result.at("ttlMs").is_int64());
  EXPECT_TRUE(result.at("cacheScope").is_string());
  EXPECT_TRUE(
      result.at("_meta").at("io.modelcontextprotocol/serverInfo").as_object().contains("name"));
}

TEST(Server, DiscoverListsEveryRevision) {
  auto server = makeServer();
  auto exchange = modern();
  auto reply = run(server, R"({"jsonrpc":"2.0","id":1,"method":"server/discover"})", exchange);
  const auto& versions = reply->at("result").at("supportedVersions").as_array();
  for (auto expected : {"2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"}) {
    EXPECT_NE(std::find(versions.begin(), versions.end(), json::value(expected)), versions.end())
        << expected;
  }
}

TEST(Server, AnUndeclaredClientCapabilityIsRefusedWithItsName) {
  auto server = makeServer();
  auto exchange = modern("{}");
  auto reply =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"asks"}})",
          exchange);
  EXPECT_EQ(reply->at("error").at("code"), -32021);
  EXPECT_TRUE(
      reply->at("error").at("data").at("requiredCapabilities").as_object().contains("elicitation"));
}

TEST(Server, InputRequiredRoundTripsASignedState) {
  auto server = makeServer();
  auto exchange = modern(R"({"elicitation":{}})");
  auto first =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"asks"}})",
          exchange);
  const auto& incomplete = first->at("result").as_object();
  EXPECT_EQ(incomplete.at("resultType"), "input_required");
  EXPECT_TRUE(incomplete.at("inputRequests").as_object().contains("confirm"));
  std::string state(incomplete.at("requestState").as_string());
  EXPECT_NE(state, "step-1") << "the state is signed, not passed through";

  json::object retry = json::parse(R"({"jsonrpc":"2.0","id":2,"method":"tools/call",
      "params":{"name":"asks","inputResponses":{"confirm":{"action":"accept"}}}})")
                           .as_object();
  retry["params"].as_object()["requestState"] = state;
  auto second = run(server, capstan::toJsonText(retry), exchange);
  EXPECT_EQ(second->at("result").at("resultType"), "complete");
  EXPECT_EQ(second->at("result").at("content").as_array()[0].at("text"), "confirmed");

  retry["params"].as_object()["requestState"] = "step-1." + std::string(64, '0');
  auto forged = run(server, capstan::toJsonText(retry), exchange);
  EXPECT_EQ(forged->at("error").at("code"), -32602);
}

TEST(Server, InputRequiredCannotBeCarriedByInitializeRevisions) {
  auto server = makeServer();
  auto exchange = legacy();
  auto reply =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"asks"}})",
          exchange);
  EXPECT_EQ(reply->at("result").at("isError"), true);
}

TEST(Tasks, AClientThatSpeaksTheExtensionGetsATaskItCanFollow) {
  auto server = makeTaskServer();
  auto exchange = modern(kWithTasks);
  auto created =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"optional"}})",
          exchange);
  const auto& task = created->at("result").as_object();
  EXPECT_EQ(task.at("resultType"), "task");
  EXPECT_TRUE(task.at("ttlMs").is_int64());
  EXPECT_FALSE(task.contains("task")) << "flat CreateTaskResult, no wrapper";
  std::string get = R"({"jsonrpc":"2.0","id":2,"method":"tasks/get","params":{"taskId":")" +
                    std::string(task.at("taskId").as_string()) + "\"}}";
  // run() drains the io_context, so the task has finished by now.
  auto detail = run(server, get, exchange)->at("result").as_object();
  EXPECT_EQ(detail.at("resultType"), "complete");
  EXPECT_EQ(detail.at("status"), "completed");
  EXPECT_EQ(detail.at("result").at("content").as_array()[0].at("text"), "optional");
  auto cancel = get;
  cancel.replace(cancel.find("tasks/get"), 9, "tasks/cancel");
  EXPECT_EQ(run(server, cancel, exchange)->at("result").at("resultType"), "complete");
  EXPECT_EQ(run(server, get, exchange)->at("result").at("status"), "completed")
      << "cancelling a finished task changes nothing";
}

TEST(Tasks, OtherClientsGetOptionalToolsSynchronouslyAndRequiredOnesRefused) {
  auto server = makeTaskServer();
  auto exchange = modern("{}");
  auto sync =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"optional"}})",
          exchange);
  EXPECT_EQ(sync->at("result").at("resultType"), "complete");
  auto refused =
      run(server, R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"required"}})",
          exchange);
  EXPECT_EQ(refused->at("error").at("code"), -32021);
  auto get = run(server, R"({"jsonrpc":"2.0","id":3,"method":"tasks/get","params":{"taskId":"x"}})",
                 exchange);
  EXPECT_EQ(get->at("error").at("code"), -32021);
}

TEST(Tasks, AnUnknownTaskIsInvalidParams) {
  auto server = makeTaskServer();
  auto exchange = modern(kWithTasks);
  auto reply =
      run(server, R"({"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"taskId":"nope"}})",
          exchange);
  EXPECT_EQ(reply->at("error").at("code"), -32602);
}

TEST(Server, NotificationsGetNoResponse) {
  auto server = makeServer();
  auto exchange = legacy();
  EXPECT_FALSE(run(server, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", exchange));
}

}  // namespace
}  // namespace capstan::mcp
