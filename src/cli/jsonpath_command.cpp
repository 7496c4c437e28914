// `capstan jsonpath QUERY [FILE]`: tries a mapping against a saved response (RFC 9535).
#include <array>
#include <boost/json/parse.hpp>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>

#include "cli/commands.hpp"
#include "jsonpath/jsonpath.hpp"
#include "support/json_text.hpp"

namespace capstan::cli {
namespace {

struct JsonpathArguments {
  std::string query;
  std::string file;
  bool paths = false;
};

// A saved upstream response is at most what `serve` accepts from an upstream by default; reading
// stops there, so a device or a runaway pipe cannot exhaust memory.
constexpr std::size_t kMaxDocumentBytes = 64 * 1024 * 1024;

// Empty on success, else what went wrong.
std::string readDocument(const std::string& file, std::string& text) {
  std::ifstream file_stream;
  std::istream* in = &std::cin;
  if (!file.empty() && file != "-") {
    file_stream.open(file, std::ios::binary);
    if (!file_stream) return "cannot read " + file;
    in = &file_stream;
  }
  std::array<char, 64 * 1024> chunk{};
  while (*in) {
    in->read(chunk.data(), chunk.size());
    text.append(chunk.data(), static_cast<std::size_t>(in->gcount()));
    if (text.size() > kMaxDocumentBytes) {
      return (file.empty() ? std::string("stdin") : file) + " is over " +
             std::to_string(kMaxDocumentBytes / (1024 * 1024)) + " MiB";
    }
  }
  return {};
}

// Prints the query with a caret under the offending byte.
void printQueryError(const std::string& query, const jsonpath::Error& error) {
  std::cerr << "capstan jsonpath: invalid query: " << error.describe() << '\n'
            << "  " << query << '\n'
            << "  " << std::string(std::min(error.offset, query.size()), ' ') << "^\n";
}

int runJsonpath(const JsonpathArguments& arguments) {
  // Capabilities write "$." for the root; accept it here too, since authors paste mappings.
  auto query = jsonpath::compile(arguments.query, jsonpath::Options{.allow_dot_root = true});
  if (!query) {
    printQueryError(arguments.query, query.error());
    return 1;
  }
  if (query->usedDotRoot()) {
    std::cerr << "capstan jsonpath: warning: \"$.\" is not RFC 9535; read as \"$\"\n";
  }

  std::string text;
  const std::string source = arguments.file.empty() ? "stdin" : arguments.file;
  if (auto problem = readDocument(arguments.file, text); !problem.empty()) {
    std::cerr << "capstan jsonpath: " << problem << '\n';
    return 1;
  }
  boost::json::parse_options options;
  options.max_depth = 1000;
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(text, ec, {}, options);
  if (ec) {
    std::cerr << "capstan jsonpath: " << source << " is not JSON: " << ec.message() << '\n';
    return 1;
  }

  // The nodelist is written node by node: the result of `$..*..*` repeats deep subtrees, and
  // copying them into one array first would hold all of that text in memory at once.
  std::cout << '[';
  bool first = true;
  auto emit = [&](const boost::json::value& value) {
    if (!first) std::cout << ',';
    first = false;
    std::cout << toJsonText(value);
  };
  if (arguments.paths) {
    for (const auto& node : query->selectLocated(document)) emit(boost::json::value(node.path));
  } else {
    for (const auto* node : query->select(document)) emit(*node);
  }
  std::cout << "]\n";
  return 0;
}

}  // namespace

void addJsonpathCommand(CLI::App& app, int& exit_code) {
  auto arguments = std::make_shared<JsonpathArguments>();
  auto* command = app.add_subcommand(
      "jsonpath", "Apply an RFC 9535 JSONPath query to a JSON document and print the nodes");
  command->add_option("QUERY", arguments->query, "JSONPath query, e.g. '$.data[*].id'")->required();
  command->add_option("FILE", arguments->file, "JSON document (default: standard input)");
  command->add_flag("--paths", arguments->paths,
                    "Print the normalized paths of the nodes instead of their values");
  command->callback([arguments, &exit_code] { exit_code = runJsonpath(*arguments); });
}

}  // namespace capstan::cli
