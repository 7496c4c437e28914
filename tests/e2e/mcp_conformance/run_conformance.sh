#!/usr/bin/env bash
# Runs the official MCP conformance suite against the test-only fixture server.
#   run_conformance.sh <capstan_mcp_conformance_server> <results dir> [conformance args...]
# Starts the server on a free loopback port, runs `conformance server --url .../mcp` with the
# given arguments (default: the active suite), stops the server by pid, and exits with the
# suite's status: 0 only when no check failed.
set -euo pipefail

server_binary=$1
results_dir=$2
shift 2
conformance_package=${CAPSTAN_CONFORMANCE_PACKAGE:-@modelcontextprotocol/conformance@0.1.16}

port_file=$(mktemp)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -f "$port_file"
}
trap cleanup EXIT

"$server_binary" --host 127.0.0.1 --port 0 >"$port_file" 2>"$results_dir.server.log" &
server_pid=$!

# The server prints PORT=<n> once it listens; wait for that line (bounded, no fixed sleep).
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/^PORT=\([0-9][0-9]*\)$/\1/p' "$port_file" | head -n 1)
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "fixture server exited early" >&2; exit 1; }
  sleep 0.05
done
[[ -n "$port" ]] || { echo "fixture server did not report its port" >&2; exit 1; }

rm -rf "$results_dir"
mkdir -p "$results_dir"
set +e
npx -y -p node@22 -p "$conformance_package" -- \
  conformance server --url "http://127.0.0.1:$port/mcp" -o "$results_dir" "$@" 2>&1 |
  grep -v '^npm warn'
status=${PIPESTATUS[0]}
set -e
exit "$status"
