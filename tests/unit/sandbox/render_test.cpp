#include "sandbox/render.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace capstan::sandbox {
namespace {

std::uint32_t bigEndian(const std::string& bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

Job completedJob(std::string aspect_ratio, JobType type = JobType::kImagine) {
  Job job;
  job.id = "j";
  job.type = type;
  job.status = JobStatus::kCompleted;
  job.progress = 100;
  job.prompt = "alpine lake";
  job.parameters.seed = 1234;
  job.parameters.aspect_ratio = std::move(aspect_ratio);
  job.completed_at = 1;
  job.image_index = 2;
  return job;
}

TEST(Render, GridIsPngWithTheAdvertisedSize) {
  auto job = completedJob("16:9");
  auto images = resultImages(job);
  ASSERT_EQ(images.size(), 5u);
  auto png = renderJobImage(job, "grid");
  ASSERT_TRUE(png);
  // PNG signature (RFC 2083 §3.1), then IHDR with width and height.
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(bigEndian(*png, 16), static_cast<std::uint32_t>(images[0].width));
  EXPECT_EQ(bigEndian(*png, 20), static_cast<std::uint32_t>(images[0].height));
  EXPECT_EQ(images[0].width, 1024);
  EXPECT_EQ(images[0].height, 576);
}

TEST(Render, CellsAreAtMost512Pixels) {
  for (const char* ratio : {"1:1", "16:9", "9:16", "8:1", "2:3"}) {
    auto [w, h] = cellSize(ratio);
    EXPECT_LE(std::max(w, h), 512) << ratio;
    EXPECT_GE(std::min(w, h), 32) << ratio;
  }
  EXPECT_EQ(cellSize("2:3"), std::make_pair(341, 512));
}

TEST(Render, SameJobGivesSameBytes) {
  auto job = completedJob("1:1");
  EXPECT_EQ(renderJobImage(job, "3"), renderJobImage(job, "3"));
}

TEST(Render, DifferentSeedOrCellGivesDifferentImage) {
  auto a = completedJob("1:1");
  auto b = a;
  b.parameters.seed = 99;
  EXPECT_NE(renderJobImage(a, "1"), renderJobImage(b, "1"));
  EXPECT_NE(renderJobImage(a, "1"), renderJobImage(a, "2"));
}

TEST(Render, UpscaleHasOneImageAndNoGrid) {
  auto job = completedJob("1:1", JobType::kUpscale);
  auto images = resultImages(job);
  ASSERT_EQ(images.size(), 1u);
  EXPECT_FALSE(images[0].index);
  EXPECT_TRUE(renderJobImage(job, "upscale"));
  EXPECT_FALSE(renderJobImage(job, "grid"));
}

TEST(Render, UnfinishedJobHasNoImages) {
  auto job = completedJob("1:1");
  job.status = JobStatus::kInProgress;
  EXPECT_FALSE(renderJobImage(job, "grid"));
  EXPECT_FALSE(renderJobImage(job, "thumb"));
}

}  // namespace
}  // namespace capstan::sandbox
