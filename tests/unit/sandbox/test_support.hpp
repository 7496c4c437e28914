// Shared helpers of the sandbox unit tests.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace capstan::sandbox::testing {

// A fresh database path under the system temp directory, removed (with its WAL files) on
// destruction.
class TempDatabase {
 public:
  TempDatabase() {
    std::random_device random;
    path_ =
        (std::filesystem::temp_directory_path() /
         ("capstan-sandbox-test-" + std::to_string(random()) + std::to_string(random()) + ".db"))
            .string();
  }
  ~TempDatabase() {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"})
      std::filesystem::remove(path_ + suffix, ignored);
  }
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace capstan::sandbox::testing
