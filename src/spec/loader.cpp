// YAML -> model. The walk reports type errors, missing and unknown keys, duplicate keys and the
// constructs the official schema rejects; checks.cpp then checks the finished model as a whole.
#include "spec/loader.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <regex>
#include <set>
#include <span>
#include <sstream>

#include "spec/load_context.hpp"
#include "support/json_text.hpp"

namespace capstan::spec {
namespace {

using detail::LoadContext;

// Naftiko dialects capstan reads. alpha2 and alpha3 differ only in the version constant.
constexpr std::array<std::string_view, 3> kVersions = {"1.0.0-alpha1", "1.0.0-alpha2",
                                                       "1.0.0-alpha3"};
// Output parameters and imports nest; deeper documents are refused rather than risking the stack.
constexpr int kMaxDepth = 48;
constexpr int kMaxImportDepth = 8;
// Aliases can make a small file expand into a huge tree; the duplicate-key walk stops here.
constexpr long kMaxVisitedNodes = 2'000'000;
constexpr long kMaxOutputParameters = 10'000;
constexpr std::size_t kMaxBodyJson = 1 << 20;

// A key an object accepts. `since` is the first alpha whose schema defines it; `extension` marks a
// key capstan reads although the official schema forbids it there.
struct KeySpec {
  std::string_view name;
  int since = 1;
  bool extension = false;
};
using Keys = std::span<const KeySpec>;

constexpr KeySpec kRootKeys[] = {{"naftiko"}, {"info"}, {"consumes"}, {"binds"}, {"capability"}};
constexpr KeySpec kInfoKeys[] = {{"label"},   {"description"}, {"tags"},
                                 {"created"}, {"modified"},    {"stakeholders"}};
constexpr KeySpec kPersonKeys[] = {{"role"}, {"fullName"}, {"email"}};
constexpr KeySpec kBindKeys[] = {{"namespace"}, {"description"}, {"location"}, {"keys"}};
constexpr KeySpec kCapabilityKeys[] = {{"binds"}, {"exposes"}, {"consumes"}, {"aggregates", 2}};
constexpr KeySpec kConsumesKeys[] = {
    {"namespace"},       {"type"},           {"description"}, {"baseUri"},
    {"inputParameters"}, {"authentication"}, {"resources"}};
constexpr KeySpec kImportKeys[] = {{"location"}, {"import"}, {"as"}, {"description", 2}};
constexpr KeySpec kResourceKeys[] = {{"name"}, {"label"},           {"description"},
                                     {"path"}, {"inputParameters"}, {"operations"}};
constexpr KeySpec kOperationKeys[] = {{"name"},
                                      {"label"},
                                      {"description"},
                                      {"method"},
                                      {"inputParameters"},
                                      {"outputRawFormat"},
                                      {"outputSchema", 2},
                                      {"outputParameters"},
                                      {"body"}};
constexpr KeySpec kConsumedInputKeys[] = {{"name"},
                                          {"in"},
                                          {"value"},
                                          {"type", 1, true},
                                          {"description", 1, true},
                                          {"required", 1, true},
                                          {"enum", 1, true},
                                          {"default", 1, true}};
constexpr KeySpec kExposedInputKeys[] = {{"name"},
                                         {"in"},
                                         {"type"},
                                         {"description"},
                                         {"pattern"},
                                         {"value"},
                                         {"required", 1, true},
                                         {"enum", 1, true},
                                         {"default", 1, true}};
constexpr KeySpec kToolInputKeys[] = {{"name"},
                                      {"type"},
                                      {"description"},
                                      {"required"},
                                      {"enum", 1, true},
                                      {"default", 1, true},
                                      {"pattern", 1, true}};
constexpr KeySpec kConsumedOutputKeys[] = {{"name"},
                                           {"type"},
                                           {"value"},
                                           {"mapping", 1, true},
                                           {"description", 1, true},
                                           {"properties", 1, true},
                                           {"items", 1, true},
                                           {"maxLength", 1, true}};
constexpr KeySpec kExposedOutputKeys[] = {{"name"},
                                          {"type"},
                                          {"mapping"},
                                          {"const"},
                                          {"value", 2},
                                          {"properties"},
                                          {"items"},
                                          {"description", 1, true},
                                          {"maxLength", 1, true}};
constexpr KeySpec kRestKeys[] = {{"type"},
                                 {"address"},
                                 {"port"},
                                 {"namespace"},
                                 {"authentication"},
                                 {"resources"},
                                 {"description", 1, true}};
constexpr KeySpec kRestResourceKeys[] = {{"label"},           {"description"}, {"path"},   {"name"},
                                         {"inputParameters"}, {"operations"},  {"forward"}};
constexpr KeySpec kRestOperationKeys[] = {
    {"name"}, {"label"}, {"description"},      {"method"}, {"inputParameters"}, {"ref", 2},
    {"call"}, {"with"},  {"outputParameters"}, {"steps"},  {"mappings"}};
constexpr KeySpec kMcpKeys[] = {{"type"},      {"transport"},   {"address"},           {"port"},
                                {"namespace"}, {"description"}, {"authentication", 2}, {"tools"},
                                {"resources"}, {"prompts"}};
constexpr KeySpec kToolKeys[] = {
    {"name"}, {"label"}, {"description"}, {"inputParameters"}, {"ref", 2},          {"call"},
    {"with"}, {"steps"}, {"mappings"},    {"hints", 2},        {"outputParameters"}};
constexpr KeySpec kHintKeys[] = {{"readOnly"}, {"destructive"}, {"idempotent"}, {"openWorld"}};
constexpr KeySpec kControlKeys[] = {{"type"},           {"address"},    {"port"},
                                    {"authentication"}, {"management"}, {"observability"}};
constexpr KeySpec kBodyKeys[] = {{"type"}, {"data"}};
constexpr KeySpec kAuthCommonKeys[] = {{"type"}};
constexpr KeySpec kAuthBasicKeys[] = {{"type"}, {"username"}, {"password"}};
constexpr KeySpec kAuthApiKeyKeys[] = {{"type"}, {"key"}, {"value"}, {"placement"}};
constexpr KeySpec kAuthBearerKeys[] = {{"type"}, {"token"}};
constexpr KeySpec kAuthOAuth2Keys[] = {
    {"type"},     {"authorizationServerUri"}, {"resource"},       {"scopes"},
    {"audience"}, {"tokenEndpoint"},          {"tokenValidation"}};

const std::set<std::string_view> kInputLocations = {"query",  "header", "path",
                                                    "cookie", "body",   "environment"};
const std::set<std::string_view> kExposedInputLocations = {"query", "header", "path", "cookie",
                                                           "body"};
const std::set<std::string_view> kParameterTypes = {"string",  "number", "integer",
                                                    "boolean", "array",  "object"};
const std::set<std::string_view> kOutputTypes = {"string", "number", "boolean", "object", "array"};
const std::set<std::string_view> kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
const std::set<std::string_view> kRawFormats = {"json", "xml", "avro", "protobuf", "csv",
                                                "tsv",  "psv", "yaml", "html",     "markdown"};
const std::set<std::string_view> kBodyTypes = {"json",   "text",           "xml",
                                               "sparql", "formUrlEncoded", "multipartForm"};

std::string escapePointerToken(std::string_view token) {
  std::string escaped;
  for (char c : token) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

std::string child(const std::string& pointer, std::string_view key) {
  return pointer + '/' + escapePointerToken(key);
}
std::string child(const std::string& pointer, std::size_t index) {
  return pointer + '/' + std::to_string(index);
}

std::string backticked(std::string_view text) { return '`' + std::string(text) + '`'; }

std::string joinQuoted(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    if (!joined.empty()) joined += ", ";
    joined += backticked(name);
  }
  return joined;
}

bool matches(const std::string& text, const char* pattern) {
  return std::regex_match(text, std::regex(pattern));
}

// YAML 1.2 core schema resolution of a plain scalar.
ScalarKind plainScalarKind(const std::string& text) {
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") {
    return ScalarKind::kNull;
  }
  if (text == "true" || text == "True" || text == "TRUE" || text == "false" || text == "False" ||
      text == "FALSE") {
    return ScalarKind::kBoolean;
  }
  static const std::regex kInteger("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  if (std::regex_match(text, kInteger)) return ScalarKind::kInteger;
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|"
      "NAN)");
  if (std::regex_match(text, kFloat)) return ScalarKind::kNumber;
  return ScalarKind::kString;
}

ScalarKind scalarKind(const YAML::Node& node) {
  if (node.IsNull()) return ScalarKind::kNull;
  const std::string& tag = node.Tag();
  if (tag == "?") return plainScalarKind(node.Scalar());
  if (tag == "tag:yaml.org,2002:int") return ScalarKind::kInteger;
  if (tag == "tag:yaml.org,2002:float") return ScalarKind::kNumber;
  if (tag == "tag:yaml.org,2002:bool") return ScalarKind::kBoolean;
  if (tag == "tag:yaml.org,2002:null") return ScalarKind::kNull;
  return ScalarKind::kString;
}

std::string describeNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Sequence:
      return "a sequence";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return "null";
    case YAML::NodeType::Scalar:
      break;
  }
  switch (scalarKind(node)) {
    case ScalarKind::kInteger:
      return "an integer";
    case ScalarKind::kNumber:
      return "a number";
    case ScalarKind::kBoolean:
      return "a boolean";
    case ScalarKind::kNull:
      return "null";
    case ScalarKind::kString:
      break;
  }
  return "a string";
}

// One key/value pair of a mapping, with the key as text.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// A mapping node whose keys have been checked.
struct Object {
  std::vector<Entry> entries;
  std::string pointer;
  SourcePos pos;
  std::string what;

  const Entry* find(std::string_view key) const {
    for (const Entry& entry : entries) {
      if (entry.key == key) return &entry;
    }
    return nullptr;
  }
  bool has(std::string_view key) const { return find(key) != nullptr; }
};

// Reads one YAML file of the document (the capability or an imported consumes file).
class FileReader {
 public:
  FileReader(LoadContext& context, std::string file, int version)
      : context_(context), file_(std::move(file)), version_(version) {}

  const std::string& file() const { return file_; }
  int version() const { return version_; }
  void setVersion(int version) { version_ = version; }
  LoadContext& context() { return context_; }

  SourcePos pos(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    return SourcePos{file_, mark.line < 0 ? 0 : mark.line + 1,
                     mark.column < 0 ? 0 : mark.column + 1};
  }
  // Null values produced by `key:` carry no usable mark: use the key's.
  SourcePos valuePos(const Entry& entry) const {
    return entry.value.IsNull() ? pos(entry.key_node) : pos(entry.value);
  }

  void error(const SourcePos& at, const std::string& pointer, std::string message,
             std::string code) {
    context_.error(at, pointer, std::move(message), std::move(code));
  }

  std::optional<Object> object(const YAML::Node& node, const SourcePos& at,
                               const std::string& pointer, std::string what, Keys keys) {
    if (!node.IsMap()) {
      error(at, pointer, "expected a mapping (" + what + "), found " + describeNode(node),
            "wrong-type");
      return std::nullopt;
    }
    Object object{{}, pointer, at, std::move(what)};
    context_.rememberPos(at, pointer);
    for (auto it = node.begin(); it != node.end(); ++it) {
      // Copies: yaml-cpp iterators hand out temporaries, a reference to `it->first` dangles.
      const YAML::Node key = it->first;
      if (!key.IsScalar()) {
        error(pos(key), pointer, "mapping keys must be strings, found " + describeNode(key),
              "wrong-type");
        continue;
      }
      Entry entry{key.Scalar(), key, it->second};
      context_.rememberPos(valuePos(entry), child(pointer, entry.key));
      if (!keys.empty()) checkKey(object, entry, keys);  // an empty table: free-form keys
      object.entries.push_back(std::move(entry));
    }
    return object;
  }

  std::optional<Object> objectField(const Object& parent, std::string_view key, std::string what,
                                    Keys keys, bool required = false) {
    const Entry* entry = field(parent, key, required);
    if (entry == nullptr) return std::nullopt;
    return object(entry->value, valuePos(*entry), child(parent.pointer, key), std::move(what),
                  keys);
  }

  const Entry* field(const Object& parent, std::string_view key, bool required) {
    const Entry* entry = parent.find(key);
    if (entry == nullptr && required) {
      error(parent.pos, parent.pointer,
            "missing required field " + backticked(key) + " in " + parent.what, "missing-field");
    }
    return entry;
  }

  std::optional<Scalar> scalar(const Object& parent, std::string_view key, bool required) {
    const Entry* entry = field(parent, key, required);
    if (entry == nullptr) return std::nullopt;
    const std::string pointer = child(parent.pointer, key);
    if (!entry->value.IsScalar() && !entry->value.IsNull()) {
      error(valuePos(*entry), pointer, "expected a scalar, found " + describeNode(entry->value),
            "wrong-type");
      return std::nullopt;
    }
    const ScalarKind kind = scalarKind(entry->value);
    return Scalar{kind, kind == ScalarKind::kNull ? "" : entry->value.Scalar(), valuePos(*entry),
                  pointer};
  }

  std::optional<std::string> string(const Object& parent, std::string_view key,
                                    bool required = false) {
    std::optional<Scalar> value = scalar(parent, key, required);
    if (!value) return std::nullopt;
    if (value->kind == ScalarKind::kNull) {
      error(value->pos, value->pointer, "expected a string, found null", "wrong-type");
      return std::nullopt;
    }
    if (value->kind != ScalarKind::kString) {
      const Entry* entry = parent.find(key);
      context_.divergence(value->pos, value->pointer,
                          "expected a string, found " + describeNode(entry->value) + " (quote it)",
                          "wrong-type", false);
    }
    return value->text;
  }

  std::string optionalString(const Object& parent, std::string_view key) {
    return string(parent, key).value_or("");
  }

  std::optional<long long> integer(const Object& parent, std::string_view key,
                                   bool required = false) {
    std::optional<Scalar> value = scalar(parent, key, required);
    if (!value) return std::nullopt;
    if (value->kind != ScalarKind::kInteger) {
      error(value->pos, value->pointer,
            "expected an integer, found " + describeNode(parent.find(key)->value), "wrong-type");
      return std::nullopt;
    }
    try {
      return std::stoll(value->text, nullptr, 0);
    } catch (const std::exception&) {
      error(value->pos, value->pointer, "integer out of range", "wrong-type");
      return std::nullopt;
    }
  }

  std::optional<bool> boolean(const Object& parent, std::string_view key) {
    std::optional<Scalar> value = scalar(parent, key, false);
    if (!value) return std::nullopt;
    if (value->kind != ScalarKind::kBoolean) {
      error(value->pos, value->pointer,
            "expected a boolean, found " + describeNode(parent.find(key)->value), "wrong-type");
      return std::nullopt;
    }
    return value->text[0] == 't' || value->text[0] == 'T';
  }

  // The value of `key` if it is a sequence (an error otherwise). Empty sequences are accepted
  // but, where the schema asks for at least one item, reported as a divergence.
  const Entry* sequence(const Object& parent, std::string_view key, bool required = false,
                        bool non_empty = false) {
    const Entry* entry = field(parent, key, required);
    if (entry == nullptr) return nullptr;
    const std::string pointer = child(parent.pointer, key);
    if (!entry->value.IsSequence()) {
      error(valuePos(*entry), pointer, "expected a sequence, found " + describeNode(entry->value),
            "wrong-type");
      return nullptr;
    }
    if (non_empty && entry->value.size() == 0) {
      context_.divergence(
          valuePos(*entry), pointer,
          backticked(key) + " is empty; the Naftiko schema requires at least one item",
          "empty-list", false);
    }
    return entry;
  }

  // Reports a value outside an enumeration; returns whether it was inside.
  bool checkEnum(const Object& parent, std::string_view key, const std::string& value,
                 const std::set<std::string_view>& allowed) {
    if (allowed.count(value) != 0) return true;
    std::vector<std::string> names(allowed.begin(), allowed.end());
    std::string message = backticked(value) + " is not a valid value for " + backticked(key) +
                          " (expected " + joinQuoted(names) + ")";
    if (std::string suggestion = detail::closestMatch(value, names); !suggestion.empty()) {
      message += "; did you mean " + backticked(suggestion) + "?";
    }
    const std::string pointer = child(parent.pointer, key);
    error(context_.posOf(parent.pos, pointer), pointer, message, "invalid-value");
    return false;
  }

  // A pattern the official schema imposes but capstan does not need.
  void checkPattern(const SourcePos& at, const std::string& pointer, const std::string& value,
                    const char* pattern, std::string_view rule) {
    if (matches(value, pattern)) return;
    context_.divergence(at, pointer,
                        backticked(value) + " does not match the Naftiko schema's " +
                            std::string(rule) + " pattern " + pattern,
                        "pattern", false);
  }
  void checkPattern(const Object& parent, std::string_view key, const std::string& value,
                    const char* pattern, std::string_view rule) {
    const std::string pointer = child(parent.pointer, key);
    checkPattern(context_.posOf(parent.pos, pointer), pointer, value, pattern, rule);
  }

 private:
  void checkKey(const Object& object, const Entry& entry, Keys keys) {
    const std::string pointer = child(object.pointer, entry.key);
    for (const KeySpec& spec : keys) {
      if (spec.name != entry.key) continue;
      if (spec.extension) {
        context_.divergence(pos(entry.key_node), pointer,
                            backticked(entry.key) + " is a capstan extension: the Naftiko " +
                                std::string(kVersions[version_ - 1]) +
                                " schema does not allow it in " + object.what,
                            "extension-key", false);
      } else if (spec.since > version_) {
        context_.divergence(pos(entry.key_node), pointer,
                            backticked(entry.key) + " in " + object.what + " needs naftiko " +
                                std::string(kVersions[spec.since - 1]) + " or later",
                            "extension-key", true);
      }
      return;
    }
    std::vector<std::string> names;
    for (const KeySpec& spec : keys) names.emplace_back(spec.name);
    std::string message = "unknown key " + backticked(entry.key) + " in " + object.what;
    if (std::string suggestion = detail::closestMatch(entry.key, names); !suggestion.empty()) {
      message += "; did you mean " + backticked(suggestion) + "?";
    }
    if (context_.strict()) {
      error(pos(entry.key_node), pointer, message + " [--strict]", "unknown-key");
    } else {
      context_.warning(pos(entry.key_node), pointer, message + " (ignored)", "unknown-key");
    }
  }

  LoadContext& context_;
  std::string file_;
  int version_;
};

// Walks the YAML of a whole document and builds the model.
class DocumentBuilder {
 public:
  DocumentBuilder(LoadContext& context, std::filesystem::path path, std::filesystem::path dir)
      : context_(context), path_(std::move(path)), dir_(std::move(dir)) {}

  std::optional<Document> build(const YAML::Node& root, FileReader& reader);

 private:
  void unsupported(const SourcePos& at, const std::string& pointer, std::string feature,
                   const std::string& what) {
    const std::string message =
        what + " is not supported yet by capstan: `capstan serve` refuses this document";
    context_.warning(at, pointer, message, "unsupported");
    document_.capability.unsupported.push_back(
        UnsupportedFeature{std::move(feature), message, at, pointer});
  }

  void readInfo(const Object& root, FileReader& reader);
  void readBinds(const Object& parent, FileReader& reader);
  void readConsumesList(const Object& parent, FileReader& reader, std::vector<ConsumedHttp>& out,
                        int import_depth);
  std::optional<ConsumedHttp> readConsumes(const YAML::Node& node, const SourcePos& at,
                                           const std::string& pointer, FileReader& reader,
                                           int import_depth);
  std::optional<ConsumedHttp> readImport(const Object& object, FileReader& reader,
                                         int import_depth);
  std::optional<Resource> readResource(const YAML::Node& node, const SourcePos& at,
                                       const std::string& pointer, FileReader& reader);
  std::optional<Operation> readOperation(const YAML::Node& node, const SourcePos& at,
                                         const std::string& pointer, FileReader& reader);
  std::optional<RequestBody> readBody(const Entry& entry, const std::string& pointer,
                                      FileReader& reader);
  std::vector<InputParameter> readInputs(const Object& parent, FileReader& reader, Keys keys,
                                         const std::set<std::string_view>* locations, bool exposed);
  std::vector<OutputParameter> readOutputs(const Object& parent, FileReader& reader, bool exposed);
  std::optional<OutputParameter> readOutput(const YAML::Node& node, const SourcePos& at,
                                            const std::string& pointer, FileReader& reader,
                                            bool exposed, bool is_property, int depth);
  std::optional<Authentication> readAuthentication(const Object& parent, FileReader& reader,
                                                   bool inbound);
  WithMap readWith(const Object& parent, FileReader& reader);
  void readExposes(const Object& capability, FileReader& reader);
  std::optional<RestAdapter> readRest(const Object& object, FileReader& reader);
  std::optional<RestResource> readRestResource(const YAML::Node& node, const SourcePos& at,
                                               const std::string& pointer, FileReader& reader);
  std::optional<RestOperation> readRestOperation(const YAML::Node& node, const SourcePos& at,
                                                 const std::string& pointer, FileReader& reader);
  std::optional<McpAdapter> readMcp(const Object& object, FileReader& reader);
  std::optional<McpTool> readTool(const YAML::Node& node, const SourcePos& at,
                                  const std::string& pointer, FileReader& reader);
  std::optional<ControlAdapter> readControl(const Object& object, FileReader& reader);
  void readCallModes(const Object& object, FileReader& reader, bool has_call,
                     const std::string& what);
  std::optional<int> readPort(const Object& object, FileReader& reader, bool required);
  std::optional<std::string> readAddress(const Object& object, FileReader& reader);

  LoadContext& context_;
  std::filesystem::path path_;
  std::filesystem::path dir_;
  Document document_;
  long outputs_read_ = 0;
};

// Iterates a sequence field, calling `visit(item, pos, pointer)` for each element.
template <typename Visit>
void forEachItem(const Entry* entry, const std::string& pointer, FileReader& reader,
                 Visit&& visit) {
  if (entry == nullptr) return;
  std::size_t index = 0;
  for (const YAML::Node& item : entry->value) {
    const std::string item_pointer = child(pointer, index++);
    const SourcePos at = item.IsNull() ? reader.pos(entry->key_node) : reader.pos(item);
    reader.context().rememberPos(at, item_pointer);
    visit(item, at, item_pointer);
  }
}

std::optional<Document> DocumentBuilder::build(const YAML::Node& root, FileReader& reader) {
  const SourcePos root_pos{reader.file(), 1, 1};
  std::optional<Object> object = reader.object(root, root_pos, "", "the document root", kRootKeys);
  if (!object) return std::nullopt;

  document_.source_file = path_;
  if (std::optional<std::string> version = reader.string(*object, "naftiko", true)) {
    document_.naftiko_version = *version;
    const auto known = std::find(kVersions.begin(), kVersions.end(), *version);
    if (known == kVersions.end()) {
      std::vector<std::string> names(kVersions.begin(), kVersions.end());
      std::string message = "unknown naftiko version " + backticked(*version) + " (capstan reads " +
                            joinQuoted(names) + ")";
      if (std::string suggestion = detail::closestMatch(*version, names); !suggestion.empty()) {
        message += "; did you mean " + backticked(suggestion) + "?";
      }
      reader.error(context_.posOf(root_pos, "/naftiko"), "/naftiko", message, "unknown-version");
    } else {
      reader.setVersion(static_cast<int>(known - kVersions.begin()) + 1);
    }
  }
  if (!object->has("capability") && !object->has("consumes")) {
    reader.error(root_pos, "", "missing required field `capability` (or root `consumes`)",
                 "missing-field");
  }

  readInfo(*object, reader);
  readBinds(*object, reader);
  if (reader.sequence(*object, "consumes", false, true) != nullptr) {
    readConsumesList(*object, reader, document_.shared_consumes, 0);
  }

  std::optional<Object> capability =
      reader.objectField(*object, "capability", "capability", kCapabilityKeys);
  if (capability) {
    document_.capability.pos = capability->pos;
    document_.capability.pointer = capability->pointer;
    readBinds(*capability, reader);
    if (reader.sequence(*capability, "consumes", false, true) != nullptr) {
      readConsumesList(*capability, reader, document_.capability.consumes, 0);
    }
    readExposes(*capability, reader);
    if (const Entry* aggregates = reader.sequence(*capability, "aggregates", false, true)) {
      unsupported(reader.valuePos(*aggregates), "/capability/aggregates", "aggregates",
                  "`aggregates` (reusable functions referenced with `ref`)");
    }
    if (!capability->has("exposes") && !capability->has("consumes")) {
      reader.error(capability->pos, capability->pointer,
                   "missing required field `exposes` (or `consumes`) in capability",
                   "missing-field");
    }
  }
  return std::move(document_);
}

void DocumentBuilder::readInfo(const Object& root, FileReader& reader) {
  std::optional<Object> info = reader.objectField(root, "info", "info", kInfoKeys);
  if (!info) return;
  Info& out = document_.info;
  out.pos = info->pos;
  out.pointer = info->pointer;
  out.label = reader.string(*info, "label", true).value_or("");
  out.description = reader.string(*info, "description", true).value_or("");
  out.created = reader.optionalString(*info, "created");
  out.modified = reader.optionalString(*info, "modified");
  for (const char* date_key : {"created", "modified"}) {
    if (info->has(date_key)) {
      reader.checkPattern(*info, date_key, date_key[0] == 'c' ? out.created : out.modified,
                          "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "date");
    }
  }
  const Entry* tags = reader.sequence(*info, "tags");
  forEachItem(tags, child(info->pointer, "tags"), reader,
              [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
                if (!item.IsScalar()) {
                  reader.error(at, pointer, "expected a string, found " + describeNode(item),
                               "wrong-type");
                  return;
                }
                out.tags.push_back(item.Scalar());
              });
  const Entry* stakeholders = reader.sequence(*info, "stakeholders");
  forEachItem(
      stakeholders, child(info->pointer, "stakeholders"), reader,
      [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
        std::optional<Object> person =
            reader.object(item, at, pointer, "a stakeholder", kPersonKeys);
        if (!person) return;
        out.stakeholders.push_back(Person{reader.string(*person, "role", true).value_or(""),
                                          reader.string(*person, "fullName", true).value_or(""),
                                          reader.optionalString(*person, "email"), at, pointer});
      });
}

void DocumentBuilder::readBinds(const Object& parent, FileReader& reader) {
  const std::string list_pointer = child(parent.pointer, "binds");
  const Entry* binds = reader.sequence(parent, "binds", false, true);
  forEachItem(
      binds, list_pointer, reader,
      [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
        std::optional<Object> object = reader.object(item, at, pointer, "a bind", kBindKeys);
        if (!object) return;
        Bind bind;
        bind.pos = at;
        bind.pointer = pointer;
        bind.namespace_ = reader.string(*object, "namespace", true).value_or("");
        if (object->has("namespace")) {
          reader.checkPattern(*object, "namespace", bind.namespace_, "^[a-zA-Z0-9-]+$", "kebab");
        }
        bind.description = reader.optionalString(*object, "description");
        bind.location = reader.string(*object, "location");
        if (bind.location) {
          reader.checkPattern(*object, "location", *bind.location, "^[a-zA-Z][a-zA-Z0-9+.-]*://.*",
                              "URI");
          if (bind.location->rfind("file:", 0) != 0) {
            const std::string location_pointer = child(pointer, "location");
            unsupported(context_.posOf(at, location_pointer), location_pointer, "binds-location",
                        "bind location " + backticked(*bind.location) + " (only file: locations)");
          }
        }
        std::optional<Object> keys = reader.objectField(*object, "keys", "bind keys", {}, true);
        if (keys) {
          for (const Entry& entry : keys->entries) {
            std::string key_pointer = child(keys->pointer, entry.key);
            if (!entry.value.IsScalar()) {
              reader.error(reader.valuePos(entry), key_pointer,
                           "expected a string, found " + describeNode(entry.value), "wrong-type");
              continue;
            }
            reader.checkPattern(reader.pos(entry.key_node), key_pointer, entry.key,
                                "^[A-Z][A-Z0-9_]*$", "bind variable");
            reader.checkPattern(reader.valuePos(entry), key_pointer, entry.value.Scalar(),
                                "^[a-zA-Z0-9-_*]+$", "extended identifier");
            bind.keys.emplace_back(entry.key, entry.value.Scalar());
            bind.key_pos.push_back(reader.pos(entry.key_node));
          }
        }
        document_.binds.push_back(std::move(bind));
      });
}

void DocumentBuilder::readConsumesList(const Object& parent, FileReader& reader,
                                       std::vector<ConsumedHttp>& out, int import_depth) {
  const Entry* list = parent.find("consumes");
  forEachItem(list, child(parent.pointer, "consumes"), reader,
              [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
                if (auto consumes = readConsumes(item, at, pointer, reader, import_depth)) {
                  out.push_back(std::move(*consumes));
                }
              });
}

std::optional<ConsumedHttp> DocumentBuilder::readConsumes(const YAML::Node& node,
                                                          const SourcePos& at,
                                                          const std::string& pointer,
                                                          FileReader& reader, int import_depth) {
  if (node.IsMap() && (node["location"] || node["import"])) {
    std::optional<Object> object =
        reader.object(node, at, pointer, "an imported consumes entry", kImportKeys);
    if (!object) return std::nullopt;
    return readImport(*object, reader, import_depth);
  }
  std::optional<Object> object =
      reader.object(node, at, pointer, "a consumes entry", kConsumesKeys);
  if (!object) return std::nullopt;

  ConsumedHttp consumes;
  consumes.pos = at;
  consumes.pointer = pointer;
  consumes.namespace_ = reader.string(*object, "namespace", true).value_or("");
  if (object->has("namespace")) {
    reader.checkPattern(*object, "namespace", consumes.namespace_, "^[a-zA-Z0-9-]+$", "kebab");
  }
  if (std::optional<std::string> type = reader.string(*object, "type", true)) {
    reader.checkEnum(*object, "type", *type, {"http"});
  }
  consumes.description = reader.optionalString(*object, "description");
  consumes.base_uri = reader.string(*object, "baseUri", true).value_or("");
  if (object->has("baseUri")) {
    reader.checkPattern(*object, "baseUri", consumes.base_uri, "^https?://[^/]+(/[^{]*)?$",
                        "baseUri");
  }
  consumes.input_parameters =
      readInputs(*object, reader, kConsumedInputKeys, &kInputLocations, false);
  consumes.authentication = readAuthentication(*object, reader, false);
  const Entry* resources = reader.sequence(*object, "resources", true);
  forEachItem(
      resources, child(pointer, "resources"), reader,
      [&](const YAML::Node& item, const SourcePos& item_at, const std::string& item_pointer) {
        if (auto resource = readResource(item, item_at, item_pointer, reader)) {
          consumes.resources.push_back(std::move(*resource));
        }
      });
  return consumes;
}

// Resolves a consumes `location`: `file:///./x` and plain relative paths are relative to the
// directory of the file that imports; `file:///x` is absolute.
std::optional<std::filesystem::path> resolveLocation(const std::string& location,
                                                     const std::filesystem::path& dir) {
  std::string path = location;
  if (path.rfind("file://", 0) == 0) {
    path = path.substr(7);
    if (path.rfind("/./", 0) == 0 || path.rfind("/../", 0) == 0) path = path.substr(1);
  } else if (path.find("://") != std::string::npos) {
    return std::nullopt;
  }
  std::filesystem::path resolved(path);
  if (resolved.is_relative()) resolved = dir / resolved;
  return resolved.lexically_normal();
}

std::optional<ConsumedHttp> DocumentBuilder::readImport(const Object& object, FileReader& reader,
                                                        int import_depth) {
  ConsumesImport import;
  import.pos = object.pos;
  import.pointer = object.pointer;
  import.location = reader.string(object, "location", true).value_or("");
  import.import_namespace = reader.string(object, "import", true).value_or("");
  import.alias = reader.optionalString(object, "as");
  const std::string description = reader.optionalString(object, "description");
  if (import.location.empty() || import.import_namespace.empty()) return std::nullopt;

  const std::string location_pointer = child(object.pointer, "location");
  const SourcePos location_pos = context_.posOf(object.pos, location_pointer);
  const std::filesystem::path base_dir = std::filesystem::path(reader.file()).parent_path();
  std::optional<std::filesystem::path> file = resolveLocation(import.location, base_dir);
  if (!file) {
    unsupported(location_pos, location_pointer, "consumes-location",
                "consumes location " + backticked(import.location) + " (only local files)");
    return std::nullopt;
  }
  import.file = *file;
  if (import_depth >= kMaxImportDepth) {
    reader.error(location_pos, location_pointer, "imports nest too deeply (cycle?)",
                 "import-failed");
    return std::nullopt;
  }

  YAML::Node root;
  try {
    root = YAML::LoadFile(file->string());
  } catch (const YAML::BadFile&) {
    reader.error(location_pos, location_pointer, "cannot read imported file " + file->string(),
                 "import-failed");
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    const YAML::Mark& mark = e.mark;
    reader.error(SourcePos{file->string(), mark.line + 1, mark.column + 1}, "",
                 "YAML syntax error: " + e.msg, "yaml-syntax");
    return std::nullopt;
  }
  FileReader imported(context_, file->string(), reader.version());
  std::optional<Object> imported_root =
      imported.object(root, SourcePos{file->string(), 1, 1}, "", "a consumes file", kRootKeys);
  if (!imported_root) return std::nullopt;
  std::vector<ConsumedHttp> candidates;
  if (imported.sequence(*imported_root, "consumes", true) != nullptr) {
    readConsumesList(*imported_root, imported, candidates, import_depth + 1);
  }
  for (ConsumedHttp& candidate : candidates) {
    if (candidate.namespace_ != import.import_namespace) continue;
    if (!import.alias.empty()) candidate.namespace_ = import.alias;
    if (!description.empty()) candidate.description = description;
    candidate.imported = std::move(import);
    return std::move(candidate);
  }
  std::vector<std::string> names;
  for (const ConsumedHttp& candidate : candidates) names.push_back(candidate.namespace_);
  std::string message =
      file->string() + " declares no consumes namespace " + backticked(import.import_namespace);
  if (!names.empty()) message += " (it declares " + joinQuoted(names) + ")";
  const std::string import_pointer = child(object.pointer, "import");
  reader.error(context_.posOf(object.pos, import_pointer), import_pointer, message,
               "import-failed");
  return std::nullopt;
}

std::optional<Resource> DocumentBuilder::readResource(const YAML::Node& node, const SourcePos& at,
                                                      const std::string& pointer,
                                                      FileReader& reader) {
  std::optional<Object> object =
      reader.object(node, at, pointer, "a consumed resource", kResourceKeys);
  if (!object) return std::nullopt;
  Resource resource;
  resource.pos = at;
  resource.pointer = pointer;
  resource.name = reader.string(*object, "name", true).value_or("");
  resource.label = reader.optionalString(*object, "label");
  resource.description = reader.optionalString(*object, "description");
  resource.path = reader.string(*object, "path", true).value_or("");
  resource.input_parameters =
      readInputs(*object, reader, kConsumedInputKeys, &kInputLocations, false);
  const Entry* operations = reader.sequence(*object, "operations", true);
  forEachItem(
      operations, child(pointer, "operations"), reader,
      [&](const YAML::Node& item, const SourcePos& item_at, const std::string& item_pointer) {
        if (auto operation = readOperation(item, item_at, item_pointer, reader)) {
          resource.operations.push_back(std::move(*operation));
        }
      });
  return resource;
}

std::optional<Operation> DocumentBuilder::readOperation(const YAML::Node& node, const SourcePos& at,
                                                        const std::string& pointer,
                                                        FileReader& reader) {
  std::optional<Object> object =
      reader.object(node, at, pointer, "a consumed operation", kOperationKeys);
  if (!object) return std::nullopt;
  Operation operation;
  operation.pos = at;
  operation.pointer = pointer;
  operation.name = reader.string(*object, "name", true).value_or("");
  if (object->has("name")) {
    reader.checkPattern(*object, "name", operation.name, "^[a-zA-Z0-9-]+$", "kebab");
  }
  operation.label = reader.optionalString(*object, "label");
  operation.description = reader.optionalString(*object, "description");
  operation.method = reader.string(*object, "method", true).value_or("GET");
  if (object->has("method")) reader.checkEnum(*object, "method", operation.method, kMethods);
  operation.output_raw_format = reader.optionalString(*object, "outputRawFormat");
  if (object->has("outputRawFormat") &&
      reader.checkEnum(*object, "outputRawFormat", operation.output_raw_format, kRawFormats) &&
      operation.output_raw_format != "json") {
    const std::string format_pointer = child(pointer, "outputRawFormat");
    unsupported(context_.posOf(at, format_pointer), format_pointer, "output-raw-format",
                "outputRawFormat " + backticked(operation.output_raw_format));
  }
  operation.input_parameters =
      readInputs(*object, reader, kConsumedInputKeys, &kInputLocations, false);
  operation.output_parameters = readOutputs(*object, reader, false);
  if (const Entry* body = object->find("body")) {
    operation.body = readBody(*body, child(pointer, "body"), reader);
  }
  return operation;
}

void appendJson(const YAML::Node& node, std::string& out, int depth);

void appendJson(const YAML::Node& node, std::string& out, int depth) {
  if (depth > kMaxDepth || out.size() > kMaxBodyJson) {
    out += "null";
    return;
  }
  if (node.IsMap()) {
    out += '{';
    bool first = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!first) out += ',';
      first = false;
      capstan::appendJsonString(out, it->first.IsScalar() ? it->first.Scalar() : "");
      out += ':';
      appendJson(it->second, out, depth + 1);
    }
    out += '}';
  } else if (node.IsSequence()) {
    out += '[';
    bool first = true;
    for (const YAML::Node& item : node) {
      if (!first) out += ',';
      first = false;
      appendJson(item, out, depth + 1);
    }
    out += ']';
  } else if (!node.IsScalar()) {
    out += "null";
  } else {
    switch (scalarKind(node)) {
      case ScalarKind::kNull:
        out += "null";
        break;
      case ScalarKind::kBoolean:
        out += (node.Scalar()[0] == 't' || node.Scalar()[0] == 'T') ? "true" : "false";
        break;
      case ScalarKind::kInteger:
      case ScalarKind::kNumber:
        if (matches(node.Scalar(), "-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?")) {
          out += node.Scalar();
        } else {
          capstan::appendJsonString(out, node.Scalar());
        }
        break;
      case ScalarKind::kString:
        capstan::appendJsonString(out, node.Scalar());
        break;
    }
  }
}

std::optional<RequestBody> DocumentBuilder::readBody(const Entry& entry, const std::string& pointer,
                                                     FileReader& reader) {
  const SourcePos at = reader.valuePos(entry);
  if (entry.value.IsScalar()) {
    return RequestBody{"raw", entry.value.Scalar(), at, pointer};
  }
  std::optional<Object> object = reader.object(entry.value, at, pointer, "a body", kBodyKeys);
  if (!object) return std::nullopt;
  RequestBody body;
  body.pos = at;
  body.pointer = pointer;
  body.type = reader.string(*object, "type", true).value_or("");
  if (object->has("type")) reader.checkEnum(*object, "type", body.type, kBodyTypes);
  if (const Entry* data = reader.field(*object, "data", true)) {
    if (data->value.IsScalar()) {
      body.data_json = data->value.Scalar();
    } else {
      appendJson(data->value, body.data_json, 0);
    }
  }
  return body;
}

std::vector<InputParameter> DocumentBuilder::readInputs(const Object& parent, FileReader& reader,
                                                        Keys keys,
                                                        const std::set<std::string_view>* locations,
                                                        bool exposed) {
  std::vector<InputParameter> inputs;
  const Entry* list = reader.sequence(parent, "inputParameters");
  const bool tool = locations == nullptr;
  forEachItem(
      list, child(parent.pointer, "inputParameters"), reader,
      [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
        std::optional<Object> object = reader.object(item, at, pointer, "an input parameter", keys);
        if (!object) return;
        InputParameter input;
        input.pos = at;
        input.pointer = pointer;
        input.name = reader.string(*object, "name", true).value_or("");
        if (object->has("name")) {
          reader.checkPattern(*object, "name", input.name, "^[a-zA-Z0-9-_*]+$",
                              "extended identifier");
        }
        if (!tool) {
          input.in = reader.string(*object, "in", true).value_or("");
          if (object->has("in")) reader.checkEnum(*object, "in", input.in, *locations);
        }
        input.type = reader.string(*object, "type", exposed).value_or("");
        if (object->has("type")) reader.checkEnum(*object, "type", input.type, kParameterTypes);
        input.description = reader.string(*object, "description", exposed).value_or("");
        std::optional<bool> required = reader.boolean(*object, "required");
        input.required_declared = required.has_value();
        input.required = required.value_or(tool || input.in == "path");
        if (const Entry* values = reader.sequence(*object, "enum")) {
          std::vector<std::string> names;
          for (const YAML::Node& value : values->value) {
            if (value.IsScalar()) names.push_back(value.Scalar());
          }
          input.enum_values = std::move(names);
        }
        input.default_value = reader.scalar(*object, "default", false);
        input.value = reader.scalar(*object, "value", false);
        if (input.value && input.value->kind != ScalarKind::kString) {
          reader.context().divergence(
              input.value->pos, input.value->pointer,
              "expected a string, found a " +
                  std::string(input.value->kind == ScalarKind::kBoolean ? "boolean" : "number") +
                  " (quote it)",
              "wrong-type", false);
        }
        input.pattern = reader.string(*object, "pattern");
        inputs.push_back(std::move(input));
      });
  return inputs;
}

std::vector<OutputParameter> DocumentBuilder::readOutputs(const Object& parent, FileReader& reader,
                                                          bool exposed) {
  std::vector<OutputParameter> outputs;
  const Entry* list = reader.sequence(parent, "outputParameters");
  forEachItem(list, child(parent.pointer, "outputParameters"), reader,
              [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
                if (auto output = readOutput(item, at, pointer, reader, exposed, false, 0)) {
                  outputs.push_back(std::move(*output));
                }
              });
  return outputs;
}

std::optional<OutputParameter> DocumentBuilder::readOutput(const YAML::Node& node,
                                                           const SourcePos& at,
                                                           const std::string& pointer,
                                                           FileReader& reader, bool exposed,
                                                           bool is_property, int depth) {
  if (depth > kMaxDepth) {
    reader.error(at, pointer, "output parameters nest too deeply", "too-deep");
    return std::nullopt;
  }
  // Aliased properties can expand exponentially; no real capability comes near this.
  if (++outputs_read_ > kMaxOutputParameters) {
    if (outputs_read_ == kMaxOutputParameters + 1) {
      reader.error(at, pointer, "too many output parameters (aliases expanding?)", "too-large");
    }
    return std::nullopt;
  }
  std::optional<Object> object = reader.object(
      node, at, pointer, exposed ? "an output parameter" : "a consumed output parameter",
      exposed ? Keys(kExposedOutputKeys) : Keys(kConsumedOutputKeys));
  if (!object) return std::nullopt;
  OutputParameter output;
  output.pos = at;
  output.pointer = pointer;
  output.name = reader.string(*object, "name", !exposed && !is_property);
  output.type = reader.string(*object, "type", true).value_or("");
  if (object->has("type")) {
    if (output.type == "integer") {
      const std::string type_pointer = child(pointer, "type");
      reader.context().divergence(reader.context().posOf(at, type_pointer), type_pointer,
                                  "`integer` is a capstan extension: the Naftiko schema allows "
                                  "`string`, `number`, `boolean`, `object`, `array` here",
                                  "extension-value", false);
    } else {
      reader.checkEnum(*object, "type", output.type, kOutputTypes);
    }
  }
  output.mapping = reader.string(*object, "mapping");
  output.value = reader.scalar(*object, "value", !exposed && !is_property);
  output.const_value = reader.scalar(*object, "const", false);
  output.description = reader.optionalString(*object, "description");
  if (std::optional<long long> max_length = reader.integer(*object, "maxLength")) {
    output.max_length = static_cast<int>(std::clamp<long long>(*max_length, 0, 1 << 30));
  }

  if (std::optional<Object> properties =
          reader.objectField(*object, "properties", "properties", {})) {
    output.has_properties = true;
    for (const Entry& entry : properties->entries) {
      const std::string property_pointer = child(properties->pointer, entry.key);
      if (auto property = readOutput(entry.value, reader.valuePos(entry), property_pointer, reader,
                                     exposed, true, depth + 1)) {
        property->name = entry.key;
        output.properties.push_back(std::move(*property));
      }
    }
  }
  if (const Entry* items = reader.field(*object, "items", false)) {
    if (auto item = readOutput(items->value, reader.valuePos(*items), child(pointer, "items"),
                               reader, exposed, true, depth + 1)) {
      output.items.push_back(std::move(*item));
    }
  }

  if (!exposed) return output;
  const std::string type_pointer = child(pointer, "type");
  const SourcePos type_pos = reader.context().posOf(at, type_pointer);
  if (output.type == "object" && !output.has_properties) {
    if (output.mapping) {
      reader.context().divergence(
          type_pos, type_pointer,
          "`type: object` with `mapping` and no `properties`: capstan returns the mapped value "
          "as is, while the strict Naftiko schema rejects an object without `properties`",
          "object-without-properties", true);
    } else {
      reader.context().divergence(type_pos, type_pointer,
                                  "`type: object` without `properties`: the Naftiko schema "
                                  "requires `properties`",
                                  "object-without-properties", false);
    }
  }
  if (output.type == "array" && output.items.empty()) {
    reader.context().divergence(type_pos, type_pointer,
                                "`type: array` without `items`: capstan returns the mapped array "
                                "as is, while the Naftiko schema requires `items`",
                                "array-without-items", false);
  }
  return output;
}

std::optional<Authentication> DocumentBuilder::readAuthentication(const Object& parent,
                                                                  FileReader& reader,
                                                                  bool inbound) {
  const Entry* entry = parent.find("authentication");
  if (entry == nullptr) return std::nullopt;
  const std::string pointer = child(parent.pointer, "authentication");
  const SourcePos at = reader.valuePos(*entry);
  Keys keys = kAuthCommonKeys;
  std::string type;
  if (entry->value.IsMap() && entry->value["type"] && entry->value["type"].IsScalar()) {
    type = entry->value["type"].Scalar();
  }
  if (type == "basic" || type == "digest") keys = kAuthBasicKeys;
  if (type == "apikey") keys = kAuthApiKeyKeys;
  if (type == "bearer") keys = kAuthBearerKeys;
  if (type == "oauth2") keys = kAuthOAuth2Keys;
  std::optional<Object> object = reader.object(
      entry->value, at, pointer, type.empty() ? "authentication" : type + " authentication", keys);
  if (!object) return std::nullopt;
  Authentication auth;
  auth.pos = at;
  auth.pointer = pointer;
  auth.type = reader.string(*object, "type", true).value_or("");
  if (object->has("type") && !reader.checkEnum(*object, "type", auth.type,
                                               {"basic", "apikey", "bearer", "digest", "oauth2"})) {
    return std::nullopt;
  }
  if (auth.type == "oauth2") {
    if (reader.version() < 2) {
      reader.context().divergence(at, pointer, "oauth2 authentication needs naftiko 1.0.0-alpha2",
                                  "extension-value", false);
    }
    unsupported(at, pointer, "oauth2", "oauth2 authentication");
  }
  auth.token = reader.string(*object, "token", auth.type == "bearer").value_or("");
  auth.key = reader.optionalString(*object, "key");
  auth.value = reader.optionalString(*object, "value");
  auth.placement = reader.optionalString(*object, "placement");
  if (object->has("placement")) {
    reader.checkEnum(*object, "placement", auth.placement, {"header", "query"});
  }
  auth.username = reader.optionalString(*object, "username");
  auth.password = reader.optionalString(*object, "password");
  if (auth.type == "apikey" && (auth.key.empty() || auth.value.empty())) {
    reader.error(at, pointer, "apikey authentication needs `key` and `value`", "missing-field");
  }
  (void)inbound;
  return auth;
}

WithMap DocumentBuilder::readWith(const Object& parent, FileReader& reader) {
  WithMap with;
  std::optional<Object> object = reader.objectField(parent, "with", "with", {});
  if (!object) return with;
  for (const Entry& entry : object->entries) {
    const std::string pointer = child(object->pointer, entry.key);
    const SourcePos at = reader.valuePos(entry);
    if (!entry.value.IsScalar() || scalarKind(entry.value) == ScalarKind::kNull) {
      reader.error(at, pointer, "expected a string or a number, found " + describeNode(entry.value),
                   "wrong-type");
      continue;
    }
    Scalar value{scalarKind(entry.value), entry.value.Scalar(), at, pointer};
    if (value.kind == ScalarKind::kBoolean) {
      reader.context().divergence(at, pointer,
                                  "a boolean `with` value is a capstan extension: the Naftiko "
                                  "schema allows strings and numbers",
                                  "extension-value", false);
    }
    with.emplace_back(entry.key, std::move(value));
  }
  return with;
}

std::optional<int> DocumentBuilder::readPort(const Object& object, FileReader& reader,
                                             bool required) {
  std::optional<long long> port = reader.integer(object, "port", required);
  if (!port) return std::nullopt;
  if (*port < 1 || *port > 65535) {
    const std::string pointer = child(object.pointer, "port");
    reader.error(context_.posOf(object.pos, pointer), pointer,
                 "port " + std::to_string(*port) + " is outside 1..65535", "invalid-value");
    return std::nullopt;
  }
  return static_cast<int>(*port);
}

std::optional<std::string> DocumentBuilder::readAddress(const Object& object, FileReader& reader) {
  std::optional<std::string> address = reader.string(object, "address");
  if (address && !matches(*address, "^[0-9a-zA-Z.:-]+$")) {
    const std::string pointer = child(object.pointer, "address");
    reader.error(context_.posOf(object.pos, pointer), pointer,
                 backticked(*address) + " is not a hostname or an IP address", "invalid-value");
  }
  return address;
}

void DocumentBuilder::readCallModes(const Object& object, FileReader& reader, bool has_call,
                                    const std::string& what) {
  if (const Entry* steps = object.find("steps")) {
    const std::string pointer = child(object.pointer, "steps");
    unsupported(reader.valuePos(*steps), pointer, "steps", "`steps` (orchestration) in " + what);
    if (steps->value.IsSequence()) {
      std::size_t index = 0;
      for (const YAML::Node& step : steps->value) {
        const std::string step_pointer = child(pointer, index++);
        if (!step.IsMap() || !step["type"] || !step["type"].IsScalar()) continue;
        const std::string type = step["type"].Scalar();
        if (type == "script" || type == "lookup") {
          unsupported(reader.pos(step), step_pointer, type, backticked(type) + " step in " + what);
        }
      }
    }
  }
  if (const Entry* ref = object.find("ref")) {
    unsupported(reader.valuePos(*ref), child(object.pointer, "ref"), "ref",
                "`ref` (aggregate function reference) in " + what);
  }
  if (!has_call && !object.has("steps") && !object.has("ref")) {
    unsupported(object.pos, object.pointer, "mock", "mock mode (no `call`) in " + what);
  }
}

void DocumentBuilder::readExposes(const Object& capability, FileReader& reader) {
  const Entry* list = reader.sequence(capability, "exposes", false, true);
  forEachItem(
      list, "/capability/exposes", reader,
      [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
        std::string type;
        if (item.IsMap() && item["type"] && item["type"].IsScalar()) type = item["type"].Scalar();
        if (type == "rest") {
          if (auto object = reader.object(item, at, pointer, "a rest adapter", kRestKeys)) {
            if (auto adapter = readRest(*object, reader)) {
              document_.capability.rest.push_back(std::move(*adapter));
            }
          }
        } else if (type == "mcp") {
          if (auto object = reader.object(item, at, pointer, "an mcp adapter", kMcpKeys)) {
            if (auto adapter = readMcp(*object, reader)) {
              document_.capability.mcp.push_back(std::move(*adapter));
            }
          }
        } else if (type == "control") {
          if (auto object = reader.object(item, at, pointer, "a control adapter", kControlKeys)) {
            if (reader.version() < 2) {
              context_.divergence(at, pointer, "the control adapter needs naftiko 1.0.0-alpha2",
                                  "extension-value", true);
            }
            if (auto adapter = readControl(*object, reader)) {
              document_.capability.control.push_back(std::move(*adapter));
            }
          }
        } else if (type == "skill") {
          unsupported(at, pointer, "skill", "the `skill` adapter");
        } else if (!item.IsMap()) {
          reader.error(at, pointer, "expected a mapping (an adapter), found " + describeNode(item),
                       "wrong-type");
        } else if (type.empty()) {
          reader.error(at, pointer, "missing required field `type` in an adapter", "missing-field");
        } else {
          std::vector<std::string> names = {"rest", "mcp", "control", "skill"};
          std::string message =
              "unknown adapter type " + backticked(type) + " (expected " + joinQuoted(names) + ")";
          if (std::string suggestion = detail::closestMatch(type, names); !suggestion.empty()) {
            message += "; did you mean " + backticked(suggestion) + "?";
          }
          const std::string type_pointer = child(pointer, "type");
          reader.error(reader.pos(item["type"]), type_pointer, message, "invalid-value");
        }
      });
}

std::optional<RestAdapter> DocumentBuilder::readRest(const Object& object, FileReader& reader) {
  RestAdapter adapter;
  adapter.pos = object.pos;
  adapter.pointer = object.pointer;
  adapter.namespace_ = reader.string(object, "namespace", true).value_or("");
  if (object.has("namespace")) {
    reader.checkPattern(object, "namespace", adapter.namespace_, "^[a-zA-Z0-9-]+$", "kebab");
  }
  adapter.port = readPort(object, reader, true).value_or(0);
  adapter.address = readAddress(object, reader);
  adapter.description = reader.optionalString(object, "description");
  adapter.authentication = readAuthentication(object, reader, true);
  const Entry* resources = reader.sequence(object, "resources", false, true);
  forEachItem(resources, child(object.pointer, "resources"), reader,
              [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
                if (auto resource = readRestResource(item, at, pointer, reader)) {
                  adapter.resources.push_back(std::move(*resource));
                }
              });
  return adapter;
}

std::optional<RestResource> DocumentBuilder::readRestResource(const YAML::Node& node,
                                                              const SourcePos& at,
                                                              const std::string& pointer,
                                                              FileReader& reader) {
  std::optional<Object> object =
      reader.object(node, at, pointer, "an exposed resource", kRestResourceKeys);
  if (!object) return std::nullopt;
  RestResource resource;
  resource.pos = at;
  resource.pointer = pointer;
  resource.path = reader.string(*object, "path", true).value_or("");
  resource.name = reader.optionalString(*object, "name");
  resource.label = reader.optionalString(*object, "label");
  resource.description = reader.optionalString(*object, "description");
  resource.input_parameters =
      readInputs(*object, reader, kExposedInputKeys, &kExposedInputLocations, true);
  if (const Entry* forward = object->find("forward")) {
    unsupported(reader.valuePos(*forward), child(pointer, "forward"), "forward",
                "`forward` (proxying a resource)");
  }
  const Entry* operations = reader.sequence(*object, "operations");
  forEachItem(
      operations, child(pointer, "operations"), reader,
      [&](const YAML::Node& item, const SourcePos& item_at, const std::string& item_pointer) {
        if (auto operation = readRestOperation(item, item_at, item_pointer, reader)) {
          resource.operations.push_back(std::move(*operation));
        }
      });
  if (!object->has("operations") && !object->has("forward")) {
    reader.error(at, pointer, "an exposed resource needs `operations` (or `forward`)",
                 "missing-field");
  }
  return resource;
}

std::optional<RestOperation> DocumentBuilder::readRestOperation(const YAML::Node& node,
                                                                const SourcePos& at,
                                                                const std::string& pointer,
                                                                FileReader& reader) {
  std::optional<Object> object =
      reader.object(node, at, pointer, "an exposed operation", kRestOperationKeys);
  if (!object) return std::nullopt;
  RestOperation operation;
  operation.pos = at;
  operation.pointer = pointer;
  operation.method = reader.string(*object, "method", true).value_or("GET");
  if (object->has("method")) reader.checkEnum(*object, "method", operation.method, kMethods);
  operation.name = reader.optionalString(*object, "name");
  if (object->has("name")) {
    reader.checkPattern(*object, "name", operation.name, "^[a-zA-Z0-9-]+$", "kebab");
  }
  operation.label = reader.optionalString(*object, "label");
  operation.description = reader.optionalString(*object, "description");
  operation.call = reader.optionalString(*object, "call");
  operation.call_pos = context_.posOf(at, child(pointer, "call"));
  if (object->has("call")) {
    reader.checkPattern(*object, "call", operation.call, "^[a-zA-Z0-9-]+\\.[a-zA-Z0-9-]+$", "call");
  }
  operation.with = readWith(*object, reader);
  operation.input_parameters =
      readInputs(*object, reader, kExposedInputKeys, &kExposedInputLocations, true);
  operation.output_parameters = readOutputs(*object, reader, true);
  readCallModes(*object, reader, object->has("call"),
                "REST operation " + operation.method + " " + backticked(operation.name));
  return operation;
}

std::optional<McpAdapter> DocumentBuilder::readMcp(const Object& object, FileReader& reader) {
  McpAdapter adapter;
  adapter.pos = object.pos;
  adapter.pointer = object.pointer;
  adapter.namespace_ = reader.string(object, "namespace", true).value_or("");
  if (object.has("namespace")) {
    reader.checkPattern(object, "namespace", adapter.namespace_, "^[a-zA-Z0-9-]+$", "kebab");
  }
  adapter.transport = reader.string(object, "transport").value_or("http");
  if (object.has("transport")) {
    reader.checkEnum(object, "transport", adapter.transport, {"http", "stdio"});
  }
  adapter.port = readPort(object, reader, adapter.transport == "http");
  if (adapter.transport == "stdio" && object.has("port")) {
    const std::string pointer = child(object.pointer, "port");
    context_.divergence(context_.posOf(object.pos, pointer), pointer,
                        "`port` is ignored with transport `stdio` (the Naftiko schema forbids it)",
                        "stdio-port", true);
    adapter.port.reset();
  }
  adapter.address = readAddress(object, reader);
  adapter.description = reader.optionalString(object, "description");
  adapter.authentication = readAuthentication(object, reader, true);
  const Entry* tools = reader.sequence(object, "tools", true, true);
  forEachItem(tools, child(object.pointer, "tools"), reader,
              [&](const YAML::Node& item, const SourcePos& at, const std::string& pointer) {
                if (auto tool = readTool(item, at, pointer, reader)) {
                  adapter.tools.push_back(std::move(*tool));
                }
              });
  if (const Entry* resources = object.find("resources")) {
    unsupported(reader.valuePos(*resources), child(object.pointer, "resources"), "mcp-resources",
                "MCP `resources`");
  }
  if (const Entry* prompts = object.find("prompts")) {
    unsupported(reader.valuePos(*prompts), child(object.pointer, "prompts"), "mcp-prompts",
                "MCP `prompts`");
  }
  return adapter;
}

std::optional<McpTool> DocumentBuilder::readTool(const YAML::Node& node, const SourcePos& at,
                                                 const std::string& pointer, FileReader& reader) {
  std::optional<Object> object = reader.object(node, at, pointer, "an MCP tool", kToolKeys);
  if (!object) return std::nullopt;
  McpTool tool;
  tool.pos = at;
  tool.pointer = pointer;
  const bool by_ref = object->has("ref");
  tool.name = reader.string(*object, "name", !by_ref).value_or("");
  if (object->has("name")) {
    reader.checkPattern(*object, "name", tool.name, "^[a-zA-Z0-9-]+$", "kebab");
  }
  tool.label = reader.optionalString(*object, "label");
  tool.description = reader.string(*object, "description", !by_ref).value_or("");
  if (std::optional<Object> hints = reader.objectField(*object, "hints", "hints", kHintKeys)) {
    tool.hints.read_only = reader.boolean(*hints, "readOnly");
    tool.hints.destructive = reader.boolean(*hints, "destructive");
    tool.hints.idempotent = reader.boolean(*hints, "idempotent");
    tool.hints.open_world = reader.boolean(*hints, "openWorld");
  }
  tool.call = reader.optionalString(*object, "call");
  tool.call_pos = context_.posOf(at, child(pointer, "call"));
  if (object->has("call")) {
    reader.checkPattern(*object, "call", tool.call, "^[a-zA-Z0-9-]+\\.[a-zA-Z0-9-]+$", "call");
  }
  tool.with = readWith(*object, reader);
  tool.input_parameters = readInputs(*object, reader, kToolInputKeys, nullptr, true);
  tool.output_parameters = readOutputs(*object, reader, true);
  readCallModes(*object, reader, object->has("call"), "MCP tool " + backticked(tool.name));
  return tool;
}

std::optional<ControlAdapter> DocumentBuilder::readControl(const Object& object,
                                                           FileReader& reader) {
  ControlAdapter adapter;
  adapter.pos = object.pos;
  adapter.pointer = object.pointer;
  adapter.port = readPort(object, reader, true).value_or(0);
  adapter.address = readAddress(object, reader);
  if (const Entry* auth = object.find("authentication")) {
    unsupported(reader.valuePos(*auth), child(object.pointer, "authentication"),
                "control-authentication", "authentication on the control adapter");
  }
  return adapter;
}

// yaml-cpp keeps every pair of a mapping, duplicates included, and lookups return the first: a
// repeated key would silently lose its second value, so it is an error (YAML 1.2 §3.2.1.1).
void checkDuplicateKeys(const YAML::Node& node, const std::string& pointer, const std::string& file,
                        LoadContext& context, int depth, long& visited,
                        std::set<std::pair<int, int>>& seen_containers) {
  if (depth > kMaxDepth * 4 || ++visited > kMaxVisitedNodes) return;
  // An alias repeats the anchored node, which sits at one place in the text: visit it once.
  if ((node.IsMap() || node.IsSequence()) &&
      !seen_containers.emplace(node.Mark().line, node.Mark().column).second) {
    return;
  }
  auto pos = [&](const YAML::Node& n) {
    const YAML::Mark mark = n.Mark();
    return SourcePos{file, mark.line + 1, mark.column + 1};
  };
  if (node.IsSequence()) {
    std::size_t index = 0;
    for (const YAML::Node& item : node) {
      checkDuplicateKeys(item, child(pointer, index++), file, context, depth + 1, visited,
                         seen_containers);
    }
    return;
  }
  if (!node.IsMap()) return;
  std::map<std::string, SourcePos> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string key = it->first.Scalar();
    const std::string key_pointer = child(pointer, key);
    auto [previous, inserted] = seen.emplace(key, pos(it->first));
    if (!inserted) {
      context.error(pos(it->first), key_pointer,
                    "duplicate key " + backticked(key) + " (first defined at line " +
                        std::to_string(previous->second.line) +
                        "); YAML requires unique keys and capstan would ignore this one",
                    "duplicate-key");
    }
    checkDuplicateKeys(it->second, key_pointer, file, context, depth + 1, visited, seen_containers);
  }
}

LoadResult loadParsed(const YAML::Node& root, const std::filesystem::path& path,
                      const LoadOptions& options, std::vector<Diagnostic> diagnostics) {
  LoadContext context(options, diagnostics);
  const std::string file = path.string();
  long visited = 0;
  std::set<std::pair<int, int>> seen_containers;
  checkDuplicateKeys(root, "", file, context, 0, visited, seen_containers);

  FileReader reader(context, file, 2);
  DocumentBuilder builder(context, path, path.parent_path());
  std::optional<Document> document = builder.build(root, reader);
  if (document) detail::checkDocument(*document, context);

  LoadResult result;
  sortDiagnostics(diagnostics);
  if (document && !hasErrors(diagnostics)) result.document = std::move(document);
  result.diagnostics = std::move(diagnostics);
  return result;
}

LoadResult syntaxError(const std::filesystem::path& path, const YAML::Exception& e) {
  LoadResult result;
  const int line = e.mark.line < 0 ? 0 : e.mark.line + 1;
  const int column = e.mark.column < 0 ? 0 : e.mark.column + 1;
  result.diagnostics.push_back(Diagnostic{Severity::kError, SourcePos{path.string(), line, column},
                                          "", "YAML syntax error: " + e.msg, "yaml-syntax"});
  return result;
}

}  // namespace

namespace detail {

std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates) {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string target = lower(word);
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(1, target.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    const std::string other = lower(candidate);
    // Optimal string alignment distance: a swap of two neighbours (`GTE`) costs one edit.
    const std::size_t n = target.size();
    const std::size_t m = other.size();
    std::vector<std::vector<std::size_t>> d(n + 1, std::vector<std::size_t>(m + 1));
    for (std::size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
      for (std::size_t j = 1; j <= m; ++j) {
        const std::size_t cost = target[i - 1] == other[j - 1] ? 0 : 1;
        d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
        if (i > 1 && j > 1 && target[i - 1] == other[j - 2] && target[i - 2] == other[j - 1]) {
          d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    const std::size_t distance = d[n][m];
    if (distance < best_distance) {
      best_distance = distance;
      best = candidate;
    }
  }
  return best == word ? std::string() : best;
}

std::vector<std::string> mustacheVariables(std::string_view text) {
  std::vector<std::string> names;
  std::size_t index = 0;
  while ((index = text.find("{{", index)) != std::string_view::npos) {
    const std::size_t close = text.find("}}", index + 2);
    if (close == std::string_view::npos) break;
    std::string_view name = text.substr(index + 2, close - index - 2);
    index = close + 2;
    while (!name.empty() && (name.front() == ' ' || name.front() == '{' || name.front() == '&')) {
      name.remove_prefix(1);
    }
    while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
    if (name.empty() || name.front() == '!' || name.front() == '/' || name.front() == '>') {
      continue;
    }
    if (name.front() == '#' || name.front() == '^') name.remove_prefix(1);
    names.emplace_back(name);
  }
  return names;
}

}  // namespace detail

LoadResult loadDocumentFromString(std::string_view text, const std::filesystem::path& path,
                                  const LoadOptions& options) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return syntaxError(path, e);
  }
  return loadParsed(root, path, options, {});
}

std::optional<std::string> yamlFileAsJson(const std::filesystem::path& path) {
  try {
    const YAML::Node root = YAML::LoadFile(path.string());
    std::string json;
    appendJson(root, json, 0);
    return json;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

LoadResult loadDocument(const std::filesystem::path& path, const LoadOptions& options) {
  auto refuse = [&path](std::string message) {
    LoadResult result;
    result.diagnostics.push_back(
        Diagnostic{Severity::kError, SourcePos{path.string(), 0, 0}, "", std::move(message), "io"});
    return result;
  };
  // A capability is a few kilobytes of YAML; yaml-cpp needs ~100x a document's size in memory, so
  // anything far larger (or a device such as /dev/zero) is refused before it is read.
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!ec && status.type() != std::filesystem::file_type::regular) {
    return refuse("not a regular file");
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxDocumentBytes) {
    return refuse("file is " + std::to_string(size) +
                  " bytes; a capability file may have at most " +
                  std::to_string(kMaxDocumentBytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return refuse("cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  return loadDocumentFromString(text.str(), path, options);
}

}  // namespace capstan::spec
