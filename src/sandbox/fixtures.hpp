// The deterministic demo jobs loaded by `--fixtures`: fixed ids and timestamps, every status
// and type, enough for several pages of 25. They are held: the scheduler never moves them, so
// tests and demos see the same snapshot every time.
#pragma once

#include <vector>

#include "sandbox/job.hpp"

namespace capstan::sandbox {

inline constexpr int kFixtureCount = 72;

// Fixture n (1-based) has id "3f1c0b9e-6a2d-4c1e-9f3b-<n as 12 digits>".
std::string fixtureId(int n);

std::vector<Job> fixtureJobs();

}  // namespace capstan::sandbox
