// Checks of a loaded capability that need the JSONPath compiler, which the spec component does
// not depend on (DESIGN.md: dependencies point down the table). `validate` and `serve` both run
// them, so a bad mapping is reported with its file, line and column before anything starts.
#pragma once

#include <vector>

#include "spec/diagnostic.hpp"
#include "spec/model.hpp"

namespace capstan::cli {

// Compiles every outputParameters `mapping` (exposed side) and JSONPath `value` (consumed side).
// An invalid query is an error naming the offset; the Naftiko habit `$.` for the root is read as
// `$` (RFC 9535 §2.2 has no such form) and, under --strict, reported as a warning.
void checkMappings(const spec::Document& document, bool strict,
                   std::vector<spec::Diagnostic>& diagnostics);

}  // namespace capstan::cli
