// `capstan validate FILE...`: checks capability files like a compiler checks sources.
// Diagnostics go to stdout as `path:line:col: error|warning: <json-pointer>: message`, sorted by
// position, then one summary line. Exit 0 without errors, 1 with errors, 2 on a usage error.
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/mapping_checks.hpp"
#include "spec/loader.hpp"

namespace capstan::cli {
namespace {

struct ValidateOptions {
  std::vector<std::string> files;
  bool strict = false;
  bool env = false;
  bool quiet = false;
};

std::string plural(std::size_t count, const char* noun) {
  return std::to_string(count) + ' ' + noun + (count == 1 ? "" : "s");
}

int runValidate(const ValidateOptions& options) {
  spec::LoadOptions load_options;
  load_options.strict = options.strict;
  if (options.env) {
    load_options.env_lookup = [](const std::string& name) -> std::optional<std::string> {
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) return std::nullopt;
      return std::string(value);
    };
  }

  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const std::string& file : options.files) {
    spec::LoadResult result = spec::loadDocument(file, load_options);
    if (result.document) checkMappings(*result.document, options.strict, result.diagnostics);
    // LoadResult holds a document only when there is no error.
    if (spec::hasErrors(result.diagnostics)) result.document.reset();
    for (const spec::Diagnostic& diagnostic : result.diagnostics) {
      if (diagnostic.severity == spec::Severity::kError) {
        ++errors;
      } else {
        ++warnings;
        if (options.quiet) continue;
      }
      std::cout << spec::formatDiagnostic(diagnostic) << '\n';
    }
  }
  std::cout << plural(options.files.size(), "file") << " checked: " << plural(errors, "error")
            << ", " << plural(warnings, "warning") << '\n';
  return errors == 0 ? 0 : 1;
}

}  // namespace

void addValidateCommand(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  auto* command = app.add_subcommand(
      "validate", "Check capability files; print diagnostics as path:line:col: severity: message");
  command->add_option("files", options->files, "Naftiko capability files (YAML)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_flag("--strict", options->strict,
                    "Treat every divergence from the official Naftiko JSON schema as an error");
  command->add_flag("--env", options->env,
                    "Also check that every bind variable is set (environment or bind file)");
  command->add_flag("-q,--quiet", options->quiet, "Print errors only (warnings still counted)");
  command->callback([options, &exit_code] { exit_code = runValidate(*options); });
}

}  // namespace capstan::cli
