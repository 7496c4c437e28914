#include "spec/diagnostic.hpp"

#include <algorithm>
#include <tuple>

namespace capstan::spec {

std::string formatDiagnostic(const Diagnostic& diagnostic) {
  std::string text = diagnostic.pos.file;
  text += ':' + std::to_string(diagnostic.pos.line) + ':' + std::to_string(diagnostic.pos.column);
  text += diagnostic.severity == Severity::kError ? ": error: " : ": warning: ";
  text += diagnostic.json_pointer.empty() ? "/" : diagnostic.json_pointer;
  text += ": ";
  text += diagnostic.message;
  return text;
}

void sortDiagnostics(std::vector<Diagnostic>& diagnostics) {
  auto key = [](const Diagnostic& d) {
    return std::tie(d.pos.file, d.pos.line, d.pos.column, d.severity, d.json_pointer, d.message);
  };
  std::stable_sort(diagnostics.begin(), diagnostics.end(),
                   [&](const Diagnostic& a, const Diagnostic& b) { return key(a) < key(b); });
  diagnostics.erase(
      std::unique(diagnostics.begin(), diagnostics.end(),
                  [&](const Diagnostic& a, const Diagnostic& b) { return key(a) == key(b); }),
      diagnostics.end());
}

bool hasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

}  // namespace capstan::spec
