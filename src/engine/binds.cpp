#include "engine/binds.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "engine/startup_error.hpp"

namespace capstan::engine {

namespace {

std::optional<std::string> environmentValue(const EnvLookup& env_lookup, const std::string& name) {
  if (env_lookup) return env_lookup(name);
  if (const char* raw = std::getenv(name.c_str())) return std::string(raw);
  return std::nullopt;
}

// `file:///abs/path` or `file:///./relative` (relative to `base_dir`, as the Naftiko reference
// engine resolves it against the working directory).
std::filesystem::path bindFilePath(const std::string& location,
                                   const std::filesystem::path& base_dir) {
  constexpr std::string_view kScheme = "file://";
  if (!location.starts_with(kScheme)) {
    throw StartupError("bind location '" + location + "' is not a file:// URI");
  }
  std::string path = location.substr(kScheme.size());
  if (path.starts_with("/./") || path.starts_with("/../")) {
    return (base_dir.empty() ? std::filesystem::current_path() : base_dir) / path.substr(1);
  }
  return path;
}

YAML::Node loadBindFile(const std::filesystem::path& file) {
  try {
    return YAML::LoadFile(file.string());  // JSON files parse as YAML too
  } catch (const YAML::Exception& error) {
    throw StartupError("cannot read bind file " + file.string() + ": " + error.msg);
  }
}

}  // namespace

BindTable BindTable::resolve(const std::vector<spec::Bind>& binds, const EnvLookup& env_lookup,
                             const std::filesystem::path& base_dir) {
  BindTable table;
  for (const spec::Bind& bind : binds) {
    std::optional<YAML::Node> file;
    std::filesystem::path file_path;
    if (bind.location) {
      file_path = bindFilePath(*bind.location, base_dir);
      file = loadBindFile(file_path);
    }
    for (const auto& [variable, provider_key] : bind.keys) {
      std::optional<std::string> value;
      if (file) {
        const YAML::Node node = (*file)[provider_key];
        if (node && node.IsScalar()) value = node.as<std::string>();
        if (!value) {
          throw StartupError("bind " + variable + ": key '" + provider_key + "' is missing from " +
                             file_path.string());
        }
      } else {
        value = environmentValue(env_lookup, provider_key);
        if (!value) {
          throw StartupError("bind " + variable + ": environment variable " + provider_key +
                             " is not set");
        }
        if (value->empty()) {
          throw StartupError("bind " + variable + ": environment variable " + provider_key +
                             " is set but empty");
        }
      }
      // Bind values end up in header fields (RFC 9110 §5.5: no CR, LF or NUL): a value with a
      // line break would inject headers upstream. The value itself is never printed.
      if (value->find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
        throw StartupError("bind " + variable + ": the value of " + provider_key +
                           " contains a line break or NUL, which no header may carry");
      }
      table.values_[variable] = *value;
      if (!bind.namespace_.empty()) table.values_[bind.namespace_ + "." + variable] = *value;
    }
  }
  return table;
}

std::optional<std::string> BindTable::find(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> BindTable::secretValues() const {
  std::vector<std::string> secrets;
  for (const auto& [name, value] : values_) {
    if (!value.empty()) secrets.push_back(value);
  }
  return secrets;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

}  // namespace capstan::engine
