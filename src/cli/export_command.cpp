#include <iostream>

#include "cli/commands.hpp"

namespace capstan::cli {

// TODO(#2): replaced by the component that owns this command.
void addExportCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("export", "not yet available");
  command->allow_extras();
  command->callback([&exit_code] {
    std::cerr << "capstan export: not yet available in this build\n";
    exit_code = 1;
  });
}

}  // namespace capstan::cli
