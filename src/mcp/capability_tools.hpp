// The MCP face of a capability: one tool per `exposes[type=mcp].tools` entry, served through the
// call engine (DESIGN.md §4-§7). The registry holds no resources or prompts: capabilities declare
// none, and McpServer answers their list methods with empty lists.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/engine.hpp"
#include "mcp/http_adapter.hpp"
#include "mcp/registry.hpp"
#include "mcp/server.hpp"
#include "spec/model.hpp"

namespace capstan::mcp {

// Input schema for an exposed MCP operation's inferred parameters: always `"type":"object"` with
// `properties`, no `$ref`, arrays with `items` (DESIGN.md §4, research-notes/mcp.md §6).
json::object inputSchemaFor(const engine::ExposedOperation& operation);

// Maps one engine outcome to a tool result (DESIGN.md §7: upstream errors and transport failures
// are results with isError, never protocol errors).
ToolResult toolResultFor(const engine::CallOutcome& outcome);

// Tools of the MCP adapter `adapter_namespace`, in document order. `engine` must outlive the
// registry's handlers.
Registry buildCapabilityRegistry(engine::Engine& engine, const std::string& adapter_namespace);

// A ready McpServer for one MCP adapter of `document` (server info from `info`, instructions from
// the adapter's description).
std::shared_ptr<McpServer> makeCapabilityServer(engine::Engine& engine,
                                                const spec::Document& document,
                                                const spec::McpAdapter& adapter);

// Inbound credentials declared on the adapter. `lookup` resolves bind names (`env.KEY` or `KEY`)
// used as `{{...}}` in the token or value. Throws std::runtime_error naming the variable when a
// secret cannot be resolved, and for schemes capstan does not check inbound (basic, digest,
// oauth2). nullopt when the adapter declares no authentication.
std::optional<InboundAuth> inboundAuthFor(
    const spec::McpAdapter& adapter,
    const std::function<std::optional<std::string>(std::string_view name)>& lookup);

}  // namespace capstan::mcp
