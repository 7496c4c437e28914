#include <iostream>

#include "cli/commands.hpp"

namespace capstan::cli {

// TODO(#2): replaced by the component that owns this command.
void addValidateCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("validate", "not yet available");
  command->allow_extras();
  command->callback([&exit_code] {
    std::cerr << "capstan validate: not yet available in this build\n";
    exit_code = 1;
  });
}

}  // namespace capstan::cli
