// RFC 9535 evaluation of a compiled query. Depth-first: each node flows through the remaining
// segments before its next sibling, which yields the nodelist order of §2.1.2 without building
// intermediate lists.
#include <algorithm>
#include <string>

#include "jsonpath/ast.hpp"
#include "jsonpath/jsonpath.hpp"
#include "jsonpath/utf8.hpp"

namespace capstan::jsonpath {
namespace {

using boost::json::value;
using detail::CompareOp;
using detail::FunctionCall;
using detail::FunctionId;
using detail::LogicalExpr;
using detail::Path;
using detail::Segment;
using detail::Selector;
using detail::ValueExpr;

// One step of the location of the node being visited (for normalized paths).
struct PathStep {
  std::string_view key;
  std::size_t index = 0;
  bool is_key = false;
};

// A ValueType result (RFC 9535 §2.4.1): a node, a computed number, or Nothing (node == nullptr).
// Not copyable: `node` may point at `scratch`.
struct EvalValue {
  EvalValue() = default;
  EvalValue(const EvalValue&) = delete;
  EvalValue& operator=(const EvalValue&) = delete;

  void setNumber(std::int64_t number) {
    scratch = number;
    node = &scratch;
  }

  const value* node = nullptr;
  value scratch;
};

bool isNumber(const value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

// long double holds every int64, uint64 and double exactly on the platforms capstan targets
// (x86-64: 64-bit mantissa), so mixed comparisons are exact.
long double numberOf(const value& v) {
  if (v.is_int64()) return static_cast<long double>(v.get_int64());
  if (v.is_uint64()) return static_cast<long double>(v.get_uint64());
  return static_cast<long double>(v.get_double());
}

bool numbersEqual(const value& a, const value& b) {
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  return numberOf(a) == numberOf(b);
}

bool numberLess(const value& a, const value& b) {
  if (a.is_int64() && b.is_int64()) return a.get_int64() < b.get_int64();
  return numberOf(a) < numberOf(b);
}

// RFC 9535 §2.3.5.2.2 equality: numbers by value, strings by code points, arrays and objects
// deeply.
bool deepEqual(const value& a, const value& b) {
  if (isNumber(a) && isNumber(b)) return numbersEqual(a, b);
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case boost::json::kind::null:
      return true;
    case boost::json::kind::bool_:
      return a.get_bool() == b.get_bool();
    case boost::json::kind::string:
      return a.get_string() == b.get_string();
    case boost::json::kind::array: {
      const auto& left = a.get_array();
      const auto& right = b.get_array();
      if (left.size() != right.size()) return false;
      for (std::size_t i = 0; i < left.size(); ++i) {
        if (!deepEqual(left[i], right[i])) return false;
      }
      return true;
    }
    case boost::json::kind::object: {
      const auto& left = a.get_object();
      const auto& right = b.get_object();
      if (left.size() != right.size()) return false;
      for (const auto& member : left) {
        const value* other = right.if_contains(member.key());
        if (other == nullptr || !deepEqual(member.value(), *other)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

bool equalOrBothNothing(const value* a, const value* b) {
  if (a == nullptr || b == nullptr) return a == nullptr && b == nullptr;
  return deepEqual(*a, *b);
}

// "<" is defined for two numbers and for two strings (compared by code points, which for UTF-8
// is byte order); any other pair is false.
bool lessThan(const value* a, const value* b) {
  if (a == nullptr || b == nullptr) return false;
  if (isNumber(*a) && isNumber(*b)) return numberLess(*a, *b);
  if (a->is_string() && b->is_string()) {
    return std::string_view(a->get_string()) < std::string_view(b->get_string());
  }
  return false;
}

bool compare(CompareOp op, const value* a, const value* b) {
  switch (op) {
    case CompareOp::kEq:
      return equalOrBothNothing(a, b);
    case CompareOp::kNe:
      return !equalOrBothNothing(a, b);
    case CompareOp::kLt:
      return lessThan(a, b);
    case CompareOp::kLe:
      return lessThan(a, b) || equalOrBothNothing(a, b);
    case CompareOp::kGt:
      return lessThan(b, a);
    case CompareOp::kGe:
      return lessThan(b, a) || equalOrBothNothing(a, b);
  }
  return false;
}

// RFC 9535 §2.3.4.2.2.
struct SliceBounds {
  std::int64_t lower = 0;
  std::int64_t upper = 0;
};

SliceBounds sliceBounds(const detail::Slice& slice, std::int64_t length) {
  auto normalize = [length](std::int64_t i) { return i >= 0 ? i : length + i; };
  std::int64_t step = slice.step;
  std::int64_t start = slice.start ? normalize(*slice.start) : (step >= 0 ? 0 : length - 1);
  std::int64_t end = slice.end ? normalize(*slice.end) : (step >= 0 ? length : -1);
  SliceBounds bounds;
  if (step >= 0) {
    bounds.lower = std::min(std::max(start, std::int64_t{0}), length);
    bounds.upper = std::min(std::max(end, std::int64_t{0}), length);
  } else {
    bounds.upper = std::min(std::max(start, std::int64_t{-1}), length - 1);
    bounds.lower = std::min(std::max(end, std::int64_t{-1}), length - 1);
  }
  return bounds;
}

class Evaluator {
 public:
  explicit Evaluator(const value& root) : root_(root) {}

  // Feeds every node of `path` applied to `start` to `sink` (bool(const value&), false = stop).
  // Returns false if the sink stopped the walk.
  template <bool kTrack, class Sink>
  bool run(const Path& path, const value& start, Sink& sink) {
    const Segment* first = path.segments.data();
    return walk<kTrack>(first, first + path.segments.size(), start, sink);
  }

  std::string currentPath() const {
    std::string out = "$";
    for (const PathStep& step : steps_) {
      if (step.is_key) {
        appendNormalizedName(out, step.key);
      } else {
        out += '[';
        out += std::to_string(step.index);
        out += ']';
      }
    }
    return out;
  }

 private:
  template <bool kTrack, class Sink>
  bool walk(const Segment* segment, const Segment* end, const value& node, Sink& sink) {
    if (segment == end) return sink(node);
    auto next = [&](const value& child) { return walk<kTrack>(segment + 1, end, child, sink); };
    if (segment->descendant) return descend<kTrack>(*segment, node, next);
    for (const Selector& selector : segment->selectors) {
      if (!select<kTrack>(selector, node, next)) return false;
    }
    return true;
  }

  // RFC 9535 §2.5.2.2: the node itself, then its descendants, arrays in index order.
  template <bool kTrack, class Emit>
  bool descend(const Segment& segment, const value& node, Emit& emit) {
    for (const Selector& selector : segment.selectors) {
      if (!select<kTrack>(selector, node, emit)) return false;
    }
    if (const auto* array = node.if_array()) {
      for (std::size_t i = 0; i < array->size(); ++i) {
        bool more =
            withIndex<kTrack>(i, [&] { return descend<kTrack>(segment, (*array)[i], emit); });
        if (!more) return false;
      }
    } else if (const auto* object = node.if_object()) {
      for (const auto& member : *object) {
        bool more = withKey<kTrack>(member.key(),
                                    [&] { return descend<kTrack>(segment, member.value(), emit); });
        if (!more) return false;
      }
    }
    return true;
  }

  template <bool kTrack, class Body>
  bool withKey(std::string_view key, Body&& body) {
    if constexpr (kTrack) {
      steps_.push_back(PathStep{key, 0, true});
      bool more = body();
      steps_.pop_back();
      return more;
    } else {
      return body();
    }
  }

  template <bool kTrack, class Body>
  bool withIndex(std::size_t index, Body&& body) {
    if constexpr (kTrack) {
      steps_.push_back(PathStep{{}, index, false});
      bool more = body();
      steps_.pop_back();
      return more;
    } else {
      return body();
    }
  }

  template <bool kTrack, class Emit>
  bool emitElement(const boost::json::array& array, std::size_t index, Emit& emit) {
    return withIndex<kTrack>(index, [&] { return emit(array[index]); });
  }

  template <bool kTrack, class Emit>
  bool select(const Selector& selector, const value& node, Emit& emit) {
    switch (selector.kind) {
      case Selector::Kind::kName: {
        const auto* object = node.if_object();
        if (object == nullptr) return true;
        const value* child = object->if_contains(selector.name);
        if (child == nullptr) return true;
        return withKey<kTrack>(selector.name, [&] { return emit(*child); });
      }
      case Selector::Kind::kWildcard:
        return selectChildren<kTrack>(node, emit, [](const value&) { return true; });
      case Selector::Kind::kIndex: {
        const auto* array = node.if_array();
        if (array == nullptr) return true;
        auto length = static_cast<std::int64_t>(array->size());
        std::int64_t index = selector.index >= 0 ? selector.index : length + selector.index;
        if (index < 0 || index >= length) return true;
        return emitElement<kTrack>(*array, static_cast<std::size_t>(index), emit);
      }
      case Selector::Kind::kSlice:
        return selectSlice<kTrack>(selector.slice, node, emit);
      case Selector::Kind::kFilter:
        return selectChildren<kTrack>(
            node, emit, [&](const value& child) { return test(*selector.filter, child); });
    }
    return true;
  }

  template <bool kTrack, class Emit, class Predicate>
  bool selectChildren(const value& node, Emit& emit, Predicate&& keep) {
    if (const auto* array = node.if_array()) {
      for (std::size_t i = 0; i < array->size(); ++i) {
        if (keep((*array)[i]) && !emitElement<kTrack>(*array, i, emit)) return false;
      }
    } else if (const auto* object = node.if_object()) {
      for (const auto& member : *object) {
        if (!keep(member.value())) continue;
        if (!withKey<kTrack>(member.key(), [&] { return emit(member.value()); })) return false;
      }
    }
    return true;
  }

  template <bool kTrack, class Emit>
  bool selectSlice(const detail::Slice& slice, const value& node, Emit& emit) {
    const auto* array = node.if_array();
    if (array == nullptr || slice.step == 0) return true;
    SliceBounds bounds = sliceBounds(slice, static_cast<std::int64_t>(array->size()));
    if (slice.step > 0) {
      for (std::int64_t i = bounds.lower; i < bounds.upper; i += slice.step) {
        if (!emitElement<kTrack>(*array, static_cast<std::size_t>(i), emit)) return false;
      }
    } else {
      for (std::int64_t i = bounds.upper; bounds.lower < i; i += slice.step) {
        if (!emitElement<kTrack>(*array, static_cast<std::size_t>(i), emit)) return false;
      }
    }
    return true;
  }

  // Filter expressions (RFC 9535 §2.3.5.2). Queries inside a filter never track paths.
  bool test(const LogicalExpr& expr, const value& current) {
    switch (expr.kind) {
      case LogicalExpr::Kind::kOr:
        return std::any_of(expr.operands.begin(), expr.operands.end(),
                           [&](const LogicalExpr& operand) { return test(operand, current); });
      case LogicalExpr::Kind::kAnd:
        return std::all_of(expr.operands.begin(), expr.operands.end(),
                           [&](const LogicalExpr& operand) { return test(operand, current); });
      case LogicalExpr::Kind::kNot:
        return !test(expr.operands.front(), current);
      case LogicalExpr::Kind::kExists:
        return exists(expr.query, current);
      case LogicalExpr::Kind::kComparison: {
        EvalValue left;
        EvalValue right;
        evaluate(*expr.left, current, left);
        evaluate(*expr.right, current, right);
        return compare(expr.op, left.node, right.node);
      }
      case LogicalExpr::Kind::kFunction:
        return callLogical(*expr.function, current);
    }
    return false;
  }

  const value& startOf(const Path& path, const value& current) const {
    return path.relative ? current : root_;
  }

  bool exists(const Path& path, const value& current) {
    bool found = false;
    auto sink = [&found](const value&) {
      found = true;
      return false;
    };
    run<false>(path, startOf(path, current), sink);
    return found;
  }

  // A singular query yields at most one node; walk it directly.
  const value* singular(const Path& path, const value& current) const {
    const value* node = &startOf(path, current);
    for (const Segment& segment : path.segments) {
      const Selector& selector = segment.selectors.front();
      if (selector.kind == Selector::Kind::kName) {
        const auto* object = node->if_object();
        node = object != nullptr ? object->if_contains(selector.name) : nullptr;
      } else {
        const auto* array = node->if_array();
        if (array == nullptr) return nullptr;
        auto length = static_cast<std::int64_t>(array->size());
        std::int64_t index = selector.index >= 0 ? selector.index : length + selector.index;
        node = index >= 0 && index < length ? &(*array)[static_cast<std::size_t>(index)] : nullptr;
      }
      if (node == nullptr) return nullptr;
    }
    return node;
  }

  void evaluate(const ValueExpr& expr, const value& current, EvalValue& out) {
    switch (expr.kind) {
      case ValueExpr::Kind::kLiteral:
        out.node = &expr.literal;
        return;
      case ValueExpr::Kind::kSingularQuery:
        out.node = singular(expr.query, current);
        return;
      case ValueExpr::Kind::kFunction:
        callValue(*expr.function, current, out);
        return;
    }
  }

  // length(), count(), value(): RFC 9535 §2.4.4, §2.4.5, §2.4.8.
  void callValue(const FunctionCall& call, const value& current, EvalValue& out) {
    switch (call.id) {
      case FunctionId::kLength: {
        EvalValue argument;
        evaluate(call.arguments.front().value, current, argument);
        if (argument.node == nullptr) return;
        if (const auto* text = argument.node->if_string()) {
          out.setNumber(static_cast<std::int64_t>(utf8::countCodePoints(*text)));
        } else if (const auto* array = argument.node->if_array()) {
          out.setNumber(static_cast<std::int64_t>(array->size()));
        } else if (const auto* object = argument.node->if_object()) {
          out.setNumber(static_cast<std::int64_t>(object->size()));
        }
        return;
      }
      case FunctionId::kCount: {
        std::int64_t count = 0;
        auto sink = [&count](const value&) {
          ++count;
          return true;
        };
        const Path& nodes = call.arguments.front().nodes;
        run<false>(nodes, startOf(nodes, current), sink);
        out.setNumber(count);
        return;
      }
      case FunctionId::kValue: {
        const value* first = nullptr;
        int count = 0;
        auto sink = [&](const value& node) {
          if (count++ == 0) first = &node;
          return count < 2;
        };
        const Path& nodes = call.arguments.front().nodes;
        run<false>(nodes, startOf(nodes, current), sink);
        out.node = count == 1 ? first : nullptr;
        return;
      }
      default:
        return;
    }
  }

  // match() and search(): RFC 9535 §2.4.6, §2.4.7. Anything but two strings, or a pattern that
  // is not an I-Regexp, gives false.
  bool callLogical(const FunctionCall& call, const value& current) {
    if (call.id != FunctionId::kMatch && call.id != FunctionId::kSearch) return false;
    EvalValue subject;
    evaluate(call.arguments[0].value, current, subject);
    if (subject.node == nullptr || !subject.node->is_string()) return false;
    std::string_view text = subject.node->get_string();
    bool whole = call.id == FunctionId::kMatch;

    if (call.has_literal_pattern) {
      if (!call.literal_pattern) return false;
      return whole ? call.literal_pattern->fullMatch(text) : call.literal_pattern->search(text);
    }
    EvalValue pattern;
    evaluate(call.arguments[1].value, current, pattern);
    if (pattern.node == nullptr || !pattern.node->is_string()) return false;
    auto regex = iregexp::Regex::compile(std::string_view(pattern.node->get_string()));
    if (!regex) return false;
    return whole ? regex->fullMatch(text) : regex->search(text);
  }

  const value& root_;
  std::vector<PathStep> steps_;
};

}  // namespace

NodeList Query::select(const value& document) const {
  NodeList out;
  selectInto(document, out);
  return out;
}

void Query::selectInto(const value& document, NodeList& out) const {
  Evaluator evaluator(document);
  auto sink = [&out](const value& node) {
    out.push_back(&node);
    return true;
  };
  evaluator.run<false>(compiled_->path, document, sink);
}

std::vector<LocatedNode> Query::selectLocated(const value& document) const {
  std::vector<LocatedNode> out;
  Evaluator evaluator(document);
  auto sink = [&](const value& node) {
    out.push_back(LocatedNode{&node, evaluator.currentPath()});
    return true;
  };
  evaluator.run<true>(compiled_->path, document, sink);
  return out;
}

const value* Query::selectFirst(const value& document) const {
  const value* first = nullptr;
  Evaluator evaluator(document);
  auto sink = [&first](const value& node) {
    first = &node;
    return false;
  };
  evaluator.run<false>(compiled_->path, document, sink);
  return first;
}

bool Query::isSingular() const { return compiled_->path.singular; }

bool Query::isIdentity() const { return compiled_->path.segments.empty(); }

bool Query::usedDotRoot() const { return compiled_->used_dot_root; }

const std::string& Query::text() const { return compiled_->text; }

// RFC 9535 §2.7: single quotes; \b \f \n \r \t \' \\ escaped; other controls as \u00xx.
void appendNormalizedName(std::string& out, std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "['";
  for (char c : name) {
    switch (c) {
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      default: {
        auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20) {
          out += "\\u00";
          out += kHex[byte >> 4];
          out += kHex[byte & 0xF];
        } else {
          out += c;
        }
      }
    }
  }
  out += "']";
}

}  // namespace capstan::jsonpath
