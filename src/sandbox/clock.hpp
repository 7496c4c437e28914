// Time source of the sandbox. Jobs advance on this clock, so tests inject a ManualClock and never
// sleep (STYLE.md rule 10).
#pragma once

#include <atomic>
#include <cstdint>

namespace capstan::sandbox {

// Milliseconds since the Unix epoch.
using Millis = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis nowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis nowMs() const override;
};

// A clock that only moves when told to.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Millis start) : now_(start) {}
  Millis nowMs() const override { return now_.load(); }
  void set(Millis now) { now_.store(now); }
  void advance(Millis delta) { now_.fetch_add(delta); }

 private:
  std::atomic<Millis> now_;
};

}  // namespace capstan::sandbox
