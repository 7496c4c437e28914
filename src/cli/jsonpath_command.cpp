// `capstan jsonpath QUERY [FILE]`: tries a mapping against a saved response (RFC 9535).
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

bool readDocument(const std::string& file, std::string& text) {
  if (file.empty() || file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
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
  if (!readDocument(arguments.file, text)) {
    std::cerr << "capstan jsonpath: cannot read " << source << '\n';
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

  boost::json::array out;
  if (arguments.paths) {
    for (const auto& node : query->selectLocated(document)) out.emplace_back(node.path);
  } else {
    for (const auto* node : query->select(document)) out.push_back(*node);
  }
  std::cout << toJsonText(out) << '\n';
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
