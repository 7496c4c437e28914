#include "jsonpath/iregexp.hpp"

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

#include "jsonpath/utf8.hpp"

namespace capstan::jsonpath::iregexp {
namespace {

using unicode::Category;
using unicode::categoryBit;
using unicode::CategoryMask;

constexpr std::uint32_t kUnbounded = std::numeric_limits<std::uint32_t>::max();

// Parse tree of a pattern; counted repetitions are expanded only when the program is emitted.
struct Node {
  enum class Kind { kEmpty, kAtom, kConcat, kAlternate, kRepeat };
  Kind kind = Kind::kEmpty;
  Regex::Instruction atom;
  std::vector<Node> children;
  std::uint32_t min = 0;
  std::uint32_t max = 0;
};

CategoryMask maskOf(std::initializer_list<Category> categories) {
  CategoryMask mask = 0;
  for (Category category : categories) mask |= categoryBit(category);
  return mask;
}

// RFC 9485 §5.3.3 IsCategory: a major class letter, optionally followed by a minor one.
std::optional<CategoryMask> categoryMask(std::u32string_view name) {
  struct Entry {
    std::u32string_view name;
    CategoryMask mask;
  };
  using C = Category;
  static const Entry kEntries[] = {
      {U"L", maskOf({C::kLu, C::kLl, C::kLt, C::kLm, C::kLo})},
      {U"Lu", maskOf({C::kLu})},
      {U"Ll", maskOf({C::kLl})},
      {U"Lt", maskOf({C::kLt})},
      {U"Lm", maskOf({C::kLm})},
      {U"Lo", maskOf({C::kLo})},
      {U"M", maskOf({C::kMn, C::kMc, C::kMe})},
      {U"Mn", maskOf({C::kMn})},
      {U"Mc", maskOf({C::kMc})},
      {U"Me", maskOf({C::kMe})},
      {U"N", maskOf({C::kNd, C::kNl, C::kNo})},
      {U"Nd", maskOf({C::kNd})},
      {U"Nl", maskOf({C::kNl})},
      {U"No", maskOf({C::kNo})},
      {U"P", maskOf({C::kPc, C::kPd, C::kPs, C::kPe, C::kPi, C::kPf, C::kPo})},
      {U"Pc", maskOf({C::kPc})},
      {U"Pd", maskOf({C::kPd})},
      {U"Ps", maskOf({C::kPs})},
      {U"Pe", maskOf({C::kPe})},
      {U"Pi", maskOf({C::kPi})},
      {U"Pf", maskOf({C::kPf})},
      {U"Po", maskOf({C::kPo})},
      {U"Z", maskOf({C::kZs, C::kZl, C::kZp})},
      {U"Zs", maskOf({C::kZs})},
      {U"Zl", maskOf({C::kZl})},
      {U"Zp", maskOf({C::kZp})},
      {U"S", maskOf({C::kSm, C::kSc, C::kSk, C::kSo})},
      {U"Sm", maskOf({C::kSm})},
      {U"Sc", maskOf({C::kSc})},
      {U"Sk", maskOf({C::kSk})},
      {U"So", maskOf({C::kSo})},
      {U"C", maskOf({C::kCc, C::kCf, C::kCs, C::kCo, C::kCn})},
      {U"Cc", maskOf({C::kCc})},
      {U"Cf", maskOf({C::kCf})},
      {U"Cn", maskOf({C::kCn})},
      {U"Co", maskOf({C::kCo})},
  };
  for (const auto& entry : kEntries) {
    if (entry.name == name) return entry.mask;
  }
  return std::nullopt;
}

// Recursive-descent parser over the decoded code points of a pattern (RFC 9485 §5.3 grammar).
class PatternParser {
 public:
  PatternParser(std::u32string pattern, std::vector<Regex::CharClass>& classes)
      : pattern_(std::move(pattern)), classes_(classes) {}

  std::optional<Node> parse() {
    auto node = parseAlternation(0);
    if (!node || pos_ != pattern_.size()) return std::nullopt;
    return node;
  }

 private:
  static constexpr int kMaxNesting = 200;

  bool atEnd() const { return pos_ >= pattern_.size(); }
  char32_t peek(std::size_t ahead = 0) const {
    return pos_ + ahead < pattern_.size() ? pattern_[pos_ + ahead] : utf8::kInvalid;
  }

  std::optional<Node> parseAlternation(int depth) {
    if (depth > kMaxNesting) return std::nullopt;
    Node alternation;
    alternation.kind = Node::Kind::kAlternate;
    while (true) {
      auto branch = parseBranch(depth);
      if (!branch) return std::nullopt;
      alternation.children.push_back(std::move(*branch));
      if (peek() != U'|') break;
      ++pos_;
    }
    if (alternation.children.size() == 1) return std::move(alternation.children.front());
    return alternation;
  }

  std::optional<Node> parseBranch(int depth) {
    Node branch;
    branch.kind = Node::Kind::kConcat;
    while (!atEnd() && peek() != U'|' && peek() != U')') {
      auto piece = parsePiece(depth);
      if (!piece) return std::nullopt;
      branch.children.push_back(std::move(*piece));
    }
    return branch;
  }

  std::optional<Node> parsePiece(int depth) {
    auto atom = parseAtom(depth);
    if (!atom) return std::nullopt;
    std::uint32_t min = 0;
    std::uint32_t max = 0;
    switch (peek()) {
      case U'*':
        min = 0, max = kUnbounded;
        ++pos_;
        break;
      case U'+':
        min = 1, max = kUnbounded;
        ++pos_;
        break;
      case U'?':
        min = 0, max = 1;
        ++pos_;
        break;
      case U'{':
        if (!parseRangeQuantifier(min, max)) return std::nullopt;
        break;
      default:
        return atom;
    }
    Node repeat;
    repeat.kind = Node::Kind::kRepeat;
    repeat.min = min;
    repeat.max = max;
    repeat.children.push_back(std::move(*atom));
    return repeat;
  }

  // "{" QuantExact [ "," [ QuantExact ] ] "}"
  bool parseRangeQuantifier(std::uint32_t& min, std::uint32_t& max) {
    ++pos_;
    if (!parseNumber(min)) return false;
    max = min;
    if (peek() == U',') {
      ++pos_;
      max = kUnbounded;
      if (peek() != U'}' && !parseNumber(max)) return false;
    }
    if (peek() != U'}' || max < min) return false;
    ++pos_;
    return true;
  }

  bool parseNumber(std::uint32_t& value) {
    std::size_t start = pos_;
    std::uint64_t number = 0;
    while (peek() >= U'0' && peek() <= U'9') {
      number = std::min<std::uint64_t>(number * 10 + (peek() - U'0'), kUnbounded - 1);
      ++pos_;
    }
    value = static_cast<std::uint32_t>(number);
    return pos_ > start;
  }

  std::optional<Node> parseAtom(int depth) {
    Node atom;
    atom.kind = Node::Kind::kAtom;
    char32_t c = peek();
    switch (c) {
      case U'(': {
        ++pos_;
        auto inner = parseAlternation(depth + 1);
        if (!inner || peek() != U')') return std::nullopt;
        ++pos_;
        return inner;
      }
      case U'.':
        ++pos_;
        atom.atom.op = Regex::Op::kAnyButNewline;
        return atom;
      case U'[':
        return parseClassExpression();
      case U'\\':
        return parseEscapeAtom();
      case U')':
      case U'*':
      case U'+':
      case U'?':
      case U']':
      case U'{':
      case U'|':
      case U'}':
        return std::nullopt;
      case U'^':
      case U'$':
        // The grammar of RFC 9485 §5.3 lists "^" and "$" as ordinary characters, but the
        // compliance suite (cases "explicit caret" / "explicit dollar") follows the engine
        // mappings of §5.4, where they anchor at the start and end of the input. We follow it.
        ++pos_;
        atom.atom.op = c == U'^' ? Regex::Op::kAssertStart : Regex::Op::kAssertEnd;
        return atom;
      default:
        ++pos_;
        atom.atom.op = Regex::Op::kLiteral;
        atom.atom.literal = c;
        return atom;
    }
  }

  static std::optional<char32_t> singleCharEscape(char32_t c) {
    switch (c) {
      case U'n':
        return U'\n';
      case U'r':
        return U'\r';
      case U't':
        return U'\t';
      case U'(':
      case U')':
      case U'*':
      case U'+':
      case U'-':
      case U'.':
      case U'?':
      case U'[':
      case U'\\':
      case U']':
      case U'^':
      case U'{':
      case U'|':
      case U'}':
        return c;
      default:
        return std::nullopt;
    }
  }

  // After "\p" or "\P": "{" charProp "}".
  std::optional<Regex::ClassItem> parseProperty() {
    bool complement = peek() == U'P';
    pos_ += 1;
    if (peek() != U'{') return std::nullopt;
    std::size_t close = pattern_.find(U'}', pos_);
    if (close == std::u32string::npos) return std::nullopt;
    auto mask = categoryMask(std::u32string_view(pattern_).substr(pos_ + 1, close - pos_ - 1));
    if (!mask) return std::nullopt;
    pos_ = close + 1;
    return Regex::ClassItem{*mask, complement};
  }

  std::optional<Node> parseEscapeAtom() {
    ++pos_;
    Node atom;
    atom.kind = Node::Kind::kAtom;
    if (peek() == U'p' || peek() == U'P') {
      auto property = parseProperty();
      if (!property) return std::nullopt;
      Regex::CharClass char_class;
      char_class.properties.push_back(*property);
      return classAtom(std::move(char_class));
    }
    auto escaped = singleCharEscape(peek());
    if (!escaped) return std::nullopt;
    ++pos_;
    atom.atom.op = Regex::Op::kLiteral;
    atom.atom.literal = *escaped;
    return atom;
  }

  Node classAtom(Regex::CharClass char_class) {
    Node atom;
    atom.kind = Node::Kind::kAtom;
    atom.atom.op = Regex::Op::kClass;
    atom.atom.x = static_cast<std::uint32_t>(classes_.size());
    classes_.push_back(std::move(char_class));
    return atom;
  }

  // CCchar: any code point but "-", "[", "\", "]", or a SingleCharEsc.
  std::optional<char32_t> parseClassChar() {
    char32_t c = peek();
    if (c == U'\\') {
      auto escaped = singleCharEscape(peek(1));
      if (!escaped) return std::nullopt;
      pos_ += 2;
      return escaped;
    }
    if (atEnd() || c == U'-' || c == U'[' || c == U']') return std::nullopt;
    ++pos_;
    return c;
  }

  // "[" [ "^" ] ( "-" / CCE1 ) *CCE1 [ "-" ] "]"
  std::optional<Node> parseClassExpression() {
    ++pos_;
    Regex::CharClass char_class;
    if (peek() == U'^') {
      char_class.negated = true;
      ++pos_;
    }
    bool first = true;
    while (true) {
      if (atEnd()) return std::nullopt;
      char32_t c = peek();
      if (c == U']' && !first) break;
      if (c == U'-') {
        ++pos_;
        if (first) {
          char_class.ranges.emplace_back(U'-', U'-');
          first = false;
          continue;
        }
        if (peek() != U']') return std::nullopt;
        char_class.ranges.emplace_back(U'-', U'-');
        break;
      }
      first = false;
      if (c == U'\\' && (peek(1) == U'p' || peek(1) == U'P')) {
        ++pos_;
        auto property = parseProperty();
        if (!property) return std::nullopt;
        char_class.properties.push_back(*property);
        continue;
      }
      auto low = parseClassChar();
      if (!low) return std::nullopt;
      char32_t high = *low;
      if (peek() == U'-' && peek(1) != U']') {
        ++pos_;
        auto range_end = parseClassChar();
        if (!range_end || *range_end < *low) return std::nullopt;
        high = *range_end;
      }
      char_class.ranges.emplace_back(*low, high);
    }
    ++pos_;
    return classAtom(std::move(char_class));
  }

  std::u32string pattern_;
  std::size_t pos_ = 0;
  std::vector<Regex::CharClass>& classes_;
};

// Emits Pike VM instructions for a parse tree; fails once the program exceeds the size limit.
class ProgramEmitter {
 public:
  explicit ProgramEmitter(std::vector<Regex::Instruction>& program) : program_(program) {}

  bool emit(const Node& node) {
    if (program_.size() > Regex::kMaxProgramSize) return false;
    switch (node.kind) {
      case Node::Kind::kEmpty:
        return true;
      case Node::Kind::kAtom:
        program_.push_back(node.atom);
        return true;
      case Node::Kind::kConcat:
        for (const Node& child : node.children) {
          if (!emit(child)) return false;
        }
        return true;
      case Node::Kind::kAlternate:
        return emitAlternation(node);
      case Node::Kind::kRepeat:
        return emitRepeat(node);
    }
    return false;
  }

 private:
  std::uint32_t here() const { return static_cast<std::uint32_t>(program_.size()); }

  std::uint32_t push(Regex::Op op) {
    Regex::Instruction instruction;
    instruction.op = op;
    program_.push_back(instruction);
    return here() - 1;
  }

  bool emitAlternation(const Node& node) {
    std::vector<std::uint32_t> jumps;
    for (std::size_t i = 0; i + 1 < node.children.size(); ++i) {
      std::uint32_t split = push(Regex::Op::kSplit);
      program_[split].x = here();
      if (!emit(node.children[i])) return false;
      jumps.push_back(push(Regex::Op::kJump));
      program_[split].y = here();
    }
    if (!emit(node.children.back())) return false;
    for (std::uint32_t jump : jumps) program_[jump].x = here();
    return true;
  }

  bool emitRepeat(const Node& node) {
    const Node& child = node.children.front();
    for (std::uint32_t i = 0; i < node.min; ++i) {
      if (!emit(child)) return false;
    }
    if (node.max == kUnbounded) {
      std::uint32_t split = push(Regex::Op::kSplit);
      program_[split].x = here();
      if (!emit(child)) return false;
      program_[push(Regex::Op::kJump)].x = split;
      program_[split].y = here();
      return true;
    }
    // e{n,m} = e^n followed by (m - n) optional copies that all skip to the same end.
    std::vector<std::uint32_t> splits;
    for (std::uint32_t i = node.min; i < node.max; ++i) {
      std::uint32_t split = push(Regex::Op::kSplit);
      program_[split].x = here();
      splits.push_back(split);
      if (!emit(child)) return false;
    }
    for (std::uint32_t split : splits) program_[split].y = here();
    return true;
  }

  std::vector<Regex::Instruction>& program_;
};

// Per-thread scratch space of the VM, so that matching does not allocate once warm.
struct VmScratch {
  std::vector<std::uint32_t> marks;
  std::vector<std::uint32_t> current;
  std::vector<std::uint32_t> next;
  std::vector<std::uint32_t> stack;
  std::uint32_t generation = 0;

  void prepare(std::size_t program_size) {
    if (marks.size() < program_size) marks.assign(program_size, 0);
    current.clear();
    next.clear();
  }
  void advanceGeneration() {
    if (++generation == 0) {
      std::fill(marks.begin(), marks.end(), 0);
      generation = 1;
    }
  }
};

}  // namespace

bool Regex::CharClass::contains(char32_t code_point) const {
  bool member = false;
  for (const auto& [low, high] : ranges) {
    if (code_point >= low && code_point <= high) {
      member = true;
      break;
    }
  }
  if (!member && !properties.empty()) {
    CategoryMask bit = categoryBit(unicode::categoryOf(code_point));
    for (const ClassItem& item : properties) {
      if (((item.categories & bit) != 0) != item.complement) {
        member = true;
        break;
      }
    }
  }
  return member != negated;
}

std::optional<Regex> Regex::compile(std::string_view pattern) {
  std::u32string code_points;
  for (std::size_t pos = 0; pos < pattern.size();) {
    char32_t c = utf8::decode(pattern, pos);
    if (c == utf8::kInvalid) return std::nullopt;
    code_points.push_back(c);
  }

  Regex regex;
  PatternParser parser(std::move(code_points), regex.classes_);
  auto tree = parser.parse();
  if (!tree) return std::nullopt;

  ProgramEmitter emitter(regex.program_);
  if (!emitter.emit(*tree) || regex.program_.size() > kMaxProgramSize) return std::nullopt;
  regex.program_.push_back(Instruction{});
  return regex;
}

bool Regex::consumes(const Instruction& instruction, char32_t code_point) const {
  switch (instruction.op) {
    case Op::kLiteral:
      return instruction.literal == code_point;
    case Op::kAnyButNewline:
      // RFC 9485 §5.3: "." matches any character but line feed and carriage return.
      return code_point != U'\n' && code_point != U'\r';
    case Op::kClass:
      return classes_[instruction.x].contains(code_point);
    default:
      return false;
  }
}

bool Regex::run(std::string_view text, bool unanchored) const {
  thread_local VmScratch scratch;
  scratch.prepare(program_.size());

  bool matched = false;
  std::size_t position = 0;
  auto add = [&](std::vector<std::uint32_t>& list, std::uint32_t start) {
    scratch.stack.clear();
    scratch.stack.push_back(start);
    while (!scratch.stack.empty()) {
      std::uint32_t pc = scratch.stack.back();
      scratch.stack.pop_back();
      if (scratch.marks[pc] == scratch.generation) continue;
      scratch.marks[pc] = scratch.generation;
      const Instruction& instruction = program_[pc];
      if (instruction.op == Op::kJump) {
        scratch.stack.push_back(instruction.x);
      } else if (instruction.op == Op::kSplit) {
        scratch.stack.push_back(instruction.y);
        scratch.stack.push_back(instruction.x);
      } else if (instruction.op == Op::kAssertStart) {
        if (position == 0) scratch.stack.push_back(pc + 1);
      } else if (instruction.op == Op::kAssertEnd) {
        if (position == text.size()) scratch.stack.push_back(pc + 1);
      } else if (instruction.op == Op::kMatch) {
        matched = true;
      } else {
        list.push_back(pc);
      }
    }
  };

  scratch.advanceGeneration();
  add(scratch.current, 0);
  for (std::size_t pos = 0; pos < text.size();) {
    if (unanchored && matched) return true;
    char32_t c = utf8::decode(text, pos);
    if (c == utf8::kInvalid) c = 0xFFFD;
    position = pos;
    matched = false;
    scratch.advanceGeneration();
    scratch.next.clear();
    for (std::uint32_t pc : scratch.current) {
      if (consumes(program_[pc], c)) add(scratch.next, pc + 1);
    }
    if (unanchored) add(scratch.next, 0);
    std::swap(scratch.current, scratch.next);
    if (!unanchored && scratch.current.empty()) return matched && pos == text.size();
  }
  return matched;
}

bool Regex::fullMatch(std::string_view text) const { return run(text, false); }

bool Regex::search(std::string_view text) const { return run(text, true); }

}  // namespace capstan::jsonpath::iregexp
