// Bound variables (DESIGN.md "Semantics" 3): `binds[]` resolved once at startup from the
// environment or from a `location` file, looked up as `{{<namespace>.<KEY>}}` or `{{KEY}}`.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/model.hpp"

namespace capstan::engine {

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

class BindTable {
 public:
  BindTable() = default;

  // Resolves every declared key. Throws StartupError naming the variable (never its value) when
  // an environment variable is unset or empty, a file cannot be read, or a key is not in it.
  // Relative `file:///./x` locations resolve against `base_dir`.
  static BindTable resolve(const std::vector<spec::Bind>& binds, const EnvLookup& env_lookup,
                           const std::filesystem::path& base_dir);

  // `ns.KEY` or `KEY`; nullopt when not bound.
  std::optional<std::string> find(std::string_view name) const;

  // Every resolved value, so that logs and errors can redact them.
  std::vector<std::string> secretValues() const;

  void set(const std::string& name, const std::string& value) { values_[name] = value; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Replaces every occurrence of a bound value in `text` with "***" (DESIGN.md "Semantics" 8).
std::string redact(std::string text, const std::vector<std::string>& secrets);

}  // namespace capstan::engine
