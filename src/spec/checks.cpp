// Checks over the finished model: what no single YAML node can tell (DESIGN.md, "Semantics
// capstan commits to", items 1-4).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include "spec/load_context.hpp"
#include "spec/lookup.hpp"

namespace capstan::spec::detail {
namespace {

std::string tick(std::string_view text) { return '`' + std::string(text) + '`'; }

std::string tickList(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += tick(name);
  }
  return joined;
}

std::string where(const SourcePos& pos) {
  return pos.file + ':' + std::to_string(pos.line) + ':' + std::to_string(pos.column);
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// An adapter namespace and where it was declared, for uniqueness checks.
struct Declared {
  std::string name;
  SourcePos pos;
  std::string pointer;
};

class Checker {
 public:
  Checker(const Document& document, LoadContext& context)
      : document_(document), context_(context) {}

  void run() {
    checkNamespaces();
    checkPorts();
    checkConsumes();
    for (const RestAdapter& adapter : document_.capability.rest) checkRest(adapter);
    for (const McpAdapter& adapter : document_.capability.mcp) checkMcp(adapter);
    checkBindReferences();
    if (context_.options().env_lookup) checkBinds();
  }

 private:
  SourcePos fieldPos(const SourcePos& owner, const std::string& pointer) const {
    return context_.posOf(owner, pointer);
  }

  void checkUnique(const std::vector<Declared>& declared, const std::string& kind) {
    std::map<std::string, const Declared*> seen;
    for (const Declared& entry : declared) {
      if (entry.name.empty()) continue;
      auto [previous, inserted] = seen.emplace(entry.name, &entry);
      if (inserted) continue;
      context_.error(entry.pos, entry.pointer,
                     "duplicate " + kind + " " + tick(entry.name) + " (already declared at " +
                         where(previous->second->pos) + ")",
                     "duplicate-namespace");
    }
  }

  void checkNamespaces() {
    std::vector<Declared> adapters;
    for (const ConsumedHttp& consumes : document_.capability.consumes) {
      adapters.push_back({consumes.namespace_,
                          fieldPos(consumes.pos, consumes.pointer + "/namespace"),
                          consumes.pointer + "/namespace"});
    }
    for (const RestAdapter& adapter : document_.capability.rest) {
      adapters.push_back({adapter.namespace_, fieldPos(adapter.pos, adapter.pointer + "/namespace"),
                          adapter.pointer + "/namespace"});
    }
    for (const McpAdapter& adapter : document_.capability.mcp) {
      adapters.push_back({adapter.namespace_, fieldPos(adapter.pos, adapter.pointer + "/namespace"),
                          adapter.pointer + "/namespace"});
    }
    std::sort(adapters.begin(), adapters.end(), [](const Declared& a, const Declared& b) {
      return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
    });
    checkUnique(adapters, "namespace");

    std::vector<Declared> binds;
    for (const Bind& bind : document_.binds) {
      binds.push_back({bind.namespace_, fieldPos(bind.pos, bind.pointer + "/namespace"),
                       bind.pointer + "/namespace"});
    }
    checkUnique(binds, "bind namespace");

    std::vector<Declared> shared;
    for (const ConsumedHttp& consumes : document_.shared_consumes) {
      shared.push_back({consumes.namespace_,
                        fieldPos(consumes.pos, consumes.pointer + "/namespace"),
                        consumes.pointer + "/namespace"});
    }
    checkUnique(shared, "namespace");
  }

  void checkPorts() {
    std::vector<Declared> ports;
    auto add = [&](int port, const SourcePos& pos, const std::string& pointer) {
      if (port <= 0) return;
      ports.push_back({std::to_string(port), fieldPos(pos, pointer + "/port"), pointer + "/port"});
    };
    for (const RestAdapter& adapter : document_.capability.rest) {
      add(adapter.port, adapter.pos, adapter.pointer);
    }
    for (const McpAdapter& adapter : document_.capability.mcp) {
      if (adapter.port) add(*adapter.port, adapter.pos, adapter.pointer);
    }
    for (const ControlAdapter& adapter : document_.capability.control) {
      add(adapter.port, adapter.pos, adapter.pointer);
    }
    std::sort(ports.begin(), ports.end(), [](const Declared& a, const Declared& b) {
      return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
    });
    std::map<std::string, const Declared*> seen;
    for (const Declared& entry : ports) {
      auto [previous, inserted] = seen.emplace(entry.name, &entry);
      if (inserted) continue;
      context_.error(entry.pos, entry.pointer,
                     "port " + entry.name + " is already used by the adapter at " +
                         where(previous->second->pos) + "; two adapters cannot share a port",
                     "port-conflict");
    }
  }

  void checkConsumes() {
    for (const std::vector<ConsumedHttp>* list :
         {&document_.capability.consumes, &document_.shared_consumes}) {
      for (const ConsumedHttp& consumes : *list) {
        checkBaseUri(consumes);
        checkOperationNames(consumes);
      }
    }
  }

  void checkBaseUri(const ConsumedHttp& consumes) {
    const std::string pointer = consumes.pointer + "/baseUri";
    const SourcePos pos = fieldPos(consumes.pos, pointer);
    const std::string& uri = consumes.base_uri;
    if (uri.empty()) return;
    if (uri.rfind("http://", 0) != 0 && uri.rfind("https://", 0) != 0) {
      context_.error(pos, pointer, "baseUri " + tick(uri) + " must start with http:// or https://",
                     "invalid-base-uri");
      return;
    }
    // RFC 3986 §3.2: an authority, then an optional path; capstan appends resource paths and
    // queries itself, so a query, a fragment, a template or a blank would corrupt every call.
    const auto authority_start = uri.find("://") + 3;
    const auto authority_end = uri.find('/', authority_start);
    if (authority_end == authority_start || authority_start == uri.size()) {
      context_.error(pos, pointer, "baseUri " + tick(uri) + " names no host", "invalid-base-uri");
      return;
    }
    if (uri.substr(authority_start, authority_end - authority_start).find('@') !=
        std::string::npos) {
      context_.error(pos, pointer,
                     "baseUri " + tick(uri.substr(0, authority_start) + "***@...") +
                         " carries credentials: they would be logged and sent in clear; use "
                         "`authentication` with a bind instead",
                     "invalid-base-uri");
      return;
    }
    if (const auto bad = uri.find_first_of(" \t\r\n{}?#\\", authority_start);
        bad != std::string::npos) {
      context_.error(pos, pointer,
                     "baseUri " + tick(uri) + " contains " + tick(std::string(1, uri[bad])) +
                         (uri[bad] == '{' || uri[bad] == '}'
                              ? ": capstan does not render templates in baseUri yet (use "
                                "--upstream NAMESPACE=URL to point it elsewhere)"
                              : ": a base URI is scheme://host[:port][/path], without blanks, "
                                "query or fragment"),
                     "invalid-base-uri");
      return;
    }
    if (uri.back() == '/') {
      context_.error(pos, pointer,
                     "baseUri " + tick(uri) +
                         " ends with `/`: resource paths are appended to it as written, so "
                         "every request would contain `//` (remove the trailing slash)",
                     "base-uri-trailing-slash");
    }
  }

  void checkOperationNames(const ConsumedHttp& consumes) {
    std::map<std::string, const Operation*> seen;
    for (const Resource& resource : consumes.resources) {
      for (const Operation& operation : resource.operations) {
        auto [previous, inserted] = seen.emplace(operation.name, &operation);
        if (inserted || operation.name.empty()) continue;
        const std::string pointer = operation.pointer + "/name";
        context_.error(fieldPos(operation.pos, pointer), pointer,
                       "duplicate operation " + tick(operation.name) + " in namespace " +
                           tick(consumes.namespace_) + " (already declared at " +
                           where(previous->second->pos) + "); `call` would always reach the first",
                       "duplicate-operation");
      }
    }
  }

  // Resolves a `call`, reporting an unknown namespace or operation.
  std::optional<ConsumedOperationRef> resolveCall(const std::string& call, const SourcePos& pos,
                                                  const std::string& pointer) {
    if (call.empty()) return std::nullopt;
    if (auto found = findConsumedOperation(document_.capability.consumes, call)) return found;
    const std::size_t dot = call.find('.');
    std::vector<std::string> namespaces;
    for (const ConsumedHttp& consumes : document_.capability.consumes) {
      namespaces.push_back(consumes.namespace_);
    }
    if (dot == std::string::npos) {
      context_.error(pos, pointer, "call " + tick(call) + " must have the form namespace.operation",
                     "unknown-call");
      return std::nullopt;
    }
    const std::string ns = call.substr(0, dot);
    const auto consumes =
        std::find_if(document_.capability.consumes.begin(), document_.capability.consumes.end(),
                     [&](const ConsumedHttp& candidate) { return candidate.namespace_ == ns; });
    if (consumes == document_.capability.consumes.end()) {
      std::string message = "call " + tick(call) + " names an unknown namespace " + tick(ns);
      message += namespaces.empty() ? " (nothing is consumed)"
                                    : " (consumed: " + tickList(namespaces) + ")";
      if (std::string suggestion = closestMatch(ns, namespaces); !suggestion.empty()) {
        message += "; did you mean " + tick(suggestion) + "?";
      }
      context_.error(pos, pointer, message, "unknown-call");
      return std::nullopt;
    }
    std::vector<std::string> operations;
    for (const Resource& resource : consumes->resources) {
      for (const Operation& operation : resource.operations) operations.push_back(operation.name);
    }
    const std::string name = call.substr(dot + 1);
    std::string message =
        "call " + tick(call) + ": namespace " + tick(ns) + " has no operation " + tick(name);
    if (!operations.empty()) message += " (it has " + tickList(operations) + ")";
    if (std::string suggestion = closestMatch(name, operations); !suggestion.empty()) {
      message += "; did you mean " + tick(suggestion) + "?";
    }
    context_.error(pos, pointer, message, "unknown-call");
    return std::nullopt;
  }

  // Every name a `with` key may set on a consumed operation.
  static std::vector<std::string> consumedParameterNames(const ConsumedOperationRef& ref) {
    std::vector<std::string> names;
    auto add = [&](const std::string& name) {
      if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(name);
      }
    };
    auto addTemplate = [&](std::string_view text) {
      for (const std::string& name : mustacheVariables(text)) add(name);
    };
    auto addInputs = [&](const std::vector<InputParameter>& inputs) {
      for (const InputParameter& input : inputs) {
        add(input.name);
        if (input.value) addTemplate(input.value->text);
      }
    };
    for (const PathPlaceholder& placeholder : pathPlaceholders(ref.resource->path)) {
      add(placeholder.name);
    }
    addInputs(ref.consumes->input_parameters);
    addInputs(ref.resource->input_parameters);
    addInputs(ref.operation->input_parameters);
    if (ref.operation->body) addTemplate(ref.operation->body->data_json);
    return names;
  }

  void checkWith(const WithMap& with, const ConsumedOperationRef& ref, const std::string& call,
                 const std::string& adapter_namespace) {
    const std::vector<std::string> known = consumedParameterNames(ref);
    std::set<std::string> exposed_namespaces;
    for (const RestAdapter& adapter : document_.capability.rest) {
      exposed_namespaces.insert(adapter.namespace_);
    }
    for (const McpAdapter& adapter : document_.capability.mcp) {
      exposed_namespaces.insert(adapter.namespace_);
    }
    for (const auto& [key, value] : with) {
      const std::string pointer = value.pointer.empty() ? "" : value.pointer;
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string message =
            "`with` sets " + tick(key) + ", which is not a parameter of " + tick(call);
        message += known.empty() ? " (it declares none)" : " (it has " + tickList(known) + ")";
        if (std::string suggestion = closestMatch(key, known); !suggestion.empty()) {
          message += "; did you mean " + tick(suggestion) + "?";
        }
        context_.error(value.pos, pointer, message, "unknown-with-parameter");
      }
      if (value.kind != ScalarKind::kString) continue;
      const std::size_t dot = value.text.find('.');
      if (dot == std::string::npos || value.text.find("{{") != std::string::npos) continue;
      const std::string prefix = value.text.substr(0, dot);
      if (prefix != adapter_namespace && exposed_namespaces.count(prefix) != 0) {
        context_.error(value.pos, pointer,
                       tick(value.text) + " refers to a parameter of adapter " + tick(prefix) +
                           ", not of this adapter " + tick(adapter_namespace) + " (use `" +
                           adapter_namespace + "." + value.text.substr(dot + 1) + "`)",
                       "unknown-with-parameter");
      }
    }
  }

  static bool referencedBy(const WithMap& with, const std::string& name,
                           const std::string& adapter_namespace) {
    return std::any_of(with.begin(), with.end(), [&](const auto& entry) {
      return withReference(entry.second, adapter_namespace) == name;
    });
  }
  static bool fedByWith(const WithMap& with, const std::string& name) {
    return std::any_of(with.begin(), with.end(),
                       [&](const auto& entry) { return entry.first == name; });
  }
  static bool declares(const std::vector<InputParameter>& inputs, const std::string& name) {
    return std::any_of(inputs.begin(), inputs.end(),
                       [&](const InputParameter& input) { return input.name == name; });
  }

  // An exposed path is what a caller sends (RFC 3986 §3.3): absolute, no query or fragment, no
  // dot segments (clients remove them before sending), each placeholder named once.
  void checkExposedPath(const RestResource& resource) {
    const std::string pointer = resource.pointer + "/path";
    const SourcePos pos = fieldPos(resource.pos, pointer);
    const std::string& path = resource.path;
    auto refuse = [&](const std::string& why) {
      context_.error(pos, pointer, "path " + tick(path) + " " + why, "invalid-exposed-path");
    };
    if (path.empty() || path.front() != '/') return refuse("must start with `/`");
    if (path.find_first_of("?#") != std::string::npos) {
      return refuse("must not carry a query or fragment (query parameters are inputParameters)");
    }
    for (std::size_t start = 1; start <= path.size();) {
      const auto end = std::min(path.find('/', start), path.size());
      const std::string_view segment = std::string_view(path).substr(start, end - start);
      if (segment == "." || segment == "..") return refuse("must not contain `.` or `..` segments");
      start = end + 1;
    }
    std::set<std::string> names;
    for (const PathPlaceholder& placeholder : pathPlaceholders(path)) {
      if (!names.insert(placeholder.name).second) {
        return refuse("names the placeholder " + tick(placeholder.name) + " twice");
      }
    }
  }

  void checkRest(const RestAdapter& adapter) {
    std::map<std::string, const RestOperation*> routes;
    for (const RestResource& resource : adapter.resources) {
      checkExposedPath(resource);
      for (const RestOperation& operation : resource.operations) {
        const std::string route = operation.method + ' ' + resource.path;
        auto [previous, inserted] = routes.emplace(route, &operation);
        if (!inserted) {
          context_.error(operation.pos, operation.pointer,
                         "duplicate route " + tick(route) + " (already declared at " +
                             where(previous->second->pos) + ")",
                         "duplicate-route");
        }
        std::optional<ConsumedOperationRef> ref =
            resolveCall(operation.call, operation.call_pos, operation.pointer + "/call");
        if (!ref) continue;
        checkWith(operation.with, *ref, operation.call, adapter.namespace_);
        checkRestPlaceholders(adapter, resource, operation, *ref);
      }
    }
  }

  // DESIGN.md item 1: an exposed path parameter binds to the consumed placeholder of the same
  // name, else to the single one matching case-insensitively (warning), else it is an error.
  void checkRestPlaceholders(const RestAdapter& adapter, const RestResource& resource,
                             const RestOperation& operation, const ConsumedOperationRef& ref) {
    const std::string path_pointer = resource.pointer + "/path";
    const SourcePos path_pos = fieldPos(resource.pos, path_pointer);
    const std::string consumed_path_pointer = ref.resource->pointer + "/path";
    const SourcePos consumed_path_pos = fieldPos(ref.resource->pos, consumed_path_pointer);
    const std::vector<PathPlaceholder> consumed = pathPlaceholders(ref.resource->path);
    const std::vector<std::string> consumed_names = consumedParameterNames(ref);
    std::set<std::string> bound;
    bool unbound = false;

    for (const PathPlaceholder& placeholder : pathPlaceholders(resource.path)) {
      const std::string& name = placeholder.name;
      if (referencedBy(operation.with, name, adapter.namespace_)) continue;
      if (std::find(consumed_names.begin(), consumed_names.end(), name) != consumed_names.end()) {
        bound.insert(name);
        continue;
      }
      std::vector<const PathPlaceholder*> candidates;
      for (const PathPlaceholder& other : consumed) {
        if (equalsIgnoreCase(other.name, name) && !fedByWith(operation.with, other.name)) {
          candidates.push_back(&other);
        }
      }
      if (candidates.size() == 1) {
        bound.insert(candidates.front()->name);
        context_.warning(path_pos, path_pointer,
                         "path parameter " + tick(name) + " binds to placeholder " +
                             tick(candidates.front()->name) + " of " + tick(operation.call) + " (" +
                             where(consumed_path_pos) + ", " + consumed_path_pointer +
                             ") by case-insensitive match",
                         "placeholder-case");
        continue;
      }
      std::string message = "path parameter " + tick(name) + " of " + tick(resource.path);
      if (candidates.empty()) {
        message += " binds to no placeholder of " + tick(operation.call) + " (path " +
                   tick(ref.resource->path) + " at " + where(consumed_path_pos) + ")";
        std::vector<std::string> names;
        for (const PathPlaceholder& other : consumed) names.push_back(other.name);
        if (std::string suggestion = closestMatch(name, names); !suggestion.empty()) {
          message += "; did you mean " + tick(suggestion) + "?";
        }
      } else {
        message += " matches several placeholders of " + tick(operation.call) +
                   " case-insensitively; rename it to one of them exactly";
      }
      context_.error(path_pos, path_pointer, message, "unbound-placeholder");
      unbound = true;
    }

    // An unbound exposed parameter usually is the feed the consumed placeholder lacks: one
    // error is enough.
    if (unbound) return;
    for (const PathPlaceholder& placeholder : consumed) {
      const std::string& name = placeholder.name;
      if (bound.count(name) != 0 || fedByWith(operation.with, name) ||
          declares(resource.input_parameters, name) || declares(operation.input_parameters, name) ||
          declares(ref.operation->input_parameters, name) ||
          declares(ref.resource->input_parameters, name) ||
          declares(ref.consumes->input_parameters, name)) {
        continue;
      }
      context_.error(fieldPos(operation.pos, operation.pointer), operation.pointer,
                     "placeholder " + tick(name) + " of " + tick(operation.call) + " (path " +
                         tick(ref.resource->path) + ") is fed by nothing: add " +
                         tick("{" + name + "}") + " to the path " + tick(resource.path) +
                         " or set it in `with`",
                     "unfed-placeholder");
    }
  }

  // The declared type of the consumed parameter a `with` key feeds; "string" when undeclared.
  static std::string consumedType(const ConsumedOperationRef& ref, const std::string& name) {
    for (const std::vector<InputParameter>* inputs :
         {&ref.operation->input_parameters, &ref.resource->input_parameters,
          &ref.consumes->input_parameters}) {
      for (const InputParameter& input : *inputs) {
        if (input.name == name && !input.type.empty()) return input.type;
      }
    }
    return "string";
  }

  void checkMcp(const McpAdapter& adapter) {
    std::map<std::string, const McpTool*> names;
    for (const McpTool& tool : adapter.tools) {
      auto [previous, inserted] = names.emplace(tool.name, &tool);
      if (!inserted && !tool.name.empty()) {
        const std::string pointer = tool.pointer + "/name";
        context_.error(fieldPos(tool.pos, pointer), pointer,
                       "duplicate tool name " + tick(tool.name) + " (already declared at " +
                           where(previous->second->pos) + ")",
                       "duplicate-tool");
      }
      std::optional<ConsumedOperationRef> ref =
          resolveCall(tool.call, tool.call_pos, tool.pointer + "/call");
      if (!ref) continue;
      checkWith(tool.with, *ref, tool.call, adapter.namespace_);
      reportInferredInputs(adapter, tool, *ref);
    }
  }

  // DESIGN.md item 4: an MCP tool's inputSchema also holds every `tools.X` reference and every
  // consumed path placeholder nothing else feeds. Say so, since the file does not.
  void reportInferredInputs(const McpAdapter& adapter, const McpTool& tool,
                            const ConsumedOperationRef& ref) {
    std::vector<std::string> from_with;
    std::vector<std::string> with_types;
    for (const auto& [key, value] : tool.with) {
      std::optional<std::string> name = withReference(value, adapter.namespace_);
      if (!name || declares(tool.input_parameters, *name)) continue;
      if (std::find(from_with.begin(), from_with.end(), *name) != from_with.end()) continue;
      from_with.push_back(*name);
      with_types.push_back(consumedType(ref, key));
    }
    std::vector<std::string> from_path;
    for (const PathPlaceholder& placeholder : pathPlaceholders(ref.resource->path)) {
      const std::string& name = placeholder.name;
      if (fedByWith(tool.with, name) || declares(tool.input_parameters, name) ||
          std::find(from_with.begin(), from_with.end(), name) != from_with.end()) {
        continue;
      }
      from_path.push_back(name);
    }
    if (from_with.empty() && from_path.empty()) return;
    std::string message = "inputSchema of tool " + tick(tool.name) + " is inferred:";
    if (!from_with.empty()) {
      std::string described;
      for (std::size_t i = 0; i < from_with.size(); ++i) {
        if (i != 0) described += ", ";
        described += tick(from_with[i]) + " (" + with_types[i] + ")";
      }
      message += " " + described + " from `with` references";
    }
    if (!from_with.empty() && !from_path.empty()) message += ";";
    if (!from_path.empty()) {
      message += " " + tickList(from_path) + " (required string" +
                 std::string(from_path.size() > 1 ? "s" : "") + ") from the path " +
                 tick(ref.resource->path) + " of " + tick(tool.call);
    }
    message += " (declare them in inputParameters to describe them)";
    context_.warning(tool.pos, tool.pointer, message, "inferred-inputs");
  }

  // `{{<bind-namespace>.<VARIABLE>}}` must name a key of that bind: a typo would otherwise
  // render an empty credential at request time (DESIGN.md item 3).
  void checkTemplate(std::string_view text, const SourcePos& pos, const std::string& pointer) {
    // An unclosed tag would be sent as literal text (a bearer token "{{env.KEY").
    for (auto open = text.find("{{"); open != std::string_view::npos;
         open = text.find("{{", open + 2)) {
      const auto close = text.find("}}", open + 2);
      if (close == std::string_view::npos ||
          text.substr(open + 2, close - open - 2).find("{{") != std::string_view::npos) {
        context_.error(pos, pointer,
                       tick(std::string(text.substr(open))) + ": `{{` without its closing `}}`",
                       "unclosed-template");
        return;
      }
    }
    for (const std::string& variable : mustacheVariables(text)) {
      const std::size_t dot = variable.find('.');
      if (dot == std::string::npos) continue;
      const std::string ns = variable.substr(0, dot);
      const std::string key = variable.substr(dot + 1);
      for (const Bind& bind : document_.binds) {
        if (bind.namespace_ != ns) continue;
        std::vector<std::string> keys;
        for (const auto& entry : bind.keys) keys.push_back(entry.first);
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) break;
        std::string message =
            tick("{{" + variable + "}}") + ": bind " + tick(ns) + " has no variable " + tick(key);
        if (!keys.empty()) message += " (it has " + tickList(keys) + ")";
        if (std::string suggestion = closestMatch(key, keys); !suggestion.empty()) {
          message += "; did you mean " + tick(suggestion) + "?";
        }
        context_.error(pos, pointer, message, "unknown-bind-variable");
        break;
      }
    }
  }

  void checkAuthTemplates(const std::optional<Authentication>& auth) {
    if (!auth) return;
    const std::pair<const char*, const std::string*> fields[] = {{"token", &auth->token},
                                                                 {"key", &auth->key},
                                                                 {"value", &auth->value},
                                                                 {"username", &auth->username},
                                                                 {"password", &auth->password}};
    for (const auto& [name, text] : fields) {
      const std::string pointer = auth->pointer + "/" + name;
      checkTemplate(*text, fieldPos(auth->pos, pointer), pointer);
    }
  }

  void checkInputTemplates(const std::vector<InputParameter>& inputs) {
    for (const InputParameter& input : inputs) {
      if (input.value) checkTemplate(input.value->text, input.value->pos, input.value->pointer);
    }
  }

  void checkBindReferences() {
    for (const std::vector<ConsumedHttp>* list :
         {&document_.capability.consumes, &document_.shared_consumes}) {
      for (const ConsumedHttp& consumes : *list) {
        checkAuthTemplates(consumes.authentication);
        checkInputTemplates(consumes.input_parameters);
        for (const Resource& resource : consumes.resources) {
          checkInputTemplates(resource.input_parameters);
          for (const Operation& operation : resource.operations) {
            checkInputTemplates(operation.input_parameters);
            if (operation.body) {
              checkTemplate(operation.body->data_json, operation.body->pos,
                            operation.body->pointer);
            }
          }
        }
      }
    }
    for (const RestAdapter& adapter : document_.capability.rest) {
      checkAuthTemplates(adapter.authentication);
    }
    for (const McpAdapter& adapter : document_.capability.mcp) {
      checkAuthTemplates(adapter.authentication);
    }
  }

  void checkBinds() {
    for (const Bind& bind : document_.binds) {
      if (!bind.location) {
        for (std::size_t i = 0; i < bind.keys.size(); ++i) {
          const auto& [variable, provider] = bind.keys[i];
          if (context_.options().env_lookup(provider)) continue;
          const std::string pointer = bind.pointer + "/keys/" + variable;
          context_.error(i < bind.key_pos.size() ? bind.key_pos[i] : bind.pos, pointer,
                         "environment variable " + tick(provider) + " is not set (bind " +
                             tick(bind.namespace_) + ", variable " + tick(variable) + ")",
                         "missing-secret");
        }
        continue;
      }
      checkFileBind(bind);
    }
  }

  void checkFileBind(const Bind& bind) {
    const std::string& location = *bind.location;
    if (location.rfind("file://", 0) != 0) return;
    std::string path = location.substr(7);
    if (path.rfind("/./", 0) == 0 || path.rfind("/../", 0) == 0) path = path.substr(1);
    std::filesystem::path file(path);
    if (file.is_relative()) file = document_.source_file.parent_path() / file;
    const std::string pointer = bind.pointer + "/location";
    const SourcePos pos = fieldPos(bind.pos, pointer);
    YAML::Node secrets;
    try {
      secrets = YAML::LoadFile(file.lexically_normal().string());
    } catch (const YAML::Exception&) {
      context_.error(pos, pointer,
                     "cannot read bind file " + file.lexically_normal().string() + " (bind " +
                         tick(bind.namespace_) + ")",
                     "missing-secret");
      return;
    }
    const YAML::Node& view = secrets;
    for (std::size_t i = 0; i < bind.keys.size(); ++i) {
      const auto& [variable, provider] = bind.keys[i];
      if (view.IsMap() && view[provider] && view[provider].IsScalar()) continue;
      context_.error(
          i < bind.key_pos.size() ? bind.key_pos[i] : bind.pos, bind.pointer + "/keys/" + variable,
          "key " + tick(provider) + " is missing from " + file.lexically_normal().string() +
              " (bind " + tick(bind.namespace_) + ", variable " + tick(variable) + ")",
          "missing-secret");
    }
  }

  const Document& document_;
  LoadContext& context_;
};

}  // namespace

void checkDocument(const Document& document, LoadContext& context) {
  Checker(document, context).run();
}

}  // namespace capstan::spec::detail
