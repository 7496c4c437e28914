#include "engine/json_check.hpp"

#include <boost/json/basic_parser_impl.hpp>
#include <cstdint>
#include <limits>

namespace capstan::engine {

namespace {

// A basic_parser handler that accepts every event: only the syntax check remains.
struct DiscardingHandler {
  using ErrorCode = boost::system::error_code;
  using View = boost::json::string_view;
  static constexpr std::size_t max_object_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_array_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_key_size = std::numeric_limits<std::size_t>::max();
  static constexpr std::size_t max_string_size = std::numeric_limits<std::size_t>::max();

  bool on_document_begin(ErrorCode&) { return true; }
  bool on_document_end(ErrorCode&) { return true; }
  bool on_object_begin(ErrorCode&) { return true; }
  bool on_object_end(std::size_t, ErrorCode&) { return true; }
  bool on_array_begin(ErrorCode&) { return true; }
  bool on_array_end(std::size_t, ErrorCode&) { return true; }
  bool on_key_part(View, std::size_t, ErrorCode&) { return true; }
  bool on_key(View, std::size_t, ErrorCode&) { return true; }
  bool on_string_part(View, std::size_t, ErrorCode&) { return true; }
  bool on_string(View, std::size_t, ErrorCode&) { return true; }
  bool on_number_part(View, ErrorCode&) { return true; }
  bool on_int64(std::int64_t, View, ErrorCode&) { return true; }
  bool on_uint64(std::uint64_t, View, ErrorCode&) { return true; }
  bool on_double(double, View, ErrorCode&) { return true; }
  bool on_bool(bool, ErrorCode&) { return true; }
  bool on_null(ErrorCode&) { return true; }
  bool on_comment_part(View, ErrorCode&) { return true; }
  bool on_comment(View, ErrorCode&) { return true; }
};

}  // namespace

bool isJsonText(std::string_view text) {
  // Same limits as boost::json::parse's defaults (nesting depth 32), so both paths agree.
  boost::json::basic_parser<DiscardingHandler> parser(boost::json::parse_options{});
  boost::system::error_code ec;
  const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  return !ec && consumed == text.size() && parser.done();
}

}  // namespace capstan::engine
