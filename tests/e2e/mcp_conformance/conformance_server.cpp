// Test-only MCP server: the conformance suite's fixture tools, resources and prompts
// (@modelcontextprotocol/conformance server scenarios) on top of capstan's mcp component. Never
// linked into the product binary.
//
//   capstan_mcp_conformance_server [--host H] [--port N]   prints "PORT=<n>" on stdout, serves
//   capstan_mcp_conformance_server --stdio                 serves stdin/stdout
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include "mcp/http_adapter.hpp"
#include "mcp/server.hpp"
#include "mcp/stdio.hpp"
#include "support/json_text.hpp"

namespace capstan::mcp::fixture {

namespace {

namespace asio = boost::asio;

// A 1x1 red PNG and a silent 8 kHz WAV, small enough to inline.
constexpr std::string_view kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";
constexpr std::string_view kWavBase64 =
    "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA";

json::object parseObject(std::string_view text) { return json::parse(text).as_object(); }

json::object noArguments() { return parseObject(R"({"type":"object","properties":{}})"); }

asio::awaitable<void> pause(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::use_awaitable);
}

ToolResult blocks(json::array content) {
  ToolResult result;
  result.content = std::move(content);
  return result;
}

json::object imageBlock() {
  json::object block;
  block["type"] = "image";
  block["data"] = kPngBase64;
  block["mimeType"] = "image/png";
  return block;
}

json::object textBlock(std::string text) {
  json::object block;
  block["type"] = "text";
  block["text"] = std::move(text);
  return block;
}

json::object resourceBlock(std::string uri, std::string mime_type, std::string text) {
  json::object resource;
  resource["uri"] = std::move(uri);
  resource["mimeType"] = std::move(mime_type);
  resource["text"] = std::move(text);
  json::object block;
  block["type"] = "resource";
  block["resource"] = std::move(resource);
  return block;
}

Tool simpleTool(std::string name, std::string description, ToolHandler handler) {
  Tool tool;
  tool.name = std::move(name);
  tool.description = std::move(description);
  tool.input_schema = noArguments();
  tool.handler = std::move(handler);
  return tool;
}

// A tool whose handler asks the client something while it runs.
Tool askingTool(std::string name, std::string description, ToolHandler handler) {
  Tool tool = simpleTool(std::move(name), std::move(description), std::move(handler));
  tool.requests_client = true;
  return tool;
}

asio::awaitable<ToolResult> elicit(ToolCallContext& context, json::object params,
                                   std::string_view prefix) {
  if (!context.clientCapabilities().contains("elicitation")) {
    co_return ToolResult::error("the client does not support elicitation");
  }
  auto reply = co_await context.requestClient("elicitation/create", std::move(params));
  if (!reply.result) co_return ToolResult::error("elicitation failed: " + toJsonText(*reply.error));
  const auto& result = reply.result->as_object();
  std::string text(prefix);
  text += "action=" + std::string(stringAt(&result, "action")) + ", content=";
  text += result.contains("content") ? toJsonText(result.at("content")) : "{}";
  co_return ToolResult::text(std::move(text));
}

void addTools(Registry& registry) {
  registry.addTool(
      simpleTool("test_simple_text", "Returns a fixed text block",
                 [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                   co_return ToolResult::text("This is a simple text response for testing.");
                 }));
  registry.addTool(
      simpleTool("test_image_content", "Returns a 1x1 PNG image block",
                 [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                   json::array content;
                   content.emplace_back(imageBlock());
                   co_return blocks(std::move(content));
                 }));
  registry.addTool(
      simpleTool("test_audio_content", "Returns a short WAV audio block",
                 [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                   json::object block;
                   block["type"] = "audio";
                   block["data"] = kWavBase64;
                   block["mimeType"] = "audio/wav";
                   json::array content;
                   content.emplace_back(std::move(block));
                   co_return blocks(std::move(content));
                 }));
  registry.addTool(
      simpleTool("test_embedded_resource", "Returns an embedded text resource",
                 [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                   json::array content;
                   content.emplace_back(resourceBlock("test://embedded-resource", "text/plain",
                                                      "This is an embedded resource content."));
                   co_return blocks(std::move(content));
                 }));
  registry.addTool(simpleTool(
      "test_multiple_content_types", "Returns text, image and resource",
      [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
        json::array content;
        content.emplace_back(textBlock("Multiple content types test:"));
        content.emplace_back(imageBlock());
        content.emplace_back(resourceBlock("test://mixed-content-resource", "application/json",
                                           R"({"test":"data","value":123})"));
        co_return blocks(std::move(content));
      }));
  registry.addTool(
      simpleTool("test_tool_with_logging", "Sends three log notifications while it runs",
                 [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
                   context.log(LogLevel::kInfo, "Tool execution started", "conformance");
                   co_await pause(std::chrono::milliseconds(50));
                   context.log(LogLevel::kInfo, "Tool processing data", "conformance");
                   co_await pause(std::chrono::milliseconds(50));
                   context.log(LogLevel::kInfo, "Tool execution completed", "conformance");
                   co_return ToolResult::text("Tool with logging executed successfully");
                 }));
  registry.addTool(
      simpleTool("test_tool_with_progress", "Reports progress 0, 50 and 100 of 100",
                 [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
                   context.progress(0, 100, "");
                   co_await pause(std::chrono::milliseconds(50));
                   context.progress(50, 100, "");
                   co_await pause(std::chrono::milliseconds(50));
                   context.progress(100, 100, "");
                   co_return ToolResult::text("Tool with progress executed successfully");
                 }));
  registry.addTool(simpleTool(
      "test_error_handling", "Always fails",
      [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
        co_return ToolResult::error("This tool intentionally returns an error for testing");
      }));

  Tool sampling = simpleTool(
      "test_sampling", "Asks the client's model to complete a prompt",
      [](const json::object& arguments, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        if (!context.clientCapabilities().contains("sampling")) {
          co_return ToolResult::error("the client does not support sampling");
        }
        json::object params = parseObject(
            R"({"messages":[{"role":"user","content":{"type":"text","text":""}}],"maxTokens":100})");
        params["messages"].as_array()[0].as_object()["content"].as_object()["text"] =
            arguments.at("prompt");
        auto reply = co_await context.requestClient("sampling/createMessage", std::move(params));
        if (!reply.result)
          co_return ToolResult::error("sampling failed: " + toJsonText(*reply.error));
        std::string text = "LLM response: ";
        const auto* content = reply.result->as_object().if_contains("content");
        if (content != nullptr && content->is_object()) {
          text += std::string(stringAt(&content->get_object(), "text"));
        }
        co_return ToolResult::text(std::move(text));
      });
  sampling.requests_client = true;
  sampling.input_schema = parseObject(
      R"({"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send"}},"required":["prompt"]})");
  registry.addTool(std::move(sampling));

  Tool elicitation = simpleTool(
      "test_elicitation", "Asks the user for a username and an email address",
      [](const json::object& arguments, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        json::object params = parseObject(
            R"({"requestedSchema":{"type":"object","properties":{"username":{"type":"string","description":"User's response"},"email":{"type":"string","description":"User's email address"}},"required":["username","email"]}})");
        params["message"] = arguments.at("message");
        co_return co_await elicit(context, std::move(params), "User response: ");
      });
  elicitation.requests_client = true;
  elicitation.input_schema = parseObject(
      R"({"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},"required":["message"]})");
  registry.addTool(std::move(elicitation));

  registry.addTool(askingTool(
      "test_elicitation_sep1034_defaults", "Elicitation whose schema carries default values",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        auto params = parseObject(R"({"message":"Please review and update the form fields",
          "requestedSchema":{"type":"object","properties":{
            "name":{"type":"string","description":"User name","default":"John Doe"},
            "age":{"type":"integer","description":"User age","default":30},
            "score":{"type":"number","description":"User score","default":95.5},
            "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
            "verified":{"type":"boolean","description":"Verification status","default":true}},
            "required":[]}})");
        co_return co_await elicit(context, std::move(params), "Elicitation completed: ");
      }));
  registry.addTool(askingTool(
      "test_elicitation_sep1330_enums", "Elicitation with every enum schema variant",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        auto params = parseObject(R"({"message":"Please select options from the enum fields",
          "requestedSchema":{"type":"object","properties":{
            "untitledSingle":{"type":"string","description":"Untitled single","enum":["option1","option2","option3"]},
            "titledSingle":{"type":"string","description":"Titled single","oneOf":[
              {"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},
              {"const":"value3","title":"Third Option"}]},
            "legacyEnum":{"type":"string","description":"Legacy titled","enum":["opt1","opt2","opt3"],
              "enumNames":["Option One","Option Two","Option Three"]},
            "untitledMulti":{"type":"array","description":"Untitled multi","items":{"type":"string","enum":["option1","option2","option3"]}},
            "titledMulti":{"type":"array","description":"Titled multi","items":{"anyOf":[
              {"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},
              {"const":"value3","title":"Third Choice"}]}}},
            "required":[]}})");
        co_return co_await elicit(context, std::move(params), "Elicitation completed: ");
      }));

  Tool schema_tool =
      simpleTool("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features",
                 [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                   co_return ToolResult::text("ok");
                 });
  // SEP-1613 and SEP-2106: the 2020-12 vocabulary ($anchor, composition, conditionals) must
  // reach the client untouched.
  schema_tool.input_schema =
      parseObject(R"({"$schema":"https://json-schema.org/draft/2020-12/schema",
    "type":"object","$defs":{"address":{"$anchor":"addressDef","type":"object",
    "properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
    "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},
    "contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},
    "email":{"type":"string"}},
    "allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],
    "if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},
    "then":{"required":["phone"]},"else":{"required":["email"]},
    "additionalProperties":false})");
  schema_tool.validate_arguments = false;
  registry.addTool(std::move(schema_tool));
}

// MCP 2026-07-28 fixtures (conformance 0.2 alpha): multi-round-trip input (SEP-2322), client
// capability checks and logging without a requested level (SEP-2575).

json::object elicitationRequest(std::string message, std::string_view field, std::string type) {
  json::object property;
  property["type"] = std::move(type);
  json::object properties;
  properties[field] = std::move(property);
  json::object schema;
  schema["type"] = "object";
  schema["properties"] = std::move(properties);
  schema["required"] = json::array{json::value(field)};
  json::object params;
  params["message"] = std::move(message);
  params["requestedSchema"] = std::move(schema);
  json::object request;
  request["method"] = "elicitation/create";
  request["params"] = std::move(params);
  return request;
}

json::object samplingRequest(std::string text, int max_tokens) {
  json::object params = parseObject(
      R"({"messages":[{"role":"user","content":{"type":"text","text":""}}],"maxTokens":0})");
  params["messages"].as_array()[0].as_object()["content"].as_object()["text"] = std::move(text);
  params["maxTokens"] = max_tokens;
  json::object request;
  request["method"] = "sampling/createMessage";
  request["params"] = std::move(params);
  return request;
}

json::object rootsRequest() {
  json::object request;
  request["method"] = "roots/list";
  request["params"] = json::object();
  return request;
}

// The answer under `key`, when the client sent one.
const json::object* inputResponse(const ToolCallContext& context, std::string_view key) {
  const auto* responses = context.inputResponses();
  if (responses == nullptr) return nullptr;
  const auto* found = responses->if_contains(key);
  return found != nullptr ? found->if_object() : nullptr;
}

// content.<field> of an elicitation answer, or "" when absent.
std::string elicited(const json::object* response, std::string_view field) {
  if (response == nullptr) return {};
  const auto* content = response->if_contains("content");
  if (content == nullptr || !content->is_object()) return {};
  const auto* value = content->get_object().if_contains(field);
  if (value == nullptr) return {};
  return value->is_string() ? std::string(value->get_string()) : toJsonText(*value);
}

// The text of a sampling answer, or "".
std::string sampled(const json::object* response) {
  if (response == nullptr) return {};
  const auto* content = response->if_contains("content");
  if (content == nullptr || !content->is_object()) return {};
  return std::string(stringAt(&content->get_object(), "text"));
}

Tool inputTool(std::string name, std::string description, ToolHandler handler) {
  Tool tool = simpleTool(std::move(name), std::move(description), std::move(handler));
  tool.validate_arguments = false;
  return tool;
}

// The tasks extension fixtures (SEP-2663 scenarios of the conformance alpha).
void addTaskTools(Registry& registry) {
  Tool greet = inputTool(
      "greet", "Greets synchronously",
      [](const json::object& arguments, ToolCallContext&) -> asio::awaitable<ToolResult> {
        co_return ToolResult::text("Hello, " + std::string(stringAt(&arguments, "name")) + "!");
      });
  greet.input_schema = parseObject(
      R"({"type":"object","properties":{"name":{"type":"string"}},"required":["name"]})");
  registry.addTool(std::move(greet));

  Tool slow = inputTool(
      "slow_compute", "Sleeps for `seconds`, then answers; may run as a task",
      [](const json::object& arguments, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        double seconds = 0;
        if (const auto* given = arguments.if_contains("seconds"); given && given->is_number()) {
          seconds = given->to_number<double>();
        }
        auto until = std::chrono::steady_clock::now() +
                     std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
        while (std::chrono::steady_clock::now() < until && !context.cancelled()) {
          co_await pause(std::chrono::milliseconds(20));
        }
        co_return ToolResult::text("computed after " + toJsonText(json::value(seconds)) + " s");
      });
  slow.input_schema =
      parseObject(R"({"type":"object","properties":{"seconds":{"type":"number"}}})");
  slow.task_support = TaskSupport::kOptional;
  registry.addTool(std::move(slow));

  Tool failing =
      inputTool("failing_job", "Reports a tool error after a second; runs only as a task",
                [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                  co_await pause(std::chrono::milliseconds(1000));
                  co_return ToolResult::error("the job failed");
                });
  failing.task_support = TaskSupport::kRequired;
  registry.addTool(std::move(failing));

  Tool broken = inputTool("protocol_error_job", "Fails below the tool level",
                          [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                            co_await pause(std::chrono::milliseconds(50));
                            throw std::runtime_error("the job crashed");
                          });
  broken.task_support = TaskSupport::kOptional;
  registry.addTool(std::move(broken));

  Tool confirm =
      inputTool("confirm_delete", "Asks the user to confirm before deleting",
                [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
                  auto request = elicitationRequest("Delete the file?", "confirm", "boolean");
                  auto reply = co_await context.requestClient("elicitation/create",
                                                              request["params"].as_object());
                  if (!reply.result) co_return ToolResult::error("no confirmation");
                  co_return ToolResult::text("confirmed: " + toJsonText(*reply.result));
                });
  confirm.task_support = TaskSupport::kOptional;
  registry.addTool(std::move(confirm));

  Tool multi = inputTool(
      "multi_input", "Asks two questions at once",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        using namespace boost::asio::experimental::awaitable_operators;
        auto name = elicitationRequest("What is your name?", "name", "string");
        auto color = elicitationRequest("What is your favourite colour?", "color", "string");
        auto [first, second] =
            co_await (context.requestClient("elicitation/create", name["params"].as_object()) &&
                      context.requestClient("elicitation/create", color["params"].as_object()));
        if (!first.result || !second.result) co_return ToolResult::error("unanswered");
        co_return ToolResult::text("answers: " + toJsonText(*first.result) + " " +
                                   toJsonText(*second.result));
      });
  multi.task_support = TaskSupport::kOptional;
  registry.addTool(std::move(multi));

  // Gathers a name through input_required rounds, then runs as a task that uses it.
  Tool composed =
      inputTool("test_tool_with_task", "Asks for a name, then greets it from a task",
                [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
                  co_return ToolResult::text(
                      "Hello, " + elicited(inputResponse(context, "user_name"), "name") + "!");
                });
  composed.task_support = TaskSupport::kRequired;
  composed.input_before_task = [](const json::object* responses) {
    json::object requests;
    if (responses == nullptr || !responses->contains("user_name")) {
      requests["user_name"] = elicitationRequest("What is your name?", "name", "string");
    }
    return requests;
  };
  registry.addTool(std::move(composed));
}

void addModernTools(Registry& registry) {
  registry.addTool(inputTool(
      "test_input_required_result_elicitation", "Asks the client for a name, then greets it",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        const auto* answer = inputResponse(context, "user_name");
        if (answer == nullptr) {
          json::object requests;
          requests["user_name"] = elicitationRequest("What is your name?", "name", "string");
          co_return ToolResult::inputRequired(std::move(requests));
        }
        co_return ToolResult::text("Hello, " + elicited(answer, "name") + "!");
      }));
  registry.addTool(inputTool(
      "test_input_required_result_sampling", "Asks the client's model a question",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        const auto* answer = inputResponse(context, "capital_question");
        if (answer == nullptr) {
          json::object requests;
          requests["capital_question"] = samplingRequest("What is the capital of France?", 100);
          co_return ToolResult::inputRequired(std::move(requests));
        }
        co_return ToolResult::text("Sampling response: " + sampled(answer));
      }));
  registry.addTool(inputTool(
      "test_input_required_result_list_roots", "Asks the client for its roots",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        const auto* answer = inputResponse(context, "client_roots");
        if (answer == nullptr) {
          json::object requests;
          requests["client_roots"] = rootsRequest();
          co_return ToolResult::inputRequired(std::move(requests));
        }
        std::string text = "Client roots:";
        if (const auto* roots = answer->if_contains("roots"); roots && roots->is_array()) {
          for (const auto& root : roots->get_array()) {
            if (root.is_object()) text += " " + std::string(stringAt(&root.get_object(), "uri"));
          }
        }
        co_return ToolResult::text(std::move(text));
      }));
  registry.addTool(
      inputTool("test_input_required_result_request_state", "Round-trips a requestState",
                [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
                  const auto* answer = inputResponse(context, "confirm");
                  if (answer == nullptr || context.requestState() != "awaiting-confirm") {
                    json::object requests;
                    requests["confirm"] = elicitationRequest("Please confirm", "ok", "boolean");
                    co_return ToolResult::inputRequired(std::move(requests), "awaiting-confirm");
                  }
                  co_return ToolResult::text("state-ok: confirmed " + elicited(answer, "ok"));
                }));
  registry.addTool(inputTool(
      "test_input_required_result_multiple_inputs", "Asks for elicitation, sampling and roots",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        const auto* name = inputResponse(context, "user_name");
        const auto* greeting = inputResponse(context, "greeting");
        const auto* roots = inputResponse(context, "client_roots");
        if (name == nullptr || greeting == nullptr || roots == nullptr ||
            context.requestState() != "awaiting-three") {
          json::object requests;
          requests["user_name"] = elicitationRequest("What is your name?", "name", "string");
          requests["greeting"] = samplingRequest("Generate a greeting", 50);
          requests["client_roots"] = rootsRequest();
          co_return ToolResult::inputRequired(std::move(requests), "awaiting-three");
        }
        co_return ToolResult::text("Received all inputs: name=" + elicited(name, "name") +
                                   ", greeting=" + sampled(greeting));
      }));
  registry.addTool(inputTool(
      "test_input_required_result_multi_round", "Two rounds of elicitation",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        const auto& state = context.requestState();
        const auto* step1 = inputResponse(context, "step1");
        const auto* step2 = inputResponse(context, "step2");
        if (state == "round-2" && step2 != nullptr) {
          co_return ToolResult::text("Completed: color=" + elicited(step2, "color"));
        }
        json::object requests;
        if (state == "round-1" && step1 != nullptr) {
          requests["step2"] =
              elicitationRequest("Step 2: What is your favorite color?", "color", "string");
          co_return ToolResult::inputRequired(std::move(requests), "round-2");
        }
        requests["step1"] = elicitationRequest("Step 1: What is your name?", "name", "string");
        co_return ToolResult::inputRequired(std::move(requests), "round-1");
      }));
  registry.addTool(inputTool(
      "test_input_required_result_tampered_state", "Signs its requestState",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        // McpServer signs the state and rejects a tampered one before this handler runs.
        if (context.requestState() == "signed-state" && inputResponse(context, "confirm")) {
          co_return ToolResult::text("state verified");
        }
        json::object requests;
        requests["confirm"] = elicitationRequest("Please confirm", "ok", "boolean");
        co_return ToolResult::inputRequired(std::move(requests), "signed-state");
      }));
  registry.addTool(inputTool(
      "test_input_required_result_capabilities", "Asks only what the client can answer",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        if (context.inputResponses() != nullptr) co_return ToolResult::text("inputs received");
        const auto& capabilities = context.clientCapabilities();
        json::object requests;
        if (capabilities.contains("elicitation")) {
          requests["user_name"] = elicitationRequest("What is your name?", "name", "string");
        }
        if (capabilities.contains("sampling")) {
          requests["greeting"] = samplingRequest("Generate a greeting", 50);
        }
        if (capabilities.contains("roots")) requests["client_roots"] = rootsRequest();
        if (requests.empty()) co_return ToolResult::text("no client capability to ask with");
        co_return ToolResult::inputRequired(std::move(requests));
      }));

  Tool missing =
      inputTool("test_missing_capability", "Needs the client's sampling capability",
                [](const json::object&, ToolCallContext&) -> asio::awaitable<ToolResult> {
                  co_return ToolResult::text("the client declared sampling");
                });
  missing.required_client_capabilities = {"sampling"};
  registry.addTool(std::move(missing));
  registry.addTool(inputTool(
      "test_streaming_elicitation", "Asks for input through the response, never a request",
      [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
        if (inputResponse(context, "answer") != nullptr) co_return ToolResult::text("answered");
        json::object requests;
        requests["answer"] = elicitationRequest("Anything to add?", "answer", "string");
        co_return ToolResult::inputRequired(std::move(requests));
      }));
  addTaskTools(registry);
  Tool routed = inputTool(
      "test_custom_header", "Echoes a parameter that is mirrored in an Mcp-Param header",
      [](const json::object& arguments, ToolCallContext&) -> asio::awaitable<ToolResult> {
        co_return ToolResult::text("region=" + std::string(stringAt(&arguments, "region")));
      });
  routed.input_schema = parseObject(
      R"({"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region",
      "description":"Where the call is routed"}},"required":["region"]})");
  registry.addTool(std::move(routed));
  registry.addTool(
      inputTool("test_logging_tool", "Logs while it runs, at the level the request asked for",
                [](const json::object&, ToolCallContext& context) -> asio::awaitable<ToolResult> {
                  context.log(LogLevel::kInfo, "logging tool started", "conformance");
                  context.log(LogLevel::kWarning, "logging tool halfway", "conformance");
                  co_return ToolResult::text("logged");
                }));
}

ResourceContents textContents(std::string uri, std::string mime_type, std::string text) {
  ResourceContents contents;
  contents.uri = std::move(uri);
  contents.mime_type = std::move(mime_type);
  contents.text = std::move(text);
  return contents;
}

void addResources(Registry& registry) {
  Resource text;
  text.uri = "test://static-text";
  text.name = "static-text";
  text.description = "A static text resource";
  text.mime_type = "text/plain";
  text.read = [](const std::string& uri) -> std::optional<std::vector<ResourceContents>> {
    return std::vector{
        textContents(uri, "text/plain", "This is the content of the static text resource.")};
  };
  registry.addResource(std::move(text));

  Resource binary;
  binary.uri = "test://static-binary";
  binary.name = "static-binary";
  binary.description = "A static PNG resource";
  binary.mime_type = "image/png";
  binary.read = [](const std::string& uri) -> std::optional<std::vector<ResourceContents>> {
    ResourceContents contents;
    contents.uri = uri;
    contents.mime_type = "image/png";
    contents.blob_base64 = std::string(kPngBase64);
    return std::vector{contents};
  };
  registry.addResource(std::move(binary));

  Resource watched;
  watched.uri = "test://watched-resource";
  watched.name = "watched-resource";
  watched.description = "A resource clients may subscribe to";
  watched.mime_type = "text/plain";
  watched.read = [](const std::string& uri) -> std::optional<std::vector<ResourceContents>> {
    return std::vector{textContents(uri, "text/plain", "Watched resource content.")};
  };
  registry.addResource(std::move(watched));

  ResourceTemplate data;
  data.uri_template = "test://template/{id}/data";
  data.name = "template-data";
  data.description = "Data for one id";
  data.mime_type = "application/json";
  data.read = [](const std::string& uri) -> std::optional<std::vector<ResourceContents>> {
    constexpr std::string_view kPrefix = "test://template/";
    auto id = uri.substr(kPrefix.size(), uri.size() - kPrefix.size() - std::string("/data").size());
    json::object body;
    body["id"] = id;
    body["templateTest"] = true;
    body["data"] = "Data for ID: " + id;
    return std::vector{textContents(uri, "application/json", toJsonText(body))};
  };
  registry.addResourceTemplate(std::move(data));
}

json::object message(std::string role, json::object content) {
  json::object out;
  out["role"] = std::move(role);
  out["content"] = std::move(content);
  return out;
}

void addModernPrompts(Registry& registry) {
  Prompt prompt;
  prompt.name = "test_input_required_result_prompt";
  prompt.description = "A prompt that asks the client for context first";
  prompt.input_requests = [](const json::object* responses) {
    json::object requests;
    if (responses == nullptr || !responses->contains("user_context")) {
      requests["user_context"] =
          elicitationRequest("What context should the prompt use?", "context", "string");
    }
    return requests;
  };
  prompt.render = [](const std::map<std::string, std::string>&) {
    json::array messages;
    messages.emplace_back(message("user", textBlock("A prompt built from the client's context.")));
    return messages;
  };
  registry.addPrompt(std::move(prompt));
}

void addPrompts(Registry& registry) {
  Prompt simple;
  simple.name = "test_simple_prompt";
  simple.description = "A prompt without arguments";
  simple.render = [](const std::map<std::string, std::string>&) {
    json::array messages;
    messages.emplace_back(message("user", textBlock("This is a simple prompt for testing.")));
    return messages;
  };
  registry.addPrompt(std::move(simple));

  Prompt with_arguments;
  with_arguments.name = "test_prompt_with_arguments";
  with_arguments.description = "A prompt with two required arguments";
  with_arguments.arguments = {{"arg1", "First test argument", true},
                              {"arg2", "Second test argument", true}};
  with_arguments.render = [](const std::map<std::string, std::string>& arguments) {
    json::array messages;
    messages.emplace_back(
        message("user", textBlock("Prompt with arguments: arg1='" + arguments.at("arg1") +
                                  "', arg2='" + arguments.at("arg2") + "'")));
    return messages;
  };
  registry.addPrompt(std::move(with_arguments));

  Prompt embedded;
  embedded.name = "test_prompt_with_embedded_resource";
  embedded.description = "A prompt that embeds a resource";
  embedded.arguments = {{"resourceUri", "URI of the resource to embed", true}};
  embedded.render = [](const std::map<std::string, std::string>& arguments) {
    json::array messages;
    messages.emplace_back(message("user", resourceBlock(arguments.at("resourceUri"), "text/plain",
                                                        "Embedded resource content for testing.")));
    messages.emplace_back(
        message("user", textBlock("Please process the embedded resource above.")));
    return messages;
  };
  registry.addPrompt(std::move(embedded));

  Prompt image;
  image.name = "test_prompt_with_image";
  image.description = "A prompt with an image";
  image.render = [](const std::map<std::string, std::string>&) {
    json::array messages;
    messages.emplace_back(message("user", imageBlock()));
    messages.emplace_back(message("user", textBlock("Please analyze the image above.")));
    return messages;
  };
  registry.addPrompt(std::move(image));

  registry.setCompleter(
      [](const json::object&, const std::string&, const std::string&) { return json::array(); });
}

}  // namespace

int run(int argc, char** argv) {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  bool stdio = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--stdio") stdio = true;
    if (arg == "--host" && i + 1 < argc) host = argv[++i];
    if (arg == "--port" && i + 1 < argc) port = static_cast<std::uint16_t>(std::atoi(argv[++i]));
  }
  spdlog::set_default_logger(spdlog::stderr_color_mt("mcp-fixture"));
  if (const char* level = std::getenv("CAPSTAN_LOG_LEVEL")) {
    spdlog::set_level(spdlog::level::from_str(level));
  }

  Registry registry;
  addTools(registry);
  addModernTools(registry);
  addResources(registry);
  addPrompts(registry);
  addModernPrompts(registry);
  ServerOptions options;
  options.info.name = "capstan-mcp-conformance";
  auto server = std::make_shared<McpServer>(std::move(registry), options);

  asio::io_context io;
  if (stdio) return runStdio(*server, io, std::cin, std::cout);

  HttpOptions http_options;
  http_options.sessions.key = sessionKeyFromEnvironment();
  McpHttpAdapter adapter(io.get_executor(), server, http_options);
  auto bound = adapter.start(host, port);
  std::cout << "PORT=" << bound << std::endl;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    adapter.stop();
    io.stop();
  });
  io.run();
  return 0;
}

}  // namespace capstan::mcp::fixture

int main(int argc, char** argv) { return capstan::mcp::fixture::run(argc, argv); }
