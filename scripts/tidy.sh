#!/usr/bin/env bash
# clang-tidy over capstan's sources with the curated .clang-tidy. Slow on two cores (Beast headers
# cost ~20 s a file), so it is a separate command, not part of the test suite.
#
# usage: scripts/tidy.sh [FILE...]   (default: every .cpp under src/)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset debug >/dev/null
if (($#)); then files=("$@"); else mapfile -t files < <(git ls-files 'src/*.cpp'); fi
status=0
for file in "${files[@]}"; do
  clang-tidy --quiet -p build/debug "$file" 2>/dev/null || status=1
done
exit $status
