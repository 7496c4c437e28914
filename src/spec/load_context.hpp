// Internal to the spec component: state shared by the YAML walk (loader.cpp) and the semantic
// checks over the finished model (checks.cpp).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/loader.hpp"
#include "spec/model.hpp"

namespace capstan::spec::detail {

class LoadContext {
 public:
  LoadContext(const LoadOptions& options, std::vector<Diagnostic>& diagnostics)
      : options_(options), diagnostics_(diagnostics) {}

  const LoadOptions& options() const { return options_; }
  bool strict() const { return options_.strict; }

  void report(Severity severity, SourcePos pos, std::string pointer, std::string message,
              std::string code) {
    diagnostics_.push_back(Diagnostic{severity, std::move(pos), std::move(pointer),
                                      std::move(message), std::move(code)});
  }
  void error(const SourcePos& pos, std::string pointer, std::string message, std::string code) {
    report(Severity::kError, pos, std::move(pointer), std::move(message), std::move(code));
  }
  void warning(const SourcePos& pos, std::string pointer, std::string message, std::string code) {
    report(Severity::kWarning, pos, std::move(pointer), std::move(message), std::move(code));
  }
  // A construct capstan accepts but the official Naftiko schema rejects: an error under --strict,
  // otherwise a warning when `warn` is set, else silent.
  void divergence(const SourcePos& pos, std::string pointer, std::string message, std::string code,
                  bool warn) {
    if (strict()) {
      error(pos, std::move(pointer), std::move(message) + " [--strict]", std::move(code));
    } else if (warn) {
      warning(pos, std::move(pointer), std::move(message), std::move(code));
    }
  }

  // Positions of every value seen, by file and JSON pointer, so that checks over the model can
  // point at a field (e.g. `/path`) rather than at the enclosing object.
  void rememberPos(const SourcePos& pos, const std::string& pointer) {
    value_pos_[pos.file + '\n' + pointer] = pos;
  }
  SourcePos posOf(const SourcePos& owner, const std::string& pointer) const {
    auto found = value_pos_.find(owner.file + '\n' + pointer);
    return found == value_pos_.end() ? owner : found->second;
  }

 private:
  const LoadOptions& options_;
  std::vector<Diagnostic>& diagnostics_;
  std::map<std::string, SourcePos> value_pos_;
};

// Levenshtein-closest candidate within a small distance, for "did you mean" hints; empty if none.
std::string closestMatch(std::string_view word, const std::vector<std::string>& candidates);

// `{{name}}` variables of a Mustache template (section markers and comments skipped).
std::vector<std::string> mustacheVariables(std::string_view text);

// Semantic checks over a fully built document (references, placeholders, ports, namespaces,
// inferred inputs, binds).
void checkDocument(const Document& document, LoadContext& context);

}  // namespace capstan::spec::detail
