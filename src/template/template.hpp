// Mustache-style variable rendering for capability strings: `{{name}}`, `{{{name}}}` and
// `{{ name }}`. Capabilities use only variables (no sections or partials), and capstan never
// HTML-escapes: the output goes into URLs, headers and JSON, each with its own encoding step.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capstan::tmpl {

using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

struct Rendered {
  std::string text;
  // Variables the lookup did not know, in order of appearance; rendered as "".
  std::vector<std::string> missing;

  bool complete() const { return missing.empty(); }
};

Rendered render(std::string_view text, const Lookup& lookup);

// Names of the variables in `text`, in order of appearance.
std::vector<std::string> variables(std::string_view text);

// True when `text` is exactly one variable (`{{x}}`, `{{{x}}}`) and nothing else; sets `name`.
bool isSingleVariable(std::string_view text, std::string& name);

}  // namespace capstan::tmpl
