// Load-time failures of the engine (STYLE.md rule 6: exceptions only at configuration time).
#pragma once

#include <stdexcept>

namespace capstan::engine {

// Thrown while the engine is built: a missing secret, an unreadable bind file, a bad --upstream
// override, an unresolvable `call`. The message names the variable or file, never a secret value.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace capstan::engine
