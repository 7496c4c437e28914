// Runs every case of the JSONPath Compliance Test Suite (RFC 9535), one test per case.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "jsonpath/jsonpath.hpp"

namespace capstan::jsonpath {
namespace {

struct CtsCase {
  std::size_t number = 0;
  boost::json::object spec;
};

// Printed by GoogleTest when a case fails.
void PrintTo(const CtsCase& test_case, std::ostream* out) {
  *out << "case " << test_case.number << ": " << test_case.spec.at("selector").as_string();
}

std::vector<CtsCase> loadCases() {
  std::ifstream file(CAPSTAN_JSONPATH_CTS);
  std::stringstream text;
  text << file.rdbuf();
  std::vector<CtsCase> cases;
  if (!file) return cases;
  boost::json::value suite = boost::json::parse(text.str());
  std::size_t number = 0;
  for (const auto& test : suite.at("tests").as_array()) {
    cases.push_back(CtsCase{++number, test.as_object()});
  }
  return cases;
}

// Test names allow only [A-Za-z0-9_]: "filter, equals number" becomes 0042_filter_equals_number.
std::string caseName(const testing::TestParamInfo<CtsCase>& info) {
  std::string name = std::to_string(info.param.number);
  name.insert(0, 4 - std::min<std::size_t>(4, name.size()), '0');
  name += '_';
  for (char c : std::string_view(info.param.spec.at("name").as_string())) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (keep) {
      name += c;
    } else if (name.back() != '_') {
      name += '_';
    }
  }
  while (name.back() == '_') name.pop_back();
  return name;
}

boost::json::array valuesOf(const NodeList& nodes) {
  boost::json::array out;
  for (const auto* node : nodes) out.push_back(*node);
  return out;
}

boost::json::array pathsOf(const std::vector<LocatedNode>& nodes) {
  boost::json::array out;
  for (const auto& node : nodes) out.emplace_back(node.path);
  return out;
}

class Cts : public testing::TestWithParam<CtsCase> {};

TEST_P(Cts, Case) {
  const auto& spec = GetParam().spec;
  std::string_view selector = spec.at("selector").as_string();
  auto query = compile(selector);

  if (spec.contains("invalid_selector")) {
    EXPECT_FALSE(query.ok()) << "accepted the invalid query " << selector;
    return;
  }
  ASSERT_TRUE(query.ok()) << "rejected " << selector << ": " << query.error().describe();
  const auto& document = spec.at("document");
  boost::json::value actual = valuesOf(query->select(document));
  boost::json::value actual_paths = pathsOf(query->selectLocated(document));

  if (spec.contains("result")) {
    EXPECT_EQ(actual, spec.at("result")) << selector;
    EXPECT_EQ(actual_paths, spec.at("result_paths")) << selector;
    return;
  }
  // Several nodelists are allowed when the order of object members is unspecified.
  bool any = false;
  const auto& results = spec.at("results").as_array();
  const auto& results_paths = spec.at("results_paths").as_array();
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (actual == results[i] && actual_paths == results_paths[i]) any = true;
  }
  EXPECT_TRUE(any) << selector << " gave " << boost::json::serialize(actual) << " at "
                   << boost::json::serialize(actual_paths);
}

INSTANTIATE_TEST_SUITE_P(Rfc9535, Cts, testing::ValuesIn(loadCases()), caseName);

TEST(CtsFile, IsPresentAndComplete) {
  EXPECT_GT(loadCases().size(), 600u) << "could not read " << CAPSTAN_JSONPATH_CTS;
}

}  // namespace
}  // namespace capstan::jsonpath
