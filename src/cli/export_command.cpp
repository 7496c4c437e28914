// `capstan export openapi FILE [--adapter NS] [--output OUT]`: the OpenAPI 3.1 description of a
// REST adapter, with the parameters the engine infers (DESIGN.md "Semantics" 4).
#include <boost/asio/io_context.hpp>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "engine/engine.hpp"
#include "rest/openapi.hpp"
#include "spec/loader.hpp"
#include "support/json_text.hpp"
#include "upstream/client.hpp"

namespace capstan::cli {

namespace {

struct ExportArgs {
  std::string file;
  std::string adapter;
  std::string output;
};

// Exporting describes the capability; it never calls an upstream.
class NoUpstream final : public upstream::Transport {
 public:
  boost::asio::awaitable<upstream::Result> send(upstream::Request,
                                                boost::asio::cancellation_slot) override {
    upstream::Result result;
    result.failure = upstream::Failure::kConnect;
    result.detail = "export does not call upstreams";
    co_return result;
  }
};

int runExportOpenApi(const ExportArgs& args) {
  auto loaded = spec::loadDocument(args.file);
  for (const auto& diagnostic : loaded.diagnostics) {
    if (diagnostic.severity == spec::Severity::kError) {
      std::cerr << spec::formatDiagnostic(diagnostic) << "\n";
    }
  }
  if (!loaded.ok()) {
    std::cerr << "capstan export: " << args.file << " has errors\n";
    return 1;
  }
  // The description does not depend on secret values: every bind gets a stand-in, so exporting
  // needs neither the environment variables nor the bind files.
  spec::Document document = std::move(*loaded.document);
  for (auto& bind : document.binds) bind.location.reset();

  const spec::RestAdapter* adapter = nullptr;
  for (const auto& candidate : document.capability.rest) {
    if (args.adapter.empty() || candidate.namespace_ == args.adapter) {
      adapter = &candidate;
      break;
    }
  }
  if (adapter == nullptr) {
    std::cerr << "capstan export: "
              << (args.adapter.empty() ? "the capability exposes no REST adapter"
                                       : "no REST adapter has namespace '" + args.adapter + "'")
              << "\n";
    return 1;
  }

  boost::asio::io_context io;
  engine::EngineOptions options;
  options.env_lookup = [](const std::string&) -> std::optional<std::string> {
    return std::string("export-placeholder");
  };
  options.transport = std::make_shared<NoUpstream>();
  std::string text;
  try {
    engine::Engine engine(document, io.get_executor(), std::move(options));
    text = toJsonText(rest::openApiFor(
        document, *adapter, engine.operationsOf(engine::Surface::kRest, adapter->namespace_)));
  } catch (const std::exception& error) {
    std::cerr << "capstan export: " << error.what() << "\n";
    return 1;
  }
  text += '\n';

  if (args.output.empty() || args.output == "-") {
    std::cout << text << std::flush;
    return 0;
  }
  std::ofstream out(args.output, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "capstan export: cannot write " << args.output << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

void addExportCommand(CLI::App& app, int& exit_code) {
  auto* command = app.add_subcommand("export", "Describe an exposed adapter in another format");
  command->require_subcommand(1);
  auto args = std::make_shared<ExportArgs>();
  auto* openapi = command->add_subcommand("openapi", "OpenAPI 3.1 (JSON) of a REST adapter");
  openapi->add_option("file", args->file, "Capability file")->required()->check(CLI::ExistingFile);
  openapi->add_option("--adapter", args->adapter,
                      "Namespace of the REST adapter (default: the first one)");
  openapi->add_option("-o,--output", args->output, "Output file (default: stdout)");
  openapi->callback([args, &exit_code] { exit_code = runExportOpenApi(*args); });
}

}  // namespace capstan::cli
