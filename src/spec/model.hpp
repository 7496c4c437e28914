// Typed model of a Naftiko capability document (naftiko 1.0.0-alpha1, -alpha2, -alpha3).
//
// Plain, copyable structs with no dependency on the YAML library. Every node records where it
// came from: `pos` (file, 1-based line and column) and `pointer` (RFC 6901 JSON pointer into the
// document, e.g. "/capability/exposes/0/resources/1"). Field names follow the Naftiko schema,
// spelled in snake_case (`baseUri` -> `base_uri`, `inputParameters` -> `input_parameters`).
//
// An absent optional string field is an empty std::string unless the distinction matters, in
// which case it is a std::optional.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace capstan::spec {

struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
};

// A YAML scalar kept as written, with the type YAML resolution gives it (core schema: unquoted
// true/false are booleans, unquoted integers and floats are numbers, everything else a string).
enum class ScalarKind { kString, kInteger, kNumber, kBoolean, kNull };

struct Scalar {
  ScalarKind kind = ScalarKind::kString;
  std::string text;  // the scalar as written (unquoted), e.g. "rest.status", "10", "true"
  SourcePos pos;
  std::string pointer;
};

// A `with` value: `rest.X` / `tools.X` / `<ns>.X` references, Mustache templates, or constants.
using WithValue = Scalar;
// `with:` mapping in document order: (upstream parameter name, value).
using WithMap = std::vector<std::pair<std::string, WithValue>>;

struct Person {
  std::string role;
  std::string full_name;
  std::string email;
  SourcePos pos;
  std::string pointer;
};

struct Info {
  std::string label;
  std::string description;
  std::vector<std::string> tags;
  std::string created;   // YYYY-MM-DD as written
  std::string modified;  // YYYY-MM-DD as written
  std::vector<Person> stakeholders;
  SourcePos pos;
  std::string pointer;
};

// `binds[]`: VARIABLE (as used in `{{ns.VARIABLE}}` / `{{VARIABLE}}`) -> provider key (the name of
// the environment variable, or the key in the `location` file).
struct Bind {
  std::string namespace_;
  std::string description;
  std::optional<std::string> location;  // e.g. "file:///./secrets.yaml"; absent = environment
  std::vector<std::pair<std::string, std::string>> keys;
  std::vector<SourcePos> key_pos;  // parallel to `keys`: where each key is written
  SourcePos pos;
  std::string pointer;
};

// Consumed-side (`in`: query|header|path|cookie|body|environment), exposed REST
// (`in`: query|header|path|cookie|body) and MCP tool (no `in`) input parameters share this type.
struct InputParameter {
  std::string name;
  std::string in;    // empty for MCP tool parameters
  std::string type;  // string|number|integer|boolean|array|object; empty when not declared
  std::string description;
  bool required = false;           // explicit `required`, or true for `in: path`; MCP default true
  bool required_declared = false;  // `required` was written in the file
  std::optional<std::vector<std::string>> enum_values;  // `enum`
  std::optional<Scalar> default_value;                  // `default`
  std::optional<Scalar> value;                          // static value or template (`value`)
  std::optional<std::string> pattern;                   // exposed side only
  SourcePos pos;
  std::string pointer;
};

struct OutputParameter {
  std::optional<std::string> name;     // list entries may be named; property entries always are
  std::string type;                    // string|number|integer|boolean|object|array
  std::optional<std::string> mapping;  // JSONPath (exposed side)
  std::optional<Scalar> value;         // consumed side: JSONPath; exposed side: static value
  std::optional<Scalar> const_value;   // `const` (scalars only; non-scalar consts are dropped)
  std::string description;
  std::vector<OutputParameter> properties;  // `type: object`, in document order
  bool has_properties = false;              // `properties` was written (possibly empty)
  std::vector<OutputParameter> items;       // `type: array`: zero or one element
  std::optional<int> max_length;            // `maxLength`
  SourcePos pos;
  std::string pointer;
};

struct Authentication {
  std::string type;       // bearer|apikey|basic|digest|oauth2
  std::string token;      // bearer
  std::string key;        // apikey: header or query parameter name
  std::string value;      // apikey
  std::string placement;  // apikey: header|query
  std::string username;   // basic, digest
  std::string password;   // basic, digest
  SourcePos pos;
  std::string pointer;
};

// `body` of a consumed operation. `type` is json|text|formUrlEncoded|multipartForm, or "raw" for a
// plain string body. `data_json` is `data` re-encoded as JSON text (for raw: the string itself).
struct RequestBody {
  std::string type;
  std::string data_json;
  SourcePos pos;
  std::string pointer;
};

struct Operation {
  std::string name;
  std::string label;
  std::string method;  // upper case as written
  std::string description;
  std::string output_raw_format;  // empty when not written (json assumed)
  std::vector<InputParameter> input_parameters;
  std::vector<OutputParameter> output_parameters;
  std::optional<RequestBody> body;
  SourcePos pos;
  std::string pointer;
};

struct Resource {
  std::string name;
  std::string label;
  std::string path;
  std::string description;
  std::vector<InputParameter> input_parameters;
  std::vector<Operation> operations;
  SourcePos pos;
  std::string pointer;
};

// Where an imported consumes entry came from (`location` / `import` / `as`).
struct ConsumesImport {
  std::string location;          // as written
  std::filesystem::path file;    // resolved against the capability file's directory
  std::string import_namespace;  // `import`
  std::string alias;             // `as`; empty when absent
  SourcePos pos;
  std::string pointer;
};

struct ConsumedHttp {
  std::string namespace_;  // the local name (`as` for imports)
  std::string base_uri;
  std::string description;
  std::vector<Resource> resources;
  std::optional<Authentication> authentication;
  std::vector<InputParameter> input_parameters;  // adapter level (headers etc.)
  std::optional<ConsumesImport> imported;        // set when the entry was an import
  SourcePos pos;
  std::string pointer;
};

struct RestOperation {
  std::string method;
  std::string name;
  std::string label;
  std::string description;
  std::string call;  // "namespace.operation"; empty when absent
  SourcePos call_pos;
  WithMap with;
  std::vector<InputParameter> input_parameters;
  std::vector<OutputParameter> output_parameters;
  SourcePos pos;
  std::string pointer;
};

struct RestResource {
  std::string path;
  std::string name;
  std::string label;
  std::string description;
  std::vector<InputParameter> input_parameters;
  std::vector<RestOperation> operations;
  SourcePos pos;
  std::string pointer;
};

struct RestAdapter {
  std::string namespace_;
  int port = 0;
  std::optional<std::string> address;
  std::string description;
  std::optional<Authentication> authentication;  // inbound
  std::vector<RestResource> resources;
  SourcePos pos;
  std::string pointer;
};

struct McpToolHints {
  std::optional<bool> read_only;
  std::optional<bool> destructive;
  std::optional<bool> idempotent;
  std::optional<bool> open_world;
};

struct McpTool {
  std::string name;
  std::string label;  // MCP `title`
  std::string description;
  McpToolHints hints;
  std::string call;  // "namespace.operation"; empty when absent
  SourcePos call_pos;
  WithMap with;
  std::vector<InputParameter> input_parameters;  // `in` is empty
  std::vector<OutputParameter> output_parameters;
  SourcePos pos;
  std::string pointer;
};

struct McpAdapter {
  std::string namespace_;
  std::optional<int> port;  // required for transport http
  std::optional<std::string> address;
  std::string transport = "http";  // http|stdio
  std::string description;
  std::optional<Authentication> authentication;
  std::vector<McpTool> tools;
  SourcePos pos;
  std::string pointer;
};

struct ControlAdapter {
  int port = 0;
  std::optional<std::string> address;
  SourcePos pos;
  std::string pointer;
};

// A construct that was parsed but that capstan does not run yet: `serve` refuses the document
// with `message` at `pos`. `feature` is a stable short name: "skill", "aggregates", "steps",
// "script", "lookup", "ref", "mappings", "forward", "mcp-resources", "mcp-prompts",
// "output-raw-format", "oauth2", "body", "exposed-auth", "binds-location", "stdio-transport", ...
struct UnsupportedFeature {
  std::string feature;
  std::string message;
  SourcePos pos;
  std::string pointer;
};

struct Capability {
  std::vector<ConsumedHttp> consumes;
  std::vector<RestAdapter> rest;
  std::vector<McpAdapter> mcp;
  std::vector<ControlAdapter> control;
  std::vector<UnsupportedFeature> unsupported;
  SourcePos pos;
  std::string pointer;
};

struct Document {
  std::string naftiko_version;  // "1.0.0-alpha1" | "1.0.0-alpha2" | "1.0.0-alpha3"
  Info info;
  std::vector<Bind> binds;  // root `binds` (capability.binds are merged in after them)
  Capability capability;
  std::vector<ConsumedHttp> shared_consumes;  // root-level `consumes` (shared consumes files)
  std::filesystem::path source_file;
};

}  // namespace capstan::spec
