#include "engine/planner.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cctype>
#include <charconv>

#include "engine/startup_error.hpp"
#include "spec/lookup.hpp"
#include "support/base64.hpp"
#include "support/json_text.hpp"
#include "template/template.hpp"

namespace capstan::engine {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

ParamLocation locationOf(const std::string& in) {
  if (in == "path") return ParamLocation::kPath;
  if (in == "header") return ParamLocation::kHeader;
  if (in == "body") return ParamLocation::kBody;
  if (in == "cookie") return ParamLocation::kCookie;
  return ParamLocation::kQuery;
}

// Hop-by-hop (RFC 9110 §7.6.1), framing and forwarding fields: the client sets these itself,
// and a capability must not be able to smuggle or spoof them.
bool isReservedHeader(std::string_view name) {
  static constexpr std::string_view kReserved[] = {
      "host",      "connection",      "keep-alive",       "proxy-connection", "transfer-encoding",
      "te",        "trailer",         "upgrade",          "content-length",   "proxy-authorization",
      "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto"};
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view reserved) { return equalsIgnoreCase(name, reserved); });
}

std::string renderCredential(const std::string& text, const BindTable& binds,
                             const std::string& where) {
  auto rendered = tmpl::render(text, [&](std::string_view name) { return binds.find(name); });
  if (!rendered.complete()) {
    throw StartupError(where + " uses {{" + rendered.missing.front() +
                       "}}, which no bind provides (declare it under `binds`)");
  }
  if (rendered.text.empty()) throw StartupError(where + " renders to an empty credential");
  return rendered.text;
}

void compileAuthentication(CompiledCall& compiled, const BindTable& binds) {
  if (!compiled.consumes->authentication) return;
  const spec::Authentication& auth = *compiled.consumes->authentication;
  const std::string where = "authentication of consumes '" + compiled.consumes->namespace_ + "'";
  if (auth.type == "bearer") {
    compiled.auth_headers.emplace_back("Authorization",
                                       "Bearer " + renderCredential(auth.token, binds, where));
  } else if (auth.type == "basic") {
    const std::string user = renderCredential(auth.username, binds, where);
    const std::string password = renderCredential(auth.password, binds, where);
    compiled.auth_headers.emplace_back("Authorization",
                                       "Basic " + base64Encode(user + ":" + password));
  } else if (auth.type == "apikey") {
    const std::string value = renderCredential(auth.value, binds, where);
    if (auth.placement == "query") {
      compiled.auth_query.emplace_back(auth.key, value);
    } else {
      compiled.auth_headers.emplace_back(auth.key, value);
    }
  } else if (auth.type == "digest") {
    compiled.digest_credentials.emplace(renderCredential(auth.username, binds, where),
                                        renderCredential(auth.password, binds, where));
  } else {
    // TODO(#5): oauth2 needs a token endpoint round trip and a token cache.
    throw StartupError(where + ": scheme '" + auth.type + "' is not supported yet");
  }
}

const spec::InputParameter* findConsumedParameter(const CompiledCall& compiled,
                                                  std::string_view name) {
  for (const spec::InputParameter* parameter : compiled.consumed_parameters) {
    if (parameter->name == name) return parameter;
  }
  return nullptr;
}

bool hasParameter(const CompiledCall& compiled, std::string_view name) {
  return std::any_of(compiled.parameters.begin(), compiled.parameters.end(),
                     [&](const ParameterInfo& info) { return info.name == name; });
}

bool withHasKey(const spec::WithMap& with, std::string_view key) {
  return std::any_of(with.begin(), with.end(),
                     [&](const auto& entry) { return entry.first == key; });
}

// DESIGN.md "Semantics" 1: exact name first, else the single case-insensitive match.
std::optional<std::string> callerSourceFor(const CompiledCall& compiled,
                                           const std::string& placeholder) {
  if (hasParameter(compiled, placeholder)) return placeholder;
  std::optional<std::string> match;
  for (const ParameterInfo& info : compiled.parameters) {
    if (!equalsIgnoreCase(info.name, placeholder)) continue;
    if (match) {
      throw StartupError(compiled.adapter_namespace + ": consumed placeholder {" + placeholder +
                         "} matches both '" + *match + "' and '" + info.name +
                         "' case-insensitively");
    }
    match = info.name;
  }
  return match;
}

void inferParameters(CompiledCall& compiled, const std::vector<spec::InputParameter>& declared,
                     const std::vector<std::string>& exposed_path_placeholders) {
  const bool rest = compiled.surface == Surface::kRest;
  for (const spec::InputParameter& parameter : declared) {
    if (hasParameter(compiled, parameter.name)) continue;
    compiled.parameters.push_back(
        ParameterInfo{parameter.name, parameter.type.empty() ? "string" : parameter.type,
                      parameter.description, parameter.required, parameter.enum_values,
                      rest ? locationOf(parameter.in) : ParamLocation::kArgument});
  }
  for (const std::string& name : exposed_path_placeholders) {
    if (hasParameter(compiled, name)) continue;
    compiled.parameters.push_back(
        ParameterInfo{name, "string", "", true, std::nullopt, ParamLocation::kPath});
  }
  // `with` references: typed and described from the consumed parameter they feed.
  for (const auto& [key, value] : *compiled.with) {
    auto reference = spec::withReference(value, compiled.adapter_namespace);
    if (!reference || hasParameter(compiled, *reference)) continue;
    const spec::InputParameter* fed = findConsumedParameter(compiled, key);
    ParameterInfo info{*reference,   "string",
                       "",           false,
                       std::nullopt, rest ? ParamLocation::kQuery : ParamLocation::kArgument};
    if (fed != nullptr) {
      info.type = fed->type.empty() ? "string" : fed->type;
      info.description = fed->description;
      info.required = fed->required;
      info.enum_values = fed->enum_values;
    }
    compiled.parameters.push_back(std::move(info));
  }
  // Consumed path placeholders that nothing else feeds become required strings.
  for (const spec::PathPlaceholder& placeholder : spec::pathPlaceholders(compiled.resource->path)) {
    if (withHasKey(*compiled.with, placeholder.name)) continue;
    const spec::InputParameter* fed = findConsumedParameter(compiled, placeholder.name);
    if (fed != nullptr && fed->value) continue;
    if (auto source = callerSourceFor(compiled, placeholder.name)) {
      compiled.path_sources[placeholder.name] = *source;
      continue;
    }
    compiled.parameters.push_back(
        ParameterInfo{placeholder.name, "string", fed != nullptr ? fed->description : "", true,
                      std::nullopt, rest ? ParamLocation::kQuery : ParamLocation::kArgument});
    compiled.path_sources[placeholder.name] = placeholder.name;
  }
}

void collectConsumedParameters(CompiledCall& compiled) {
  auto add = [&](const std::vector<spec::InputParameter>& list) {
    for (const spec::InputParameter& parameter : list) {
      auto same = std::find_if(
          compiled.consumed_parameters.begin(), compiled.consumed_parameters.end(),
          [&](const spec::InputParameter* existing) { return existing->name == parameter.name; });
      if (same != compiled.consumed_parameters.end()) {
        *same = &parameter;  // the more specific level wins, keeping the first position
      } else {
        compiled.consumed_parameters.push_back(&parameter);
      }
    }
  };
  add(compiled.consumes->input_parameters);
  add(compiled.resource->input_parameters);
  add(compiled.operation->input_parameters);
}

boost::json::value scalarValue(const spec::Scalar& scalar) {
  switch (scalar.kind) {
    case spec::ScalarKind::kNull:
      return nullptr;
    case spec::ScalarKind::kBoolean:
      return scalar.text == "true";
    case spec::ScalarKind::kInteger:
    case spec::ScalarKind::kNumber: {
      boost::system::error_code ec;
      auto parsed = boost::json::parse(scalar.text, ec);
      if (!ec && parsed.is_number()) return parsed;
      return boost::json::value(scalar.text);
    }
    case spec::ScalarKind::kString:
      return boost::json::value(scalar.text);
  }
  return nullptr;
}

shaping::OutputSpec toOutputSpec(const spec::OutputParameter& parameter) {
  shaping::OutputSpec out;
  out.name = parameter.name.value_or("");
  out.type = parameter.type;
  out.mapping = parameter.mapping;
  // Exposed side: `value` is a static value, `const` a fixed one; both answer without a mapping.
  if (parameter.const_value) {
    out.value = scalarValue(*parameter.const_value);
  } else if (parameter.value && !parameter.mapping) {
    out.value = scalarValue(*parameter.value);
  }
  for (const auto& property : parameter.properties)
    out.properties.push_back(toOutputSpec(property));
  if (!parameter.items.empty()) {
    out.items = std::make_shared<shaping::OutputSpec>(toOutputSpec(parameter.items.front()));
  }
  if (parameter.max_length && *parameter.max_length >= 0) {
    out.max_length = static_cast<std::size_t>(*parameter.max_length);
  }
  return out;
}

void compileOutputs(CompiledCall& compiled, const std::vector<spec::OutputParameter>& outputs) {
  std::vector<shaping::OutputSpec> specs;
  for (const auto& output : outputs) specs.push_back(toOutputSpec(output));
  auto shaper = shaping::compileShaper(specs);
  if (!shaper) {
    throw StartupError(compiled.adapter_namespace + ": " + shaper.error().describe());
  }
  compiled.shaper = std::move(*shaper);
  compiled.identity_output = compiled.shaper.isIdentity();
}

// --- request building ---------------------------------------------------------------------

struct Scope {
  const CompiledCall& compiled;
  const boost::json::object& arguments;
  const BindTable& binds;
  const boost::json::object& upstream;

  // The caller parameter a dotted reference names (`rest.x`, `tools.x`, `<ns>.x`), if any.
  std::optional<std::string_view> argumentName(std::string_view name) const {
    for (std::string_view prefix :
         {std::string_view("rest."), std::string_view("tools."), std::string_view("mcp.")}) {
      if (name.starts_with(prefix)) return name.substr(prefix.size());
    }
    const std::string& ns = compiled.adapter_namespace;
    if (!ns.empty() && name.size() > ns.size() + 1 && name.starts_with(ns) &&
        name[ns.size()] == '.') {
      return name.substr(ns.size() + 1);
    }
    return std::nullopt;
  }

  const boost::json::value* value(std::string_view name) const {
    if (auto argument = argumentName(name)) return arguments.if_contains(*argument);
    if (const auto* found = upstream.if_contains(name)) return found;
    return arguments.if_contains(name);
  }

  std::optional<std::string> text(std::string_view name) const {
    if (auto bound = binds.find(name)) return bound;
    if (const auto* found = value(name)) return scalarText(*found);
    return std::nullopt;
  }

  // A template string: a lone variable keeps its JSON type; anything with a missing variable is
  // absent (never half-rendered, never the literal template).
  std::optional<boost::json::value> render(const std::string& text_in) const {
    std::string single;
    if (tmpl::isSingleVariable(text_in, single)) {
      if (auto bound = binds.find(single)) return boost::json::value(*bound);
      if (const auto* found = value(single)) return *found;
      return std::nullopt;
    }
    auto rendered = tmpl::render(text_in, [this](std::string_view name) { return text(name); });
    if (!rendered.complete()) return std::nullopt;
    return boost::json::value(std::move(rendered.text));
  }

  std::optional<boost::json::value> constant(const spec::Scalar& scalar) const {
    switch (scalar.kind) {
      case spec::ScalarKind::kNull:
        return std::nullopt;
      case spec::ScalarKind::kBoolean:
        return boost::json::value(scalar.text == "true");
      case spec::ScalarKind::kInteger:
      case spec::ScalarKind::kNumber: {
        boost::system::error_code ec;
        auto parsed = boost::json::parse(scalar.text, ec);
        if (!ec && parsed.is_number()) return parsed;
        return boost::json::value(scalar.text);
      }
      case spec::ScalarKind::kString:
        return render(scalar.text);
    }
    return std::nullopt;
  }
};

boost::json::value renderJsonTemplate(const boost::json::value& node, const Scope& scope) {
  if (node.is_string()) {
    auto rendered = scope.render(std::string(node.get_string()));
    return rendered ? *rendered : boost::json::value(nullptr);
  }
  if (node.is_array()) {
    boost::json::array out;
    for (const auto& element : node.get_array()) out.push_back(renderJsonTemplate(element, scope));
    return out;
  }
  if (node.is_object()) {
    boost::json::object out;
    for (const auto& [key, element] : node.get_object()) {
      out[key] = renderJsonTemplate(element, scope);
    }
    return out;
  }
  return node;
}

std::string formEncode(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += encodeFormComponent(name);
    out += '=';
    out += encodeFormComponent(value);
  }
  return out;
}

void appendQueryValue(std::vector<std::pair<std::string, std::string>>& query,
                      const std::string& name, const boost::json::value& value) {
  // An array is sent as repeated keys (OpenAPI form style, explode: true).
  if (value.is_array()) {
    for (const auto& element : value.get_array()) query.emplace_back(name, scalarText(element));
    return;
  }
  query.emplace_back(name, scalarText(value));
}

bool hasControlCharacters(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::optional<ArgumentError> buildBody(const CompiledCall& compiled, const Scope& scope,
                                       const boost::json::object& body_fields, UpstreamCall& call) {
  const auto& body = compiled.operation->body;
  if (!body) {
    if (!body_fields.empty()) {
      call.body = toJsonText(body_fields);
      call.headers.emplace_back("Content-Type", "application/json");
    }
    return std::nullopt;
  }
  if (body->type == "raw" || body->type == "text") {
    auto rendered = scope.render(body->data_json);
    call.body = rendered ? scalarText(*rendered) : std::string();
    call.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
    return std::nullopt;
  }
  boost::system::error_code ec;
  const boost::json::value data = boost::json::parse(body->data_json, ec);
  if (ec) return ArgumentError{"body", "the capability's request body is not valid JSON"};
  const boost::json::value rendered = renderJsonTemplate(data, scope);
  if (body->type == "formUrlEncoded" && rendered.is_object()) {
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& [key, value] : rendered.get_object()) {
      if (!value.is_null()) fields.emplace_back(std::string(key), scalarText(value));
    }
    call.body = formEncode(fields);
    call.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    return std::nullopt;
  }
  // TODO(#5): multipartForm bodies are sent as JSON.
  call.body = toJsonText(rendered);
  call.headers.emplace_back("Content-Type", "application/json");
  return std::nullopt;
}

}  // namespace

bool isIdentityPath(std::string_view path) { return path == "$" || path == "$."; }

CompiledCall compileCall(const spec::Document& document, Surface surface,
                         const std::string& adapter_namespace, const std::string& call,
                         const spec::WithMap& with,
                         const std::vector<spec::InputParameter>& declared,
                         const std::vector<std::string>& exposed_path_placeholders,
                         const std::vector<spec::OutputParameter>& outputs, const BindTable& binds,
                         const std::map<std::string, std::string>& upstream_overrides) {
  auto target = spec::findConsumedOperation(document, call);
  if (!target) {
    throw StartupError(adapter_namespace + ": call '" + call + "' names no consumed operation");
  }
  CompiledCall compiled;
  compiled.surface = surface;
  compiled.adapter_namespace = adapter_namespace;
  compiled.consumes = target->consumes;
  compiled.resource = target->resource;
  compiled.operation = target->operation;
  compiled.with = &with;

  auto override_it = upstream_overrides.find(compiled.consumes->namespace_);
  compiled.base_uri =
      override_it != upstream_overrides.end() ? override_it->second : compiled.consumes->base_uri;
  while (compiled.base_uri.ends_with('/')) compiled.base_uri.pop_back();

  collectConsumedParameters(compiled);
  inferParameters(compiled, declared, exposed_path_placeholders);
  compileAuthentication(compiled, binds);
  compileOutputs(compiled, outputs);
  const std::string& raw_format = compiled.operation->output_raw_format;
  compiled.expects_json = raw_format.empty() || raw_format == "json";
  return compiled;
}

BuildResult buildUpstreamCall(const CompiledCall& compiled, const boost::json::object& arguments,
                              const BindTable& binds) {
  BuildResult result;
  boost::json::object upstream;
  const Scope scope{compiled, arguments, binds, upstream};

  // DESIGN.md "Semantics" 2: references copy the caller's value or leave the parameter absent.
  for (const auto& [key, value] : *compiled.with) {
    std::optional<boost::json::value> resolved;
    if (auto reference = spec::withReference(value, compiled.adapter_namespace)) {
      if (const auto* given = arguments.if_contains(*reference)) resolved = *given;
    } else {
      resolved = scope.constant(value);
    }
    if (resolved && !resolved->is_null()) upstream[key] = std::move(*resolved);
  }

  std::vector<std::pair<std::string, std::string>> query = compiled.auth_query;
  UpstreamCall call;
  call.method = compiled.operation->method.empty() ? "GET" : compiled.operation->method;
  std::string cookies;
  boost::json::object body_fields;
  for (const spec::InputParameter* parameter : compiled.consumed_parameters) {
    std::optional<boost::json::value> value;
    if (parameter->value) {
      value = scope.constant(*parameter->value);
    } else if (const auto* fed = upstream.if_contains(parameter->name)) {
      value = *fed;
    } else if (const auto* given = arguments.if_contains(parameter->name)) {
      value = *given;
    } else if (parameter->default_value) {
      value = scope.constant(*parameter->default_value);
    }
    if (!value || value->is_null()) {
      if (parameter->required && parameter->in != "path") {
        result.error =
            ArgumentError{parameter->name, "parameter '" + parameter->name + "' is required"};
        return result;
      }
      continue;
    }
    if (!parameter->type.empty()) {
      auto coerced = coerceValue(*value, parameter->type);
      if (!coerced) {
        result.error = ArgumentError{parameter->name, "parameter '" + parameter->name +
                                                          "' does not fit type " + parameter->type};
        return result;
      }
      value = std::move(coerced);
    }
    const std::string& in = parameter->in;
    if (in == "path") {
      upstream[parameter->name] = *value;
    } else if (in == "header") {
      if (isReservedHeader(parameter->name)) continue;
      std::string text = scalarText(*value);
      // RFC 9110 §5.5: CR, LF and NUL are never valid in a field value (header injection).
      if (hasControlCharacters(text)) {
        result.error = ArgumentError{parameter->name,
                                     "parameter '" + parameter->name + "' contains CR, LF or NUL"};
        return result;
      }
      call.headers.emplace_back(parameter->name, std::move(text));
    } else if (in == "cookie") {
      std::string text = scalarText(*value);
      if (hasControlCharacters(text) || text.find(';') != std::string::npos) {
        result.error = ArgumentError{
            parameter->name, "parameter '" + parameter->name + "' is not a valid cookie value"};
        return result;
      }
      cookies += (cookies.empty() ? "" : "; ") + parameter->name + "=" + text;
    } else if (in == "body") {
      body_fields[parameter->name] = *value;
    } else if (in == "environment") {
      continue;  // resolved into the parameter map only; no wire effect (Naftiko)
    } else {
      appendQueryValue(query, parameter->name, *value);
    }
  }

  // DESIGN.md "Semantics" 1: each placeholder becomes exactly one percent-encoded segment.
  std::string path = compiled.resource->path;
  const auto placeholders = spec::pathPlaceholders(path);
  for (auto it = placeholders.rbegin(); it != placeholders.rend(); ++it) {
    const boost::json::value* value = upstream.if_contains(it->name);
    std::string caller = it->name;
    if (value == nullptr) {
      auto source = compiled.path_sources.find(it->name);
      if (source != compiled.path_sources.end()) caller = source->second;
      value = arguments.if_contains(caller);
    }
    if (value == nullptr || value->is_null()) {
      result.error = ArgumentError{caller, "parameter '" + caller + "' is required"};
      return result;
    }
    const std::string text = scalarText(*value);
    // A '/' would be encoded as %2F, which many servers decode into a second segment
    // ("../imagine"): refused on every surface, as the REST router refuses an encoded one.
    if (text.empty() || text == "." || text == ".." || text.find('/') != std::string::npos) {
      result.error = ArgumentError{
          caller, "parameter '" + caller +
                      "' must not be empty, '.', '..' or contain '/' (it is one path segment)"};
      return result;
    }
    path.replace(it->offset, it->length, encodePathSegment(text));
  }

  call.url = compiled.base_uri + path;
  if (!query.empty()) {
    call.url += call.url.find('?') == std::string::npos ? '?' : '&';
    call.url += formEncode(query);
  }
  if (compiled.expects_json) call.headers.emplace_back("Accept", "application/json");
  for (const auto& header : compiled.auth_headers) call.headers.push_back(header);
  if (!cookies.empty()) call.headers.emplace_back("Cookie", cookies);

  if (auto error = buildBody(compiled, scope, body_fields, call)) {
    result.error = std::move(error);
    return result;
  }
  // RFC 9110 §8.6: a POST without content still announces Content-Length: 0.
  if (!call.body && (call.method == "POST" || call.method == "PUT" || call.method == "PATCH")) {
    call.body = std::string();
  }
  result.call = std::move(call);
  return result;
}

}  // namespace capstan::engine
