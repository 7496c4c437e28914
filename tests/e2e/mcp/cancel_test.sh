#!/usr/bin/env bash
# MCP `notifications/cancelled` (2025-11-25, utilities/cancellation) aborts the upstream call: a
# tools/call waits on a slow upstream (`capstan sandbox --latency 3000`), the client cancels it,
# the call ends long before the upstream would have answered, and capstan counts the upstream
# call as cancelled.
#
# usage: cancel_test.sh <capstan-binary> <capability-file>
set -euo pipefail
source "$(dirname "$0")/../ports.sh"
capstan=$1
capability=$2
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 20 "$work"/*.log >&2 || true; exit 1; }
# Any other failing command names its line instead of ending the test silently.
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND exited $?" >&2' ERR
wait_for() {
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "timed out waiting for '$2' in $1"
}

"$capstan" sandbox --port 0 --token t0k3n-cancel --latency 3000 2>"$work/sandbox.log" &
pids+=($!)
wait_for "$work/sandbox.log" "listening on"
sandbox=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sandbox.log" | head -1)
offset=$(free_offset)
control=$(free_port)
MIDJOURNEY_API_KEY=t0k3n-cancel "$capstan" serve "$capability" --upstream "image-generation-jobs=$sandbox" \
  --port-offset "$offset" --control-port "$control" 2>"$work/capstan.log" &
pids+=($!)
wait_for "$work/capstan.log" "ready in"
mcp="http://127.0.0.1:$((9090 + offset))/mcp"

headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"cancel-test","version":"1"}}}'
session=$(curl -s -D - -o /dev/null "$mcp" "${headers[@]}" -d "$init" | tr -d '\r' |
  awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
[[ -n "$session" ]] || fail "no session"
in_session=("${headers[@]}" -H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-11-25')
curl -s -o /dev/null "$mcp" "${in_session[@]}" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'

call='{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"list-image-generation-jobs","arguments":{}}}'
curl -s -o "$work/call.out" -w '%{time_total}' "$mcp" "${in_session[@]}" -d "$call" >"$work/call.time" &
call_pid=$!
sleep 0.5
code=$(curl -s -o /dev/null -w '%{http_code}' "$mcp" "${in_session[@]}" \
  -d '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"test"}}')
[[ "$code" == 202 ]] || fail "notifications/cancelled answered $code, not 202"
wait "$call_pid"
took=$(cat "$work/call.time")
# The upstream answers after 3 s; a cancelled call ends well before that.
awk -v t="$took" 'BEGIN { exit !(t < 2.5) }' || fail "the cancelled call still took $took s"
grep -q '"result"' "$work/call.out" && fail "a cancelled request got a result: $(cat "$work/call.out")"
# The abort completes on the loop after the answer went out: poll the counter briefly.
counted=no
for _ in $(seq 1 100); do
  if curl -s "http://127.0.0.1:$control/metrics" |
    grep -q '^capstan_upstream_calls_total{outcome="cancelled"} 1$'; then
    counted=yes
    break
  fi
  sleep 0.02
done
[[ "$counted" == yes ]] || fail "the upstream call was not counted as cancelled"
echo "cancel test: ok (call ended after $took s)"
