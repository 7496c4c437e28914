// Queries over a loaded model shared by the engine and the adapters.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/model.hpp"

namespace capstan::spec {

struct ConsumedOperationRef {
  const ConsumedHttp* consumes = nullptr;
  const Resource* resource = nullptr;
  const Operation* operation = nullptr;
};

// Resolves a `call` ("namespace.operation") the way Naftiko does: the operation name is looked up
// across all resources of the namespace (the first match in document order wins). The
// three-part form "namespace.resource.operation" is also accepted. nullopt when unknown.
std::optional<ConsumedOperationRef> findConsumedOperation(const Document& document,
                                                          std::string_view call);
std::optional<ConsumedOperationRef> findConsumedOperation(const std::vector<ConsumedHttp>& consumes,
                                                          std::string_view call);

// `{name}` or `{{name}}` inside a path.
struct PathPlaceholder {
  std::string name;        // trimmed of surrounding blanks
  std::size_t offset = 0;  // of the first brace
  std::size_t length = 0;  // including braces
  bool double_braced = false;
};

// Placeholders of a path in order of appearance ("/v1/jobs/{jobId}/x/{{other}}").
std::vector<PathPlaceholder> pathPlaceholders(std::string_view path);

// The parameter a `with` value references when it has the form `<prefix>.<name>` with a prefix
// of `rest`, `tools`, `mcp` or `adapter_namespace` and a name made of identifier characters;
// nullopt for templates, constants and anything else.
std::optional<std::string> withReference(const WithValue& value,
                                         std::string_view adapter_namespace);

}  // namespace capstan::spec
