// Each subcommand of the `capstan` binary registers itself on the CLI11 app. The callback it
// installs stores its exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace capstan::cli {

void addValidateCommand(CLI::App& app, int& exit_code);
void addJsonpathCommand(CLI::App& app, int& exit_code);
void addSandboxCommand(CLI::App& app, int& exit_code);
void addServeCommand(CLI::App& app, int& exit_code);
void addExportCommand(CLI::App& app, int& exit_code);

}  // namespace capstan::cli
