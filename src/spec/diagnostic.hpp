// Load-time diagnostics in compiler form: `path:line:col: error|warning: <json-pointer>: message`.
#pragma once

#include <string>
#include <vector>

#include "spec/model.hpp"

namespace capstan::spec {

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourcePos pos;
  std::string json_pointer;  // "" for the document root
  std::string message;
  // Stable identifier of the check, e.g. "duplicate-key", "unknown-key", "unsupported". Tests and
  // --strict rely on it; it is not printed.
  std::string code;
};

// `path:line:col: error: /capability/consumes/0/baseUri: message`. The pointer part is written as
// `/` when the diagnostic is about the whole document.
std::string formatDiagnostic(const Diagnostic& diagnostic);

// Orders by file, line, column, then severity (errors first), then message.
void sortDiagnostics(std::vector<Diagnostic>& diagnostics);

bool hasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace capstan::spec
