#!/usr/bin/env bash
# The cost of the MCP adapter over the REST one for the same call (issue #6 figure): the list
# tool through `tools/call`, stateless (2026-07-28) and inside a 2025-11-25 session, against
# `GET /v1/v1/jobs` on the REST adapter, one capstan serve --sandbox, one run, loopback only.
# Prints each rate and the MCP/REST ratios.
#
# usage: bench/mcp_vs_rest.sh [build-dir]   (default build/release)
#   DURATION=8s CONNECTIONS=16 THREADS=1 LIMIT=10 PORT_OFFSET=<n> to change the run.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
capstan="$build/capstan"
[[ -x "$capstan" ]] || { echo "no $capstan; build it first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
duration=${DURATION:-8s}
connections=${CONNECTIONS:-16}
threads=${THREADS:-1}
limit=${LIMIT:-10}
offset=${PORT_OFFSET:-32000}

work=$(mktemp -d)
pid=
cleanup() {
  if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$capstan" serve --sandbox --sandbox-fixtures --port-offset "$offset" \
  --control-port $((9464 + offset)) --log-level warn 2>"$work/serve.log" &
pid=$!
until grep -q "ready in" "$work/serve.log" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  sleep 0.05
done
rest="http://127.0.0.1:$((8080 + offset))/v1/v1/jobs?limit=$limit"
mcp="http://127.0.0.1:$((9090 + offset))/mcp"

call_params="\"name\":\"list-image-generation-jobs\",\"arguments\":{\"limit\":$limit}"
meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'
stateless_body="{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{$call_params,$meta}}"
session_body="{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{$call_params}}"

# One session for the whole session run (initialize, then notifications/initialized).
session=$(curl -sf -D - -o /dev/null "$mcp" -H 'content-type: application/json' \
  -H 'accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' |
  tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
[[ -n "$session" ]] || { echo "initialize issued no session" >&2; exit 1; }
curl -sf -o /dev/null "$mcp" -H 'content-type: application/json' -H "mcp-session-id: $session" \
  -H 'mcp-protocol-version: 2025-11-25' -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'

lua() {  # lua FILE BODY HEADER... : a wrk script that POSTs BODY with the headers
  local file=$1 body=$2
  shift 2
  {
    echo 'wrk.method = "POST"'
    printf 'wrk.body = [==[%s]==]\n' "$body"
    echo 'wrk.headers["Content-Type"] = "application/json"'
    echo 'wrk.headers["Accept"] = "application/json, text/event-stream"'
    for header in "$@"; do
      printf 'wrk.headers["%s"] = "%s"\n' "${header%%: *}" "${header#*: }"
    done
  } >"$file"
}
lua "$work/stateless.lua" "$stateless_body" "MCP-Protocol-Version: 2026-07-28" \
  "Mcp-Method: tools/call" "Mcp-Name: list-image-generation-jobs"
lua "$work/session.lua" "$session_body" "Mcp-Session-Id: $session" "MCP-Protocol-Version: 2025-11-25"

# Every path must answer the same call successfully before it is measured.
curl -sf "$rest" | grep -q '"data"' || { echo "REST list failed" >&2; exit 1; }
check_mcp() {  # check_mcp BODY HEADER...
  local body=$1
  shift
  local args=()
  for header in "$@"; do args+=(-H "$header"); done
  curl -sf "$mcp" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
    "${args[@]}" -d "$body" | grep -q '"structuredContent"' || { echo "MCP call failed" >&2; exit 1; }
}
check_mcp "$stateless_body" "MCP-Protocol-Version: 2026-07-28" "Mcp-Method: tools/call" \
  "Mcp-Name: list-image-generation-jobs"
check_mcp "$session_body" "Mcp-Session-Id: $session" "MCP-Protocol-Version: 2025-11-25"

rate() {  # rate NAME wrk-args... : runs wrk, prints its summary, returns Requests/sec in $REPLY
  local name=$1
  shift
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout 5s "$@")
  local errors
  errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
  REPLY=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  printf '%-22s %10s req/s   p50 %-9s %s\n' "$name" "$REPLY" \
    "$(awk '/Latency/{print $2}' <<<"$out")" "${errors:+($errors)}"
}

# The machine is shared: the paths are interleaved over ROUNDS rounds and each keeps its best
# round, so that a neighbour's burst does not land on one path only.
rounds=${ROUNDS:-3}
echo "capstan serve --sandbox, list of $limit jobs; wrk -t$threads -c$connections -d$duration," \
  "loopback, $rounds interleaved rounds"
best_rest=0 best_stateless=0 best_session=0
better() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }
for ((round = 1; round <= rounds; round++)); do
  rate "REST GET" "$rest"
  best_rest=$(better "$best_rest" "$REPLY")
  rate "MCP stateless" -s "$work/stateless.lua" "$mcp"
  best_stateless=$(better "$best_stateless" "$REPLY")
  rate "MCP in a session" -s "$work/session.lua" "$mcp"
  best_session=$(better "$best_session" "$REPLY")
done
awk -v r="$best_rest" -v s="$best_stateless" -v t="$best_session" 'BEGIN {
  printf "best: REST %.0f req/s, MCP stateless %.0f req/s, MCP session %.0f req/s\n", r, s, t
  printf "ratio MCP stateless / REST: %.2fx\nratio MCP session / REST:   %.2fx\n", s / r, t / r }'
