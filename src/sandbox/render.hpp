// Result images as real PNG files: a quiet landscape (sky gradient, a sun, layered hills) per
// grid cell, chosen deterministically from the prompt and the seed, so the same job always
// yields the same bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sandbox/job.hpp"

namespace capstan::sandbox {

// The PNG bytes of image `name` of a completed job: "grid", "1".."4", "upscale" (whichever
// resultImages lists), or "thumb" (a small grid for the gallery). Empty when the job has no
// such image.
std::optional<std::string> renderJobImage(const Job& job, std::string_view name);

// Paints cell `cell` (0-based) of the landscape chosen by `prompt` and `seed`, at any size, as
// a PNG.
std::string renderCellPng(std::string_view prompt, std::int64_t seed, int cell, int width,
                          int height);

}  // namespace capstan::sandbox
