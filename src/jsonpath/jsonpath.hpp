// JSONPath (RFC 9535) over Boost.JSON: compile a query once, evaluate it many times.
//
//   auto query = jsonpath::compile("$.data[?@.status == 'completed'].id");
//   if (!query) report(query.error().describe());
//   for (const boost::json::value* node : query->select(document)) ...
//
// Evaluation never throws and never re-parses; it allocates only for the result list (and for
// I-Regexp patterns that come from the document rather than from the query).
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jsonpath/result.hpp"

namespace capstan::jsonpath {

namespace detail {
struct CompiledQuery;
}

struct Options {
  // Naftiko capabilities write "$." for the whole document, which RFC 9535 rejects (a dot must
  // be followed by a member name or "*"). When set, the exact text "$." is read as "$" and
  // Query::usedDotRoot() reports it so that `validate --strict` can warn.
  bool allow_dot_root = false;
};

// A query that does not conform to RFC 9535, or is not well-typed (§2.4.3).
struct Error {
  std::string message;
  std::size_t offset = 0;  // byte offset in the query text

  // "<message> at offset <n>"
  std::string describe() const;
};

// One node of a result, with its location as an RFC 9535 §2.7 normalized path.
struct LocatedNode {
  const boost::json::value* value = nullptr;
  std::string path;
};

// A nodelist: pointers into the document passed to select(), valid while it lives unchanged.
using NodeList = std::vector<const boost::json::value*>;

// A compiled, immutable query. Copies share the compiled form; safe to use from many threads.
class Query {
 public:
  // The nodelist of the query applied to `document` (RFC 9535 §2.1.2), in result order.
  NodeList select(const boost::json::value& document) const;

  // Same, appending to `out` (lets a caller reuse one buffer).
  void selectInto(const boost::json::value& document, NodeList& out) const;

  // The nodelist with the normalized path of each node.
  std::vector<LocatedNode> selectLocated(const boost::json::value& document) const;

  // The first node of the result, or nullptr when the result is empty. Stops at the first node.
  const boost::json::value* selectFirst(const boost::json::value& document) const;

  // A singular query (RFC 9535 §2.3.5.1): only name and index selectors in child segments, so
  // its result has at most one node.
  bool isSingular() const;

  // The query is "$" (or "$." under Options::allow_dot_root): its result is the document.
  bool isIdentity() const;

  // The text was "$." and was accepted through Options::allow_dot_root.
  bool usedDotRoot() const;

  // The query text as given to compile().
  const std::string& text() const;

 private:
  friend Result<Query, Error> compile(std::string_view text, const Options& options);
  explicit Query(std::shared_ptr<const detail::CompiledQuery> compiled);

  std::shared_ptr<const detail::CompiledQuery> compiled_;
};

using CompileResult = Result<Query, Error>;

// Parses and type-checks `text` (RFC 9535 §2). Never throws on bad input.
CompileResult compile(std::string_view text, const Options& options = {});

// Appends the normalized-path form of one member name, `['name']` (RFC 9535 §2.7).
void appendNormalizedName(std::string& out, std::string_view name);

}  // namespace capstan::jsonpath
