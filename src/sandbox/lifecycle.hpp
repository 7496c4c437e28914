// The job state machine (research-notes/midjourney-api.md §6.2):
//
//   pending --start--> in_progress --finish--> completed
//      |                   |--------error----> failed
//      |--moderation-------------------------> failed
//      |--cancel-----------------------------> cancelled (also from in_progress)
//
// Pure functions over a Job and a clock reading; the store applies them inside a transaction.
#pragma once

#include <string_view>

#include "sandbox/job.hpp"

namespace capstan::sandbox {

// Simulated durations at speed 1. `speed` multiplies the rate at which work accrues; 0 freezes
// every job.
struct Pace {
  double speed = 1.0;
  Millis queue_ms = 1'000;
  Millis run_ms = 6'000;
};

// The words that make the moderation step reject a prompt before any work is spent, the way
// Midjourney's prompt filter does ("Banned prompt detected").
bool isModeratedPrompt(std::string_view prompt);

// A prompt with the word "glitch" fails with internal_error once it reaches kGlitchFailsAt,
// so that jobs failing while running exist too.
bool isGlitchPrompt(std::string_view prompt);
inline constexpr int kGlitchFailsAt = 40;

// Queue and run time of one job at speed 1, from its type and process mode.
Pace paceFor(const Job& job, const Pace& base);

// Accounts the work done since `job.tick_ms` and applies every transition it allows. Returns
// true when a client-visible field (status, progress, timestamps) changed. Never lowers
// progress; sets completed_at exactly when the job becomes terminal.
bool advanceJob(Job& job, Millis now, const Pace& base);

enum class CancelOutcome { kCancelled, kAlreadyCancelled, kNotCancellable };

// Compare-and-set: only pending and in_progress jobs move to cancelled; progress is frozen.
CancelOutcome cancelJob(Job& job, Millis now);

}  // namespace capstan::sandbox
