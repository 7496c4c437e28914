// The compiled form of a query (internal to the jsonpath component).
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jsonpath/iregexp.hpp"

namespace capstan::jsonpath::detail {

struct LogicalExpr;
struct FunctionCall;

// RFC 9535 §2.3.4 array slice; absent bounds take the defaults of §2.3.4.2.2.
struct Slice {
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  std::int64_t step = 1;
};

struct Selector {
  enum class Kind : std::uint8_t { kName, kWildcard, kIndex, kSlice, kFilter };
  Kind kind = Kind::kWildcard;
  std::string name;
  std::int64_t index = 0;
  Slice slice;
  std::unique_ptr<LogicalExpr> filter;
};

struct Segment {
  bool descendant = false;
  std::vector<Selector> selectors;
};

// A query: from the root ($) or, inside a filter, from the current node (@).
struct Path {
  bool relative = false;
  bool singular = true;  // RFC 9535 §2.3.5.1
  std::vector<Segment> segments;
};

// Something that yields a ValueType (RFC 9535 §2.4.1): a comparable or a function argument.
struct ValueExpr {
  enum class Kind : std::uint8_t { kLiteral, kSingularQuery, kFunction };
  Kind kind = Kind::kLiteral;
  boost::json::value literal;
  Path query;
  std::unique_ptr<FunctionCall> function;
};

enum class FunctionId : std::uint8_t { kLength, kCount, kMatch, kSearch, kValue };

// A function argument after type checking (RFC 9535 §2.4.3): what the parameter receives.
struct Argument {
  enum class Kind : std::uint8_t { kValue, kNodes, kLogical };
  Kind kind = Kind::kValue;
  ValueExpr value;
  Path nodes;
  std::unique_ptr<LogicalExpr> logical;
};

struct FunctionCall {
  FunctionId id = FunctionId::kLength;
  std::vector<Argument> arguments;
  // match()/search() with a string literal pattern: compiled once. Empty when the pattern is
  // not an I-Regexp, in which case the function is false for every node (RFC 9535 §2.4.6).
  bool has_literal_pattern = false;
  std::optional<iregexp::Regex> literal_pattern;
};

enum class CompareOp : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct LogicalExpr {
  enum class Kind : std::uint8_t { kOr, kAnd, kNot, kExists, kComparison, kFunction };
  Kind kind = Kind::kExists;
  std::vector<LogicalExpr> operands;  // kOr, kAnd (two or more), kNot (one)
  Path query;                         // kExists
  CompareOp op = CompareOp::kEq;      // kComparison
  std::unique_ptr<ValueExpr> left;
  std::unique_ptr<ValueExpr> right;
  std::unique_ptr<FunctionCall> function;  // kFunction: LogicalType or NodesType result
};

struct CompiledQuery {
  std::string text;
  Path path;
  bool used_dot_root = false;
};

}  // namespace capstan::jsonpath::detail
