// Compiles an exposed operation against the consumed operation it calls, and turns validated
// arguments into the upstream request (DESIGN.md "Semantics" 1-4). Pure logic: no network
// headers, so unit tests build fast and fool-proof cases stay cheap to add.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/binds.hpp"
#include "engine/parameter.hpp"
#include "shaping/shaper.hpp"
#include "spec/model.hpp"

namespace capstan::engine {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Everything about one exposed operation that does not depend on the arguments.
struct CompiledCall {
  Surface surface = Surface::kRest;
  std::string adapter_namespace;
  const spec::ConsumedHttp* consumes = nullptr;
  const spec::Resource* resource = nullptr;
  const spec::Operation* operation = nullptr;
  const spec::WithMap* with = nullptr;
  std::string base_uri;  // without trailing '/'
  std::vector<ParameterInfo> parameters;
  // Consumed placeholder -> caller parameter feeding it (when no `with` entry does).
  std::map<std::string, std::string> path_sources;
  // Consumes-level, resource-level, then operation-level consumed inputParameters.
  std::vector<const spec::InputParameter*> consumed_parameters;
  // Credentials rendered from binds at startup (DESIGN.md "Semantics" 3).
  Headers auth_headers;
  std::vector<std::pair<std::string, std::string>> auth_query;
  // `type: digest`: user name and password, answered per challenge (RFC 7616) by the engine.
  std::optional<std::pair<std::string, std::string>> digest_credentials;
  // Output: identity mappings pass the upstream body through (DESIGN.md "Semantics" 6).
  shaping::Shaper shaper;
  bool identity_output = true;
  bool expects_json = true;
};

// Throws StartupError when `call` names no consumed operation, the output mapping does not compile,
// a placeholder matches several caller parameters case-insensitively, a credential template names
// an unbound variable, or the authentication scheme is not supported.
CompiledCall compileCall(const spec::Document& document, Surface surface,
                         const std::string& adapter_namespace, const std::string& call,
                         const spec::WithMap& with,
                         const std::vector<spec::InputParameter>& declared,
                         const std::vector<std::string>& exposed_path_placeholders,
                         const std::vector<spec::OutputParameter>& outputs, const BindTable& binds,
                         const std::map<std::string, std::string>& upstream_overrides);

struct UpstreamCall {
  std::string method;
  std::string url;
  Headers headers;
  std::optional<std::string> body;
};

struct BuildResult {
  std::optional<UpstreamCall> call;
  std::optional<ArgumentError> error;
};

// `arguments` are the output of validateArguments. Refuses empty, `.` and `..` path values,
// CR/LF/NUL in header values, and missing required upstream parameters, before any I/O.
BuildResult buildUpstreamCall(const CompiledCall& compiled, const boost::json::object& arguments,
                              const BindTable& binds);

// True for `$` and `$.` (the whole document).
bool isIdentityPath(std::string_view path);

}  // namespace capstan::engine
