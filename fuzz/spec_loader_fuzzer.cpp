// Fuzzes the capability loader (YAML parse, model walk, diagnostics, semantic checks). Nothing
// may crash or hang, whatever the bytes; a document is returned only when no error was reported.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "spec/loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool strict : {false, true}) {
    capstan::spec::LoadOptions options;
    options.strict = strict;
    const capstan::spec::LoadResult result =
        capstan::spec::loadDocumentFromString(text, "fuzz.yaml", options);
    if (result.document.has_value() == capstan::spec::hasErrors(result.diagnostics)) std::abort();
    for (const capstan::spec::Diagnostic& diagnostic : result.diagnostics) {
      if (capstan::spec::formatDiagnostic(diagnostic).empty()) std::abort();
    }
  }
  return 0;
}
