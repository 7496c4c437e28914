#include <csignal>
#include <exception>
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // A reader that goes away (a closed stdout pipe, a reset socket) is an error value on that
  // write, never a process-killing SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"capstan: serves Naftiko capabilities as REST and MCP"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "capstan 0.1.0");

  int exit_code = 0;
  capstan::cli::addValidateCommand(app, exit_code);
  capstan::cli::addJsonpathCommand(app, exit_code);
  capstan::cli::addSandboxCommand(app, exit_code);
  capstan::cli::addServeCommand(app, exit_code);
  capstan::cli::addExportCommand(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // Usage errors exit 2, like compilers and POSIX utilities.
    int code = app.exit(error);
    return code == 0 ? 0 : 2;
  } catch (const std::exception& error) {
    std::cerr << "capstan: " << error.what() << '\n';
    return 1;
  }
  return exit_code;
}
