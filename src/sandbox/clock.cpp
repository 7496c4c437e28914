#include "sandbox/clock.hpp"

#include <chrono>

namespace capstan::sandbox {

Millis SystemClock::nowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace capstan::sandbox
