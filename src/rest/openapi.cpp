#include "rest/openapi.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <set>
#include <string>

#include "engine/error_kind.hpp"
#include "spec/lookup.hpp"

namespace capstan::rest {

namespace json = boost::json;

namespace {

constexpr const char* kProblemMediaType = "application/problem+json";

// OpenAPI paths use single braces (OpenAPI 3.1 §4.8.8.2); capstan also accepts `{{x}}`.
std::string openApiPath(const std::string& path) {
  std::string out = path;
  const auto placeholders = spec::pathPlaceholders(path);
  for (auto it = placeholders.rbegin(); it != placeholders.rend(); ++it) {
    out.replace(it->offset, it->length, "{" + it->name + "}");
  }
  return out;
}

std::string_view openApiLocation(engine::ParamLocation location) {
  switch (location) {
    case engine::ParamLocation::kPath:
      return "path";
    case engine::ParamLocation::kHeader:
      return "header";
    case engine::ParamLocation::kCookie:
      return "cookie";
    case engine::ParamLocation::kQuery:
    case engine::ParamLocation::kArgument:
      return "query";
    case engine::ParamLocation::kBody:
      return "";
  }
  return "query";
}

json::object parameterSchema(const engine::ParameterInfo& parameter) {
  json::object schema{{"type", parameter.type}};
  // JSON Schema 2020-12 §10.3.1.2: an array schema says what its items are.
  if (parameter.type == "array") schema["items"] = json::object{{"type", "string"}};
  if (parameter.enum_values) {
    json::array values;
    for (const auto& value : *parameter.enum_values) values.emplace_back(value);
    schema["enum"] = std::move(values);
  }
  return schema;
}

json::object outputSchema(const spec::OutputParameter& output) {
  json::object schema;
  if (!output.type.empty()) schema["type"] = output.type;
  if (!output.description.empty()) schema["description"] = output.description;
  if (!output.properties.empty()) {
    json::object properties;
    for (const auto& property : output.properties) {
      properties[property.name.value_or("")] = outputSchema(property);
    }
    schema["properties"] = std::move(properties);
  }
  if (output.type == "array") {
    schema["items"] = output.items.empty() ? json::object{} : outputSchema(output.items.front());
  }
  if (output.max_length && output.type == "string") schema["maxLength"] = *output.max_length;
  return schema;
}

// DESIGN.md "Semantics" 6: the first output parameter shapes the answer; none means the upstream
// JSON passes through.
json::object successSchema(const engine::ExposedOperation& operation) {
  if (operation.rest_operation == nullptr || operation.rest_operation->output_parameters.empty()) {
    return {};
  }
  return outputSchema(operation.rest_operation->output_parameters.front());
}

json::object problemReference(std::string_view description) {
  return json::object{
      {"description", description},
      {"content",
       json::object{
           {kProblemMediaType,
            json::object{{"schema", json::object{{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

// RFC 9457 §3.1 members plus capstan's two extension members.
json::object problemSchema() {
  json::array types;
  for (const auto& info : engine::kErrorTable) {
    if (info.kind == engine::ErrorKind::kNone || info.kind == engine::ErrorKind::kUpstreamStatus) {
      continue;
    }
    types.emplace_back(info.type);
  }
  return json::object{
      {"type", "object"},
      {"description", "RFC 9457 problem details for errors capstan reports itself."},
      {"required", json::array{"type", "title", "status"}},
      {"properties",
       json::object{
           {"type", json::object{{"type", "string"}, {"enum", std::move(types)}}},
           {"title", json::object{{"type", "string"}}},
           {"status", json::object{{"type", "integer"}}},
           {"detail", json::object{{"type", "string"}}},
           {"instance", json::object{{"type", "string"}}},
           {"parameter", json::object{{"type", "string"},
                                      {"description", "The request parameter that was refused."}}},
           {"requestId",
            json::object{{"type", "integer"},
                         {"description", "Identifier of the request in capstan's access log."}}},
       }}};
}

std::optional<json::object> securityScheme(const spec::Authentication& auth) {
  if (auth.type == "bearer") return json::object{{"type", "http"}, {"scheme", "bearer"}};
  if (auth.type == "basic") return json::object{{"type", "http"}, {"scheme", "basic"}};
  if (auth.type == "apikey") {
    return json::object{{"type", "apiKey"},
                        {"name", auth.key},
                        {"in", auth.placement == "query" ? "query" : "header"}};
  }
  return std::nullopt;
}

json::object requestBody(const engine::ExposedOperation& operation) {
  json::object properties;
  json::array required;
  for (const auto& parameter : operation.parameters) {
    if (parameter.location != engine::ParamLocation::kBody) continue;
    json::object schema = parameterSchema(parameter);
    if (!parameter.description.empty()) schema["description"] = parameter.description;
    properties[parameter.name] = std::move(schema);
    if (parameter.required) required.emplace_back(parameter.name);
  }
  json::object schema{{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) schema["required"] = std::move(required);
  return json::object{
      {"required", !required.empty()},
      {"content", json::object{{"application/json", json::object{{"schema", std::move(schema)}}}}}};
}

// operationIds must be unique in the document (OpenAPI 3.1 §4.8.10.1); the resource name
// disambiguates two operations that share a name.
std::string operationIdFor(const engine::ExposedOperation& operation,
                           std::set<std::string>& taken) {
  std::string id = operation.name.empty() ? operation.method + operation.path : operation.name;
  if (taken.contains(id) && operation.rest_resource != nullptr) {
    id = operation.rest_resource->name + "-" + id;
  }
  const std::string base = id;
  for (int n = 2; taken.contains(id); ++n) id = base + "-" + std::to_string(n);
  taken.insert(id);
  return id;
}

std::string lowerAscii(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

json::object operationObject(const engine::ExposedOperation& operation, bool secured,
                             std::set<std::string>& operation_ids) {
  json::object out;
  out["operationId"] = operationIdFor(operation, operation_ids);
  const std::string summary = operation.rest_operation && !operation.rest_operation->label.empty()
                                  ? operation.rest_operation->label
                                  : operation.description;
  if (!summary.empty()) out["summary"] = summary;
  if (!operation.description.empty()) out["description"] = operation.description;
  out["tags"] = json::array{operation.adapter_namespace};

  json::array parameters;
  bool has_body = false;
  for (const auto& parameter : operation.parameters) {
    const std::string_view in = openApiLocation(parameter.location);
    if (in.empty()) {
      has_body = true;
      continue;
    }
    json::object entry{{"name", parameter.name},
                       {"in", in},
                       // OpenAPI 3.1 §4.8.12.1: path parameters are always required.
                       {"required", in == "path" || parameter.required},
                       {"schema", parameterSchema(parameter)}};
    if (!parameter.description.empty()) entry["description"] = parameter.description;
    if (parameter.type == "array" && in == "query") {
      entry["style"] = "form";
      entry["explode"] = true;
    }
    parameters.push_back(std::move(entry));
  }
  if (!parameters.empty()) out["parameters"] = std::move(parameters);
  if (has_body) out["requestBody"] = requestBody(operation);

  json::object success{{"description", "The upstream's answer, shaped by the outputParameters."}};
  success["content"] =
      json::object{{"application/json", json::object{{"schema", successSchema(operation)}}}};
  json::object responses;
  responses["200"] = std::move(success);
  responses["400"] = json::object{{"$ref", "#/components/responses/BadRequest"}};
  if (secured) responses["401"] = json::object{{"$ref", "#/components/responses/Unauthorized"}};
  responses["502"] = json::object{{"$ref", "#/components/responses/BadGateway"}};
  responses["504"] = json::object{{"$ref", "#/components/responses/GatewayTimeout"}};
  // DESIGN.md "Semantics" 7: any other upstream status is relayed with the upstream's body.
  responses["default"] = json::object{
      {"description", "An upstream error status, relayed with the upstream's body."},
      {"content", json::object{{"application/json", json::object{{"schema", json::object{}}}}}}};
  out["responses"] = std::move(responses);
  return out;
}

}  // namespace

json::object openApiFor(const spec::Document& document, const spec::RestAdapter& adapter,
                        const std::vector<const engine::ExposedOperation*>& operations) {
  json::object info{
      {"title", document.info.label.empty() ? adapter.namespace_ : document.info.label},
      {"version", document.info.modified.empty() ? std::string("0.0.0") : document.info.modified}};
  const std::string& description =
      adapter.description.empty() ? document.info.description : adapter.description;
  if (!description.empty()) info["description"] = description;

  const std::string host = adapter.address.value_or("localhost");
  json::object root{
      {"openapi", "3.1.0"},
      {"info", std::move(info)},
      {"servers",
       json::array{json::object{{"url", "http://" + host + ":" + std::to_string(adapter.port)},
                                {"description", "capstan serve (the capability's own port)"}}}},
      {"tags", json::array{json::object{
                   {"name", adapter.namespace_},
                   {"description", adapter.description.empty() ? std::string("REST adapter")
                                                               : adapter.description}}}}};

  std::optional<json::object> scheme;
  if (adapter.authentication) scheme = securityScheme(*adapter.authentication);

  json::object paths;
  std::set<std::string> operation_ids;
  for (const auto* operation : operations) {
    const std::string key = openApiPath(operation->path);
    if (!paths.contains(key)) paths[key] = json::object{};
    paths[key].as_object()[lowerAscii(operation->method)] =
        operationObject(*operation, scheme.has_value(), operation_ids);
  }
  root["paths"] = std::move(paths);

  json::object responses{
      {"BadRequest", problemReference("A parameter is missing, malformed or of the wrong type.")},
      {"BadGateway", problemReference("The upstream could not be reached or answered "
                                      "something that is not HTTP or not JSON.")},
      {"GatewayTimeout", problemReference("The upstream did not answer within the deadline.")}};
  json::object components{{"schemas", json::object{{"Problem", problemSchema()}}}};
  if (scheme) {
    responses["Unauthorized"] = problemReference("Missing or wrong credentials.");
    components["securitySchemes"] = json::object{{"inbound", std::move(*scheme)}};
    root["security"] = json::array{json::object{{"inbound", json::array{}}}};
  }
  components["responses"] = std::move(responses);
  root["components"] = std::move(components);
  return root;
}

}  // namespace capstan::rest
