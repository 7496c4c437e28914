#include "template/template.hpp"

#include <gtest/gtest.h>

#include <map>

namespace capstan::tmpl {
namespace {

Lookup from(std::map<std::string, std::string, std::less<>> values) {
  return [values = std::move(values)](std::string_view name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

TEST(Render, DoubleTripleAndSpacedTagsAreTheSameVariable) {
  auto lookup = from({{"x", "1"}});
  EXPECT_EQ(render("a{{x}}b{{{x}}}c{{ x }}d", lookup).text, "a1b1c1d");
}

TEST(Render, ValuesAreInsertedOnceAndNeverRenderedAgain) {
  // A caller value that looks like a template must not reach the secrets (template injection).
  auto lookup = from({{"status", "{{env.API_KEY}}"}, {"env.API_KEY", "sk-live"}});
  auto rendered = render("status={{status}}", lookup);
  EXPECT_EQ(rendered.text, "status={{env.API_KEY}}");
  EXPECT_TRUE(rendered.complete());
}

TEST(Render, NoHtmlEscaping) {
  // Mustache escapes {{x}} for HTML by default; capstan's outputs are URLs, headers and JSON.
  EXPECT_EQ(render("{{x}}", from({{"x", "<a&b>\"'"}})).text, "<a&b>\"'");
}

TEST(Render, MissingVariablesAreReportedInOrder) {
  auto rendered = render("{{a}}-{{known}}-{{b}}", from({{"known", "k"}}));
  EXPECT_EQ(rendered.text, "-k-");
  EXPECT_EQ(rendered.missing, (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(rendered.complete());
}

TEST(Render, SingleBracesAndUnclosedTagsAreText) {
  auto lookup = from({{"x", "1"}});
  EXPECT_EQ(render("/jobs/{x}", lookup).text, "/jobs/{x}") << "only {{ }} is a template tag";
  EXPECT_EQ(render("a {{x", lookup).text, "a {{x");
  EXPECT_TRUE(render("a {{x", lookup).complete());
}

TEST(Render, AdjacentTagsAndEmptyValues) {
  EXPECT_EQ(render("{{a}}{{b}}", from({{"a", ""}, {"b", "2"}})).text, "2");
}

TEST(Variables, ListsNamesInOrderOfAppearance) {
  EXPECT_EQ(variables("{{ env.KEY }} and {{{raw}}} and {{env.KEY}}"),
            (std::vector<std::string>{"env.KEY", "raw", "env.KEY"}));
}

TEST(IsSingleVariable, OnlyAWholeTagCounts) {
  std::string name;
  EXPECT_TRUE(isSingleVariable("{{ rest.x }}", name));
  EXPECT_EQ(name, "rest.x");
  EXPECT_TRUE(isSingleVariable("{{{y}}}", name));
  EXPECT_EQ(name, "y");
  EXPECT_FALSE(isSingleVariable("{{x}}-suffix", name)) << "a template with text renders to text";
  EXPECT_FALSE(isSingleVariable("prefix{{x}}", name));
  EXPECT_FALSE(isSingleVariable("{{a}}{{b}}", name));
  EXPECT_FALSE(isSingleVariable("rest.x", name));
}

}  // namespace
}  // namespace capstan::tmpl
