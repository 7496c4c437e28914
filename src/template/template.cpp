#include "template/template.hpp"

namespace capstan::tmpl {

namespace {

std::string_view trimSpaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

struct Tag {
  std::size_t begin = 0;  // offset of the first brace
  std::size_t end = 0;    // one past the last brace
  std::string_view name;
};

// Finds the next `{{...}}` or `{{{...}}}` at or after `from`.
std::optional<Tag> nextTag(std::string_view text, std::size_t from) {
  const std::size_t open = text.find("{{", from);
  if (open == std::string_view::npos) return std::nullopt;
  const bool triple = text.substr(open).starts_with("{{{");
  const std::string_view closing = triple ? "}}}" : "}}";
  const std::size_t inner = open + (triple ? 3 : 2);
  const std::size_t close = text.find(closing, inner);
  if (close == std::string_view::npos) return std::nullopt;
  return Tag{open, close + closing.size(), trimSpaces(text.substr(inner, close - inner))};
}

}  // namespace

Rendered render(std::string_view text, const Lookup& lookup) {
  Rendered out;
  out.text.reserve(text.size());
  std::size_t cursor = 0;
  while (auto tag = nextTag(text, cursor)) {
    out.text.append(text.substr(cursor, tag->begin - cursor));
    if (auto value = lookup ? lookup(tag->name) : std::nullopt) {
      out.text.append(*value);
    } else {
      out.missing.emplace_back(tag->name);
    }
    cursor = tag->end;
  }
  out.text.append(text.substr(cursor));
  return out;
}

std::vector<std::string> variables(std::string_view text) {
  std::vector<std::string> names;
  std::size_t cursor = 0;
  while (auto tag = nextTag(text, cursor)) {
    names.emplace_back(tag->name);
    cursor = tag->end;
  }
  return names;
}

bool isSingleVariable(std::string_view text, std::string& name) {
  auto tag = nextTag(text, 0);
  if (!tag || tag->begin != 0 || tag->end != text.size()) return false;
  name = std::string(tag->name);
  return true;
}

}  // namespace capstan::tmpl
