#include "spec/lookup.hpp"

#include <cctype>

namespace capstan::spec {
namespace {

std::string_view trimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool isIdentifierChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
}

const Operation* findInNamespace(const ConsumedHttp& consumes, std::string_view resource_name,
                                 std::string_view operation_name, const Resource** resource) {
  for (const Resource& candidate : consumes.resources) {
    if (!resource_name.empty() && candidate.name != resource_name) continue;
    for (const Operation& operation : candidate.operations) {
      if (operation.name == operation_name) {
        *resource = &candidate;
        return &operation;
      }
    }
  }
  return nullptr;
}

}  // namespace

std::optional<ConsumedOperationRef> findConsumedOperation(const std::vector<ConsumedHttp>& consumes,
                                                          std::string_view call) {
  const std::size_t dot = call.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view ns = call.substr(0, dot);
  std::string_view rest = call.substr(dot + 1);
  std::string_view resource_name;
  if (const std::size_t second = rest.find('.'); second != std::string_view::npos) {
    resource_name = rest.substr(0, second);
    rest = rest.substr(second + 1);
  }
  for (const ConsumedHttp& candidate : consumes) {
    if (candidate.namespace_ != ns) continue;
    const Resource* resource = nullptr;
    if (const Operation* operation = findInNamespace(candidate, resource_name, rest, &resource)) {
      return ConsumedOperationRef{&candidate, resource, operation};
    }
  }
  return std::nullopt;
}

std::optional<ConsumedOperationRef> findConsumedOperation(const Document& document,
                                                          std::string_view call) {
  return findConsumedOperation(document.capability.consumes, call);
}

std::vector<PathPlaceholder> pathPlaceholders(std::string_view path) {
  std::vector<PathPlaceholder> placeholders;
  std::size_t index = 0;
  while ((index = path.find('{', index)) != std::string_view::npos) {
    const bool double_braced = path.substr(index, 2) == "{{";
    const std::size_t open = double_braced ? 2 : 1;
    const std::string_view close_marker = double_braced ? "}}" : "}";
    const std::size_t close = path.find(close_marker, index + open);
    if (close == std::string_view::npos) break;
    const std::string_view name = trimBlanks(path.substr(index + open, close - index - open));
    const std::size_t length = close + close_marker.size() - index;
    if (!name.empty() && name.find('{') == std::string_view::npos) {
      placeholders.push_back(PathPlaceholder{std::string(name), index, length, double_braced});
    }
    index += length;
  }
  return placeholders;
}

std::optional<std::string> withReference(const WithValue& value,
                                         std::string_view adapter_namespace) {
  if (value.kind != ScalarKind::kString) return std::nullopt;
  const std::string_view text = value.text;
  const std::size_t dot = text.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == text.size()) return std::nullopt;
  const std::string_view prefix = text.substr(0, dot);
  const std::string_view name = text.substr(dot + 1);
  const bool known_prefix = prefix == "rest" || prefix == "tools" || prefix == "mcp" ||
                            (!adapter_namespace.empty() && prefix == adapter_namespace);
  if (!known_prefix) return std::nullopt;
  for (char c : name) {
    if (!isIdentifierChar(c)) return std::nullopt;
  }
  return std::string(name);
}

}  // namespace capstan::spec
