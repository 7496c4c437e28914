#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds the `release` preset (warnings as errors,
# unity build), checks formatting, runs the fuzzers briefly, then every test registered with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
cmake --build --preset release

mapfile -t sources < <(git ls-files -co --exclude-standard -- 'src/*.[ch]pp' 'tests/*.[ch]pp' \
  'bench/*.[ch]pp' 'fuzz/*.[ch]pp')
if ((${#sources[@]})); then
  if ! clang-format --dry-run --Werror "${sources[@]}"; then
    echo "test: files above are not clang-formatted (run: clang-format -i <file>)" >&2
    exit 1
  fi
fi

# libFuzzer targets (clang, ASan+UBSan), 20 s each: a crash or sanitizer report fails the run.
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
ctest --preset fuzz

ctest --preset release "$@"
