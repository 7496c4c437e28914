#include "cli/mapping_checks.hpp"

#include <string>

#include "jsonpath/jsonpath.hpp"

namespace capstan::cli {
namespace {

class MappingChecker {
 public:
  MappingChecker(bool strict, std::vector<spec::Diagnostic>& diagnostics)
      : strict_(strict), diagnostics_(diagnostics) {}

  void check(const std::vector<spec::OutputParameter>& outputs, bool exposed) {
    for (const auto& output : outputs) checkOne(output, exposed);
  }

 private:
  void checkOne(const spec::OutputParameter& output, bool exposed) {
    if (exposed && output.mapping) {
      checkQuery(*output.mapping, output.pos, output.pointer + "/mapping", "mapping");
    }
    // On the consumed side `value` is a JSONPath into the upstream answer when it starts with `$`;
    // anything else is a static value.
    if (!exposed && output.value && output.value->kind == spec::ScalarKind::kString &&
        output.value->text.starts_with('$')) {
      const auto& value = *output.value;
      checkQuery(value.text, value.pos.line ? value.pos : output.pos,
                 value.pointer.empty() ? output.pointer + "/value" : value.pointer, "value");
    }
    check(output.properties, exposed);
    check(output.items, exposed);
  }

  void checkQuery(const std::string& text, const spec::SourcePos& pos, const std::string& pointer,
                  const char* field) {
    auto query = jsonpath::compile(text, jsonpath::Options{.allow_dot_root = true});
    if (!query) {
      diagnostics_.push_back({spec::Severity::kError, pos, pointer,
                              std::string("invalid JSONPath in `") + field + "` '" + text +
                                  "': " + query.error().describe(),
                              "invalid-jsonpath"});
      return;
    }
    if (strict_ && query->usedDotRoot()) {
      diagnostics_.push_back({spec::Severity::kWarning, pos, pointer,
                              std::string("`") + field +
                                  ": $.` is not RFC 9535 JSONPath; capstan reads it as `$` (the "
                                  "whole document)",
                              "dot-root"});
    }
  }

  bool strict_;
  std::vector<spec::Diagnostic>& diagnostics_;
};

}  // namespace

void checkMappings(const spec::Document& document, bool strict,
                   std::vector<spec::Diagnostic>& diagnostics) {
  MappingChecker checker(strict, diagnostics);
  for (const auto* consumes : {&document.capability.consumes, &document.shared_consumes}) {
    for (const auto& consumed : *consumes) {
      for (const auto& resource : consumed.resources) {
        for (const auto& operation : resource.operations) {
          checker.check(operation.output_parameters, false);
        }
      }
    }
  }
  for (const auto& adapter : document.capability.rest) {
    for (const auto& resource : adapter.resources) {
      for (const auto& operation : resource.operations) {
        checker.check(operation.output_parameters, true);
      }
    }
  }
  for (const auto& adapter : document.capability.mcp) {
    for (const auto& tool : adapter.tools) checker.check(tool.output_parameters, true);
  }
  spec::sortDiagnostics(diagnostics);
}

}  // namespace capstan::cli
