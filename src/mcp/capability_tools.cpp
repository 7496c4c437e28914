#include "mcp/capability_tools.hpp"

#include <boost/json/parse.hpp>
#include <stdexcept>

namespace capstan::mcp {

json::object inputSchemaFor(const engine::ExposedOperation& operation) {
  json::object properties;
  json::array required;
  for (const auto& parameter : operation.parameters) {
    json::object property;
    std::string type = parameter.type.empty() ? "string" : parameter.type;
    property["type"] = type;
    if (!parameter.description.empty()) property["description"] = parameter.description;
    if (parameter.enum_values) {
      json::array values;
      for (const auto& value : *parameter.enum_values) values.emplace_back(value);
      property["enum"] = std::move(values);
    }
    // VS Code refuses array parameters without `items` (research-notes/mcp.md §6.5).
    if (type == "array") property["items"] = json::object{{"type", "string"}};
    if (type == "object") property["properties"] = json::object();
    properties[parameter.name] = std::move(property);
    if (parameter.required) required.emplace_back(parameter.name);
  }
  json::object schema;
  schema["type"] = "object";
  schema["properties"] = std::move(properties);
  if (!required.empty()) schema["required"] = std::move(required);
  return schema;
}

ToolResult toolResultFor(const engine::CallOutcome& outcome) {
  using engine::ErrorKind;
  switch (outcome.kind) {
    case ErrorKind::kNone: {
      if (outcome.body.empty()) {
        return ToolResult::text("The upstream answered HTTP " +
                                std::to_string(outcome.upstream_status) + " with no content.");
      }
      // The same JSON goes into a text block for clients that ignore structuredContent
      // (research-notes/mcp.md §6.10).
      ToolResult result = ToolResult::text(outcome.body);
      boost::system::error_code ec;
      auto parsed = json::parse(outcome.body, ec);
      if (!ec && parsed.is_object()) result.structured_content = std::move(parsed);
      return result;
    }
    case ErrorKind::kUpstreamStatus: {
      std::string text = "The upstream answered HTTP " + std::to_string(outcome.upstream_status);
      if (outcome.retry_after) text += " (Retry-After: " + *outcome.retry_after + ")";
      text += outcome.body.empty() ? std::string(" with no body.") : ": " + outcome.body;
      return ToolResult::error(std::move(text));
    }
    case ErrorKind::kInvalidArgument:
      return ToolResult::error("Invalid argument '" + outcome.parameter + "': " + outcome.message);
    default: {
      const auto& info = outcome.info();
      std::string text = std::string(info.title) + " (" + std::string(info.metric) + ")";
      if (!outcome.message.empty()) text += ": " + outcome.message;
      return ToolResult::error(std::move(text));
    }
  }
}

namespace {

ToolAnnotations annotationsFor(const spec::McpToolHints& hints) {
  ToolAnnotations annotations;
  annotations.read_only = hints.read_only;
  annotations.destructive = hints.destructive;
  annotations.idempotent = hints.idempotent;
  annotations.open_world = hints.open_world;
  return annotations;
}

}  // namespace

Registry buildCapabilityRegistry(engine::Engine& engine, const std::string& adapter_namespace) {
  Registry registry;
  for (const auto* operation : engine.operationsOf(engine::Surface::kMcp, adapter_namespace)) {
    Tool tool;
    tool.name = operation->name;
    tool.description = operation->description.empty() ? operation->name : operation->description;
    tool.input_schema = inputSchemaFor(*operation);
    if (operation->mcp_tool != nullptr) {
      tool.title = operation->mcp_tool->label;
      tool.annotations = annotationsFor(operation->mcp_tool->hints);
    }
    // TODO(#6): derive outputSchema from outputParameters when they declare properties; the
    // seed's `type: object, mapping: $.` has no knowable shape.
    // The engine validates and coerces against the declared parameters (DESIGN.md §5).
    tool.validate_arguments = false;
    tool.handler = [&engine, operation](const json::object& arguments,
                                        ToolCallContext& context) -> asio::awaitable<ToolResult> {
      engine::CallContext call;
      call.cancellation = context.cancellationSlot();
      auto outcome = co_await engine.call(*operation, arguments, call);
      co_return toolResultFor(outcome);
    };
    registry.addTool(std::move(tool));
  }
  return registry;
}

std::shared_ptr<McpServer> makeCapabilityServer(engine::Engine& engine,
                                                const spec::Document& document,
                                                const spec::McpAdapter& adapter) {
  ServerOptions options;
  options.info.name = adapter.namespace_.empty() ? "capstan" : adapter.namespace_;
  options.info.title = document.info.label;
  options.info.instructions = adapter.description;
  return std::make_shared<McpServer>(buildCapabilityRegistry(engine, adapter.namespace_), options);
}

namespace {

// `{{env.KEY}}` / `{{KEY}}` -> the bound value; any other text is taken literally.
std::string resolveSecret(
    const std::string& text,
    const std::function<std::optional<std::string>(std::string_view name)>& lookup) {
  std::string out;
  std::size_t position = 0;
  while (position < text.size()) {
    auto open = text.find("{{", position);
    if (open == std::string::npos) break;
    auto close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    out += text.substr(position, open - position);
    std::string name = text.substr(open + 2, close - open - 2);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    auto value = lookup ? lookup(name) : std::nullopt;
    if (!value || value->empty()) {
      throw std::runtime_error("the MCP adapter's inbound credential needs '" + name +
                               "', which is not set");
    }
    out += *value;
    position = close + 2;
  }
  out += text.substr(position);
  return out;
}

}  // namespace

std::optional<InboundAuth> inboundAuthFor(
    const spec::McpAdapter& adapter,
    const std::function<std::optional<std::string>(std::string_view name)>& lookup) {
  if (!adapter.authentication) return std::nullopt;
  const auto& declared = *adapter.authentication;
  InboundAuth auth;
  auth.type = declared.type;
  if (declared.type == "bearer") {
    auth.secret = resolveSecret(declared.token, lookup);
  } else if (declared.type == "apikey") {
    auth.secret = resolveSecret(declared.value, lookup);
    auth.key_name = declared.key;
    auth.placement = declared.placement.empty() ? "header" : declared.placement;
  } else {
    throw std::runtime_error("inbound '" + declared.type +
                             "' authentication is not supported on MCP adapters");
  }
  if (auth.secret.empty()) {
    throw std::runtime_error("the MCP adapter's inbound credential is empty");
  }
  return auth;
}

}  // namespace capstan::mcp
