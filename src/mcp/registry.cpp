#include "mcp/registry.hpp"

#include <algorithm>
#include <stdexcept>

namespace capstan::mcp {

ToolResult ToolResult::text(std::string text, bool is_error) {
  ToolResult result;
  json::object block;
  block["type"] = "text";
  block["text"] = std::move(text);
  result.content.emplace_back(std::move(block));
  result.is_error = is_error;
  return result;
}

ToolResult ToolResult::inputRequired(json::object requests, std::string state) {
  ToolResult result;
  result.input_requests = std::move(requests);
  result.request_state = std::move(state);
  return result;
}

bool isPortableToolName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

void Registry::addTool(Tool tool) {
  if (!isPortableToolName(tool.name)) {
    throw std::invalid_argument("MCP tool name '" + tool.name +
                                "' must match ^[A-Za-z0-9_-]{1,64}$");
  }
  if (findTool(tool.name) != nullptr) {
    throw std::invalid_argument("duplicate MCP tool name '" + tool.name + "'");
  }
  const auto* type = tool.input_schema.if_contains("type");
  if (type == nullptr || !type->is_string() || type->get_string() != "object") {
    throw std::invalid_argument("MCP tool '" + tool.name + "' needs an object input schema");
  }
  // Clients built on OpenAI-style function calling refuse object schemas without `properties`
  // (research-notes/mcp.md §6.3).
  if (!tool.input_schema.contains("properties")) tool.input_schema["properties"] = json::object();
  tools_.push_back(std::move(tool));
}

void Registry::addResource(Resource resource) { resources_.push_back(std::move(resource)); }

void Registry::addResourceTemplate(ResourceTemplate resource_template) {
  templates_.push_back(std::move(resource_template));
}

void Registry::addPrompt(Prompt prompt) { prompts_.push_back(std::move(prompt)); }

void Registry::setCompleter(
    std::function<json::array(const json::object&, const std::string&, const std::string&)>
        completer) {
  completer_ = std::move(completer);
}

const Tool* Registry::findTool(std::string_view name) const {
  for (const auto& tool : tools_) {
    if (tool.name == name) return &tool;
  }
  return nullptr;
}

const Prompt* Registry::findPrompt(std::string_view name) const {
  for (const auto& prompt : prompts_) {
    if (prompt.name == name) return &prompt;
  }
  return nullptr;
}

json::array Registry::complete(const json::object& ref, const std::string& argument,
                               const std::string& value) const {
  if (!completer_) return {};
  return completer_(ref, argument, value);
}

bool matchesUriTemplate(std::string_view uri_template, std::string_view uri) {
  std::size_t t = 0;
  std::size_t u = 0;
  while (t < uri_template.size()) {
    if (uri_template[t] != '{') {
      if (u >= uri.size() || uri[u] != uri_template[t]) return false;
      ++t;
      ++u;
      continue;
    }
    auto close = uri_template.find('}', t);
    if (close == std::string_view::npos) return false;
    t = close + 1;
    // A level-1 expansion never contains '/', so a variable ends at the next literal or slash.
    char stop = t < uri_template.size() ? uri_template[t] : '\0';
    std::size_t start = u;
    while (u < uri.size() && uri[u] != '/' && (stop == '\0' || uri[u] != stop)) ++u;
    if (u == start) return false;
  }
  return u == uri.size();
}

}  // namespace capstan::mcp
