// Loads a Naftiko capability file into the typed model and checks it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/model.hpp"

namespace capstan::spec {

struct LoadOptions {
  // Divergences from the official Naftiko JSON schema become errors instead of warnings.
  bool strict = false;
  // When set, every environment bind variable is looked up with it; a missing one is an error
  // naming the variable (`capstan validate --env`). Unset: binds are not checked.
  std::function<std::optional<std::string>(const std::string&)> env_lookup;
};

struct LoadResult {
  // Present iff `diagnostics` holds no error.
  std::optional<Document> document;
  // Sorted by position (see sortDiagnostics).
  std::vector<Diagnostic> diagnostics;

  bool ok() const { return document.has_value(); }
};

// Larger files are refused unread (a capability is kilobytes; the parser's memory grows ~100x).
inline constexpr std::uintmax_t kMaxDocumentBytes = 4 * 1024 * 1024;

// Reads and checks `path`. Never throws for a bad document: every problem is a diagnostic.
LoadResult loadDocument(const std::filesystem::path& path, const LoadOptions& options = {});

// Same as loadDocument on in-memory text; `path` names the text in diagnostics and anchors
// relative `location`s of imports.
LoadResult loadDocumentFromString(std::string_view text, const std::filesystem::path& path,
                                  const LoadOptions& options = {});

// The YAML file as JSON text, scalars typed the way the loader types them (YAML 1.2 core schema);
// nullopt when it cannot be read or parsed. Lets tests hand capability files to JSON Schema
// validators.
std::optional<std::string> yamlFileAsJson(const std::filesystem::path& path);

}  // namespace capstan::spec
