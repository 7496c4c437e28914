// Fuzzes the RFC 9535 query parser: any byte string must compile or fail with an offset inside
// the text, and a compiled query must evaluate (with and without paths) without crashing.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "jsonpath/jsonpath.hpp"

namespace {

const boost::json::value& document() {
  static const boost::json::value kDocument = boost::json::parse(R"({
    "data": [
      {"id": "a", "status": "completed", "progress": 100, "tags": ["x", "y"], "n": 1.5,
       "result": {"images": [{"url": "u1", "index": 1}, {"url": "u2", "index": 2}]}},
      {"id": "b", "status": "pending", "progress": "50", "tags": [], "n": null, "ok": true},
      [1, [2, [3, [4]]]], "\u00e9t\u00e9", -0.0, 18446744073709551615
    ],
    "total": 2, "": {"'\\\"": [{}]}, "regex": "[a-z]+"
  })");
  return kDocument;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (bool dot_root : {false, true}) {
    auto query =
        capstan::jsonpath::compile(text, capstan::jsonpath::Options{.allow_dot_root = dot_root});
    if (!query) {
      if (query.error().offset > text.size()) std::abort();
      continue;
    }
    auto nodes = query->select(document());
    auto located = query->selectLocated(document());
    if (nodes.size() != located.size()) std::abort();
    if (query->isSingular() && nodes.size() > 1) std::abort();
    (void)query->selectFirst(document());
  }
  return 0;
}
