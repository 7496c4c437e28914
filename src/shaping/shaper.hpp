// Output shaping: turns an upstream JSON body into the response an operation declares with its
// outputParameters (DESIGN.md §6).
//
//   auto shaper = shaping::compileShaper(operation_outputs);   // at capability load
//   if (shaper->isIdentity()) reply(upstream_body);            // no copy
//   else if (auto shaped = shaper->apply(upstream_body)) reply(*shaped);
//   else fail(shaped.error());                                 // names the output parameter
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jsonpath/result.hpp"

namespace capstan::shaping {

// One output parameter, as the capability declares it. Independent of the spec component's
// model so that shaping can be compiled and tested on its own.
struct OutputSpec {
  std::string name;  // empty for the single unnamed output of an operation, and for `items`
  std::string type;  // string | number | integer | boolean | object | array; empty = any
  std::optional<std::string> mapping;       // JSONPath; "$." is read as "$"
  std::optional<boost::json::value> value;  // static value; a string may hold {{name}}
  std::vector<OutputSpec> properties;       // type object
  std::shared_ptr<OutputSpec> items;        // type array
  std::optional<std::size_t> max_length;    // strings: keep this many code points
};

struct Error {
  enum class Code {
    kInvalidSpec,     // at compile time: bad mapping, unknown type, unnamed among several
    kNotCoercible,    // a value that cannot become the declared type
    kWrongStructure,  // properties over a non-object, items over a non-array
  };
  Code code = Code::kInvalidSpec;
  std::string parameter;  // "result", "job.owner.id", "jobs[].status"; "(unnamed)" for ""
  std::string message;

  // "output parameter 'jobs[].id': <message>"
  std::string describe() const;
};

template <class T>
using Result = jsonpath::Result<T, Error>;

namespace detail {
struct CompiledOutput;
}

// Compiled outputParameters of one operation. Immutable; copies share the compiled form.
class Shaper {
 public:
  // Shapes `upstream`. `params` are the caller's arguments, used by {{name}} in `value`.
  Result<boost::json::value> apply(const boost::json::value& upstream,
                                   const boost::json::object* params = nullptr) const;

  // The response is the upstream body unchanged (no outputs, or one unnamed output mapping
  // "$" / "$." with no properties, items, value or maxLength): the caller may pass the body
  // through without calling apply().
  bool isIdentity() const { return identity_; }

  // Output parameters whose mapping was written "$." (not RFC 9535), for `validate --strict`.
  const std::vector<std::string>& dotRootParameters() const { return dot_root_parameters_; }

 private:
  friend Result<Shaper> compileShaper(const std::vector<OutputSpec>& outputs);

  std::shared_ptr<const std::vector<detail::CompiledOutput>> outputs_;
  bool keyed_ = false;    // named outputs: the response is an object keyed by name
  bool identity_ = true;  // a default-constructed Shaper has no outputs
  std::vector<std::string> dot_root_parameters_;
};

// Compiles the outputParameters of one operation. No outputs means identity. One unnamed output
// yields its value as the response; named outputs yield an object keyed by name.
Result<Shaper> compileShaper(const std::vector<OutputSpec>& outputs);

}  // namespace capstan::shaping
