// RFC 9535 query parser: text → detail::CompiledQuery, with the well-typedness checks of §2.4.3.
#include <array>
#include <charconv>
#include <cstdlib>
#include <string>
#include <utility>

#include "jsonpath/ast.hpp"
#include "jsonpath/jsonpath.hpp"
#include "jsonpath/utf8.hpp"

namespace capstan::jsonpath {
namespace {

using detail::Argument;
using detail::CompareOp;
using detail::FunctionCall;
using detail::FunctionId;
using detail::LogicalExpr;
using detail::Path;
using detail::Segment;
using detail::Selector;
using detail::ValueExpr;

// RFC 9535 §2.1: integers in queries stay within the I-JSON exact range (RFC 7493 §2.2).
constexpr std::int64_t kMaxExactInteger = 9007199254740991;  // 2^53 - 1

// Deeper nesting (parentheses, filters inside filters, function calls) is refused so that a
// hostile query cannot exhaust the stack of the parser or the evaluator.
constexpr int kMaxNestingDepth = 64;

enum class ResultType { kValue, kLogical, kNodes };

struct FunctionSignature {
  std::string_view name;
  FunctionId id;
  ResultType result;
  std::array<ResultType, 2> parameters;
  std::size_t arity;
};

// RFC 9535 §2.4.4 - §2.4.8.
constexpr FunctionSignature kFunctions[] = {
    {"length", FunctionId::kLength, ResultType::kValue, {ResultType::kValue}, 1},
    {"count", FunctionId::kCount, ResultType::kValue, {ResultType::kNodes}, 1},
    {"match",
     FunctionId::kMatch,
     ResultType::kLogical,
     {ResultType::kValue, ResultType::kValue},
     2},
    {"search",
     FunctionId::kSearch,
     ResultType::kLogical,
     {ResultType::kValue, ResultType::kValue},
     2},
    {"value", FunctionId::kValue, ResultType::kValue, {ResultType::kNodes}, 1},
};

const FunctionSignature& signatureOf(FunctionId id) {
  for (const auto& signature : kFunctions) {
    if (signature.id == id) return signature;
  }
  return kFunctions[0];
}

// What a filter primary or sub-expression turned out to be, before its context decides which
// type it needs (RFC 9535 §2.4.3 well-typedness).
struct Operand {
  enum class Kind { kLiteral, kQuery, kFunction, kLogical };
  Kind kind = Kind::kLiteral;
  std::size_t offset = 0;
  boost::json::value literal;
  Path query;
  std::unique_ptr<FunctionCall> function;
  std::unique_ptr<LogicalExpr> logical;
};

bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isLowerAlpha(char c) { return c >= 'a' && c <= 'z'; }

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isSingularPath(const Path& path) {
  for (const Segment& segment : path.segments) {
    if (segment.descendant || segment.selectors.size() != 1) return false;
    auto kind = segment.selectors.front().kind;
    if (kind != Selector::Kind::kName && kind != Selector::Kind::kIndex) return false;
  }
  return true;
}

class QueryParser {
 public:
  QueryParser(std::string_view text, const Options& options) : text_(text), options_(options) {}

  // The compiled query, or nullptr with error() set.
  std::shared_ptr<detail::CompiledQuery> run() {
    auto compiled = std::make_shared<detail::CompiledQuery>();
    compiled->text = std::string(text_);
    if (options_.allow_dot_root && text_ == "$.") {
      compiled->used_dot_root = true;
      return compiled;
    }
    if (!parseRootQuery(compiled->path)) return nullptr;
    return compiled;
  }

  const Error& error() const { return *error_; }

 private:
  bool fail(std::string message, std::size_t offset) {
    if (!error_) error_ = Error{std::move(message), offset};
    return false;
  }

  bool atEnd() const { return pos_ >= text_.size(); }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }
  void skipBlank() {
    while (!atEnd() && isBlank(text_[pos_])) ++pos_;
  }
  std::string describeHere() const {
    if (atEnd()) return "end of query";
    char c = text_[pos_];
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      return "character";
    }
    return std::string("'") + c + "'";
  }

  // jsonpath-query = root-identifier segments
  bool parseRootQuery(Path& path) {
    if (peek() != '$') return fail("a query must start with '$'", 0);
    ++pos_;
    if (!parseSegments(path)) return false;
    if (!atEnd()) {
      if (isBlank(peek())) return fail("unexpected blank space at the end of the query", pos_);
      return fail("unexpected " + describeHere(), pos_);
    }
    return true;
  }

  // segments = *(S segment)
  bool parseSegments(Path& path) {
    while (true) {
      std::size_t before_blank = pos_;
      skipBlank();
      if (peek() != '.' && peek() != '[') {
        pos_ = before_blank;
        break;
      }
      Segment segment;
      if (!parseSegment(segment)) return false;
      path.segments.push_back(std::move(segment));
    }
    path.singular = isSingularPath(path);
    return true;
  }

  bool parseSegment(Segment& segment) {
    if (peek() == '[') return parseBracketedSelection(segment);
    if (peek() == '.' && peek(1) == '.') {
      pos_ += 2;
      segment.descendant = true;
      if (peek() == '[') return parseBracketedSelection(segment);
      if (peek() == '*') return parseWildcardShorthand(segment);
      if (startsMemberName()) return parseMemberNameShorthand(segment);
      return fail("expected a member name, '*' or '[' after '..'", pos_);
    }
    ++pos_;
    if (peek() == '*') return parseWildcardShorthand(segment);
    if (startsMemberName()) return parseMemberNameShorthand(segment);
    return fail("expected a member name or '*' after '.'", pos_);
  }

  bool parseWildcardShorthand(Segment& segment) {
    ++pos_;
    segment.selectors.emplace_back().kind = Selector::Kind::kWildcard;
    return true;
  }

  // name-first = ALPHA / "_" / %x80-D7FF / %xE000-10FFFF (RFC 9535 §2.5.1.1)
  bool startsMemberName() const {
    char c = peek();
    return isAlpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
  }

  bool parseMemberNameShorthand(Segment& segment) {
    std::size_t start = pos_;
    while (!atEnd()) {
      char c = peek();
      if (isAlpha(c) || c == '_' || isDigit(c)) {
        ++pos_;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x80) break;
      std::size_t at = pos_;
      if (utf8::decode(text_, pos_) == utf8::kInvalid) return fail("invalid UTF-8", at);
    }
    Selector& selector = segment.selectors.emplace_back();
    selector.kind = Selector::Kind::kName;
    selector.name = std::string(text_.substr(start, pos_ - start));
    return true;
  }

  // bracketed-selection = "[" S selector *(S "," S selector) S "]"
  bool parseBracketedSelection(Segment& segment) {
    ++pos_;
    skipBlank();
    while (true) {
      if (!parseSelector(segment.selectors.emplace_back())) return false;
      skipBlank();
      if (peek() == ']') {
        ++pos_;
        return true;
      }
      if (peek() != ',') return fail("expected ',' or ']' but found " + describeHere(), pos_);
      ++pos_;
      skipBlank();
    }
  }

  bool parseSelector(Selector& selector) {
    char c = peek();
    if (c == '\'' || c == '"') {
      selector.kind = Selector::Kind::kName;
      return parseStringLiteral(selector.name);
    }
    if (c == '*') {
      ++pos_;
      selector.kind = Selector::Kind::kWildcard;
      return true;
    }
    if (c == '?') {
      ++pos_;
      skipBlank();
      selector.kind = Selector::Kind::kFilter;
      selector.filter = std::make_unique<LogicalExpr>();
      return parseFilter(*selector.filter);
    }
    if (c == '-' || isDigit(c) || c == ':') return parseIndexOrSlice(selector);
    return fail("expected a selector but found " + describeHere(), pos_);
  }

  // index-selector = int; slice-selector = [start S] ":" S [end S] [":" [S step]]
  bool parseIndexOrSlice(Selector& selector) {
    std::optional<std::int64_t> start;
    if (peek() != ':') {
      std::int64_t value = 0;
      if (!parseInteger(value)) return false;
      start = value;
    }
    std::size_t before_blank = pos_;
    skipBlank();
    if (peek() != ':') {
      pos_ = before_blank;
      selector.kind = Selector::Kind::kIndex;
      selector.index = *start;
      return true;
    }
    selector.kind = Selector::Kind::kSlice;
    selector.slice.start = start;
    ++pos_;
    skipBlank();
    if (peek() == '-' || isDigit(peek())) {
      std::int64_t value = 0;
      if (!parseInteger(value)) return false;
      selector.slice.end = value;
      skipBlank();
    }
    if (peek() == ':') {
      ++pos_;
      skipBlank();
      if (peek() == '-' || isDigit(peek())) {
        if (!parseInteger(selector.slice.step)) return false;
      }
    }
    return true;
  }

  // int = "0" / (["-"] DIGIT1 *DIGIT), within ±(2^53 - 1)
  bool parseInteger(std::int64_t& value) {
    std::size_t start = pos_;
    bool negative = peek() == '-';
    if (negative) ++pos_;
    if (!isDigit(peek())) return fail("expected a digit", pos_);
    if (peek() == '0') {
      ++pos_;
      if (negative) return fail("'-0' is not a valid integer here", start);
      if (isDigit(peek())) return fail("integers must not have leading zeros", start);
      value = 0;
      return true;
    }
    std::int64_t magnitude = 0;
    while (isDigit(peek())) {
      magnitude = magnitude * 10 + (peek() - '0');
      ++pos_;
      if (magnitude > kMaxExactInteger) {
        return fail("integer outside the range -(2^53-1)..2^53-1", start);
      }
    }
    value = negative ? -magnitude : magnitude;
    return true;
  }

  // string-literal (RFC 9535 §2.3.1.1): the escapes of JSON, with the other quote allowed raw
  // and escapable only inside its own kind of literal.
  bool parseStringLiteral(std::string& out) {
    std::size_t start = pos_;
    char quote = text_[pos_++];
    while (true) {
      if (atEnd()) return fail("unterminated string literal", start);
      char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        if (!parseEscape(quote, out)) return false;
        continue;
      }
      auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20) return fail("control characters must be escaped in string literals", pos_);
      if (byte < 0x80) {
        out.push_back(c);
        ++pos_;
        continue;
      }
      std::size_t at = pos_;
      if (utf8::decode(text_, pos_) == utf8::kInvalid) return fail("invalid UTF-8", at);
      out.append(text_.substr(at, pos_ - at));
    }
  }

  bool parseEscape(char quote, std::string& out) {
    std::size_t start = pos_;
    ++pos_;
    char c = peek();
    ++pos_;
    switch (c) {
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case '/':
      case '\\':
        out.push_back(c);
        return true;
      case '\'':
      case '"':
        if (c != quote) return fail("invalid escape sequence", start);
        out.push_back(c);
        return true;
      case 'u':
        return parseUnicodeEscape(start, out);
      default:
        return fail("invalid escape sequence", start);
    }
  }

  bool parseHex4(std::uint32_t& value) {
    value = 0;
    for (int i = 0; i < 4; ++i) {
      int digit = hexValue(peek());
      if (digit < 0) return fail("expected four hexadecimal digits after '\\u'", pos_);
      value = value * 16 + static_cast<std::uint32_t>(digit);
      ++pos_;
    }
    return true;
  }

  // hexchar = non-surrogate / (high-surrogate "\" %x75 low-surrogate)
  bool parseUnicodeEscape(std::size_t start, std::string& out) {
    std::uint32_t unit = 0;
    if (!parseHex4(unit)) return false;
    if (unit >= 0xDC00 && unit <= 0xDFFF) return fail("unpaired low surrogate", start);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      if (peek() != '\\' || peek(1) != 'u') return fail("unpaired high surrogate", start);
      pos_ += 2;
      std::uint32_t low = 0;
      if (!parseHex4(low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail("unpaired high surrogate", start);
      unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
    }
    utf8::append(out, unit);
    return true;
  }

  // filter-selector = "?" S logical-expr
  bool parseFilter(LogicalExpr& filter) {
    Operand operand;
    if (!parseLogicalOr(operand)) return false;
    return toLogical(std::move(operand), filter);
  }

  struct DepthGuard {
    explicit DepthGuard(int& depth) : depth_(++depth) {}
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    int& depth_;
  };

  // logical-or-expr = logical-and-expr *(S "||" S logical-and-expr)
  bool parseLogicalOr(Operand& out) {
    DepthGuard guard(depth_);
    if (depth_ > kMaxNestingDepth) return fail("expression nested too deeply", pos_);
    return parseChain(out, '|', LogicalExpr::Kind::kOr);
  }

  // Parses `operand *(S "||" S operand)` (or "&&"): a single operand is returned untyped so that
  // its context can decide what it must be.
  bool parseChain(Operand& out, char op, LogicalExpr::Kind kind) {
    auto parseOperand = [&](Operand& operand) {
      return kind == LogicalExpr::Kind::kOr ? parseChain(operand, '&', LogicalExpr::Kind::kAnd)
                                            : parseBasic(operand);
    };
    if (!parseOperand(out)) return false;
    std::vector<LogicalExpr> terms;
    while (true) {
      std::size_t before_blank = pos_;
      skipBlank();
      if (peek() != op || peek(1) != op) {
        pos_ = before_blank;
        break;
      }
      pos_ += 2;
      skipBlank();
      if (terms.empty()) {
        if (!toLogical(std::move(out), terms.emplace_back())) return false;
      }
      Operand next;
      if (!parseOperand(next)) return false;
      if (!toLogical(std::move(next), terms.emplace_back())) return false;
    }
    if (terms.empty()) return true;
    std::size_t offset = out.offset;
    out = Operand{};
    out.kind = Operand::Kind::kLogical;
    out.offset = offset;
    out.logical = std::make_unique<LogicalExpr>();
    out.logical->kind = kind;
    out.logical->operands = std::move(terms);
    return true;
  }

  // basic-expr = paren-expr / comparison-expr / test-expr
  bool parseBasic(Operand& out) {
    std::size_t start = pos_;
    if (peek() == '!') {
      ++pos_;
      skipBlank();
      LogicalExpr negated;
      if (peek() == '(') {
        if (!parseParenthesized(negated)) return false;
      } else {
        Operand test;
        if (!parsePrimary(test)) return false;
        if (!toLogical(std::move(test), negated)) return false;
      }
      return makeLogical(out, start, [&](LogicalExpr& expr) {
        expr.kind = LogicalExpr::Kind::kNot;
        expr.operands.push_back(std::move(negated));
      });
    }
    if (peek() == '(') {
      LogicalExpr inner;
      if (!parseParenthesized(inner)) return false;
      return makeLogical(out, start, [&](LogicalExpr& expr) { expr = std::move(inner); });
    }

    if (!parsePrimary(out)) return false;
    std::size_t before_blank = pos_;
    skipBlank();
    std::size_t op_offset = pos_;
    auto op = parseComparisonOp();
    if (!op) {
      pos_ = before_blank;
      return true;
    }
    skipBlank();
    Operand right;
    if (!parsePrimary(right)) return false;
    auto left_value = std::make_unique<ValueExpr>();
    auto right_value = std::make_unique<ValueExpr>();
    if (!toComparable(std::move(out), *left_value, op_offset)) return false;
    if (!toComparable(std::move(right), *right_value, op_offset)) return false;
    return makeLogical(out, start, [&](LogicalExpr& expr) {
      expr.kind = LogicalExpr::Kind::kComparison;
      expr.op = *op;
      expr.left = std::move(left_value);
      expr.right = std::move(right_value);
    });
  }

  template <class Build>
  bool makeLogical(Operand& out, std::size_t offset, Build&& build) {
    out = Operand{};
    out.kind = Operand::Kind::kLogical;
    out.offset = offset;
    out.logical = std::make_unique<LogicalExpr>();
    build(*out.logical);
    return true;
  }

  // paren-expr = "(" S logical-expr S ")" (the optional "!" is handled by the caller)
  bool parseParenthesized(LogicalExpr& out) {
    ++pos_;
    skipBlank();
    Operand inner;
    if (!parseLogicalOr(inner)) return false;
    skipBlank();
    if (peek() != ')') return fail("expected ')' but found " + describeHere(), pos_);
    ++pos_;
    return toLogical(std::move(inner), out);
  }

  std::optional<CompareOp> parseComparisonOp() {
    char c = peek();
    char next = peek(1);
    if (c == '=' && next == '=') return pos_ += 2, CompareOp::kEq;
    if (c == '!' && next == '=') return pos_ += 2, CompareOp::kNe;
    if (c == '<' && next == '=') return pos_ += 2, CompareOp::kLe;
    if (c == '>' && next == '=') return pos_ += 2, CompareOp::kGe;
    if (c == '<') return pos_ += 1, CompareOp::kLt;
    if (c == '>') return pos_ += 1, CompareOp::kGt;
    return std::nullopt;
  }

  // A literal, a query (@... or $...) or a function call.
  bool parsePrimary(Operand& out) {
    out.offset = pos_;
    char c = peek();
    if (c == '@' || c == '$') {
      out.kind = Operand::Kind::kQuery;
      out.query.relative = c == '@';
      ++pos_;
      DepthGuard guard(depth_);
      if (depth_ > kMaxNestingDepth) return fail("expression nested too deeply", pos_);
      return parseSegments(out.query);
    }
    if (c == '\'' || c == '"') {
      std::string text;
      if (!parseStringLiteral(text)) return false;
      out.kind = Operand::Kind::kLiteral;
      out.literal = boost::json::string(text);
      return true;
    }
    if (c == '-' || isDigit(c)) return parseNumberLiteral(out);
    if (isLowerAlpha(c)) return parseNameOrFunction(out);
    return fail("expected a query, a literal or a function call but found " + describeHere(), pos_);
  }

  // number = (int / "-0") [ frac ] [ exp ]
  bool parseNumberLiteral(Operand& out) {
    std::size_t start = pos_;
    if (peek() == '-') ++pos_;
    if (!isDigit(peek())) return fail("expected a digit", pos_);
    if (peek() == '0') {
      ++pos_;
      if (isDigit(peek())) return fail("numbers must not have leading zeros", start);
    } else {
      while (isDigit(peek())) ++pos_;
    }
    bool integral = true;
    if (peek() == '.') {
      ++pos_;
      integral = false;
      if (!isDigit(peek())) return fail("expected a digit after '.'", pos_);
      while (isDigit(peek())) ++pos_;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      integral = false;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!isDigit(peek())) return fail("expected a digit in the exponent", pos_);
      while (isDigit(peek())) ++pos_;
    }

    std::string_view number = text_.substr(start, pos_ - start);
    out.kind = Operand::Kind::kLiteral;
    const char* first = number.data();
    const char* last = number.data() + number.size();
    if (integral && number != "-0") {
      std::int64_t integer = 0;
      if (std::from_chars(first, last, integer).ec == std::errc{}) {
        out.literal = integer;
        return true;
      }
      std::uint64_t unsigned_integer = 0;
      if (std::from_chars(first, last, unsigned_integer).ec == std::errc{}) {
        out.literal = unsigned_integer;
        return true;
      }
    }
    double real = 0;
    if (std::from_chars(first, last, real).ec != std::errc{}) {
      // Out of double range: strtod saturates to infinity or underflows to zero.
      real = std::strtod(std::string(number).c_str(), nullptr);
    }
    out.literal = real;
    return true;
  }

  // function-name or true / false / null
  bool parseNameOrFunction(Operand& out) {
    std::size_t start = pos_;
    while (isLowerAlpha(peek()) || isDigit(peek()) || peek() == '_') ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    if (peek() == '(') return parseFunctionCall(name, start, out);
    out.kind = Operand::Kind::kLiteral;
    if (name == "true") {
      out.literal = true;
    } else if (name == "false") {
      out.literal = false;
    } else if (name == "null") {
      out.literal = nullptr;
    } else {
      return fail("unknown name '" + std::string(name) + "' (a function call needs '(')", start);
    }
    return true;
  }

  // function-expr = function-name "(" S [function-argument *(S "," S function-argument)] S ")"
  bool parseFunctionCall(std::string_view name, std::size_t start, Operand& out) {
    const FunctionSignature* signature = nullptr;
    for (const auto& candidate : kFunctions) {
      if (candidate.name == name) signature = &candidate;
    }
    if (signature == nullptr) return fail("unknown function '" + std::string(name) + "'", start);
    DepthGuard guard(depth_);
    if (depth_ > kMaxNestingDepth) return fail("expression nested too deeply", pos_);

    ++pos_;
    skipBlank();
    std::vector<Operand> operands;
    if (peek() != ')') {
      while (true) {
        if (!parseLogicalOr(operands.emplace_back())) return false;
        skipBlank();
        if (peek() == ')') break;
        if (peek() != ',') return fail("expected ',' or ')' but found " + describeHere(), pos_);
        ++pos_;
        skipBlank();
      }
    }
    ++pos_;
    if (operands.size() != signature->arity) {
      return fail("function '" + std::string(name) + "' takes " + std::to_string(signature->arity) +
                      " argument" + (signature->arity == 1 ? "" : "s"),
                  start);
    }

    auto call = std::make_unique<FunctionCall>();
    call->id = signature->id;
    for (std::size_t i = 0; i < operands.size(); ++i) {
      if (!toArgument(std::move(operands[i]), signature->parameters[i], *signature,
                      call->arguments.emplace_back())) {
        return false;
      }
    }
    precompilePattern(*call);
    out.kind = Operand::Kind::kFunction;
    out.offset = start;
    out.function = std::move(call);
    return true;
  }

  static void precompilePattern(FunctionCall& call) {
    if (call.id != FunctionId::kMatch && call.id != FunctionId::kSearch) return;
    const ValueExpr& pattern = call.arguments[1].value;
    if (pattern.kind != ValueExpr::Kind::kLiteral) return;
    call.has_literal_pattern = true;
    if (const auto* text = pattern.literal.if_string()) {
      call.literal_pattern = iregexp::Regex::compile(std::string_view(*text));
    }
  }

  static ResultType resultOf(const Operand& operand) {
    return signatureOf(operand.function->id).result;
  }

  // RFC 9535 §2.4.3: arguments are checked against the declared parameter types.
  bool toArgument(Operand&& operand, ResultType parameter, const FunctionSignature& signature,
                  Argument& out) {
    std::size_t offset = operand.offset;
    std::string where = "argument of " + std::string(signature.name) + "()";
    switch (parameter) {
      case ResultType::kValue:
        out.kind = Argument::Kind::kValue;
        return toValue(std::move(operand), out.value, where);
      case ResultType::kLogical:
        out.kind = Argument::Kind::kLogical;
        out.logical = std::make_unique<LogicalExpr>();
        return toLogical(std::move(operand), *out.logical);
      case ResultType::kNodes:
        out.kind = Argument::Kind::kNodes;
        if (operand.kind != Operand::Kind::kQuery) {
          return fail("the " + where + " must be a query", offset);
        }
        out.nodes = std::move(operand.query);
        return true;
    }
    return false;
  }

  bool toComparable(Operand&& operand, ValueExpr& out, std::size_t) {
    return toValue(std::move(operand), out, "comparison operand");
  }

  // ValueType: a literal, a singular query or a function with a ValueType result.
  bool toValue(Operand&& operand, ValueExpr& out, const std::string& where) {
    switch (operand.kind) {
      case Operand::Kind::kLiteral:
        out.kind = ValueExpr::Kind::kLiteral;
        out.literal = std::move(operand.literal);
        return true;
      case Operand::Kind::kQuery:
        if (!operand.query.singular) {
          return fail("a " + where + " must be a singular query (names and indexes only)",
                      operand.offset);
        }
        out.kind = ValueExpr::Kind::kSingularQuery;
        out.query = std::move(operand.query);
        return true;
      case Operand::Kind::kFunction:
        if (resultOf(operand) != ResultType::kValue) {
          return fail("a " + where + " must be a value, but " +
                          std::string(signatureOf(operand.function->id).name) +
                          "() returns a logical result",
                      operand.offset);
        }
        out.kind = ValueExpr::Kind::kFunction;
        out.function = std::move(operand.function);
        return true;
      case Operand::Kind::kLogical:
        return fail("a " + where + " must be a value, not a logical expression", operand.offset);
    }
    return false;
  }

  // LogicalType: an existence test, a logical expression, or a function with a LogicalType or
  // NodesType result.
  bool toLogical(Operand&& operand, LogicalExpr& out) {
    switch (operand.kind) {
      case Operand::Kind::kLiteral:
        return fail("a literal cannot be a test; compare it with a value", operand.offset);
      case Operand::Kind::kQuery:
        out.kind = LogicalExpr::Kind::kExists;
        out.query = std::move(operand.query);
        return true;
      case Operand::Kind::kFunction:
        if (resultOf(operand) == ResultType::kValue) {
          return fail(std::string(signatureOf(operand.function->id).name) +
                          "() returns a value; compare it instead of testing it",
                      operand.offset);
        }
        out.kind = LogicalExpr::Kind::kFunction;
        out.function = std::move(operand.function);
        return true;
      case Operand::Kind::kLogical:
        out = std::move(*operand.logical);
        return true;
    }
    return false;
  }

  std::string_view text_;
  const Options& options_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::optional<Error> error_;
};

}  // namespace

std::string Error::describe() const { return message + " at offset " + std::to_string(offset); }

Query::Query(std::shared_ptr<const detail::CompiledQuery> compiled)
    : compiled_(std::move(compiled)) {}

CompileResult compile(std::string_view text, const Options& options) {
  QueryParser parser(text, options);
  auto compiled = parser.run();
  if (!compiled) return parser.error();
  return Query(std::move(compiled));
}

}  // namespace capstan::jsonpath
