#!/usr/bin/env bash
# Scale-out as DESIGN.md describes it: two capstan instances sharing CAPSTAN_MCP_SESSION_KEY behind
# nginx (round robin, no stickiness, deploy/nginx-scale-out.conf.template). One MCP session is
# opened and then served by both instances; an instance with another key refuses it with 404
# (MCP 2025-11-25, transports: an unknown session is 404).
#
# usage: scale_out_test.sh <capstan-binary> <repo-root>
set -euo pipefail
source "$(dirname "$0")/ports.sh"
capstan=$1
root=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [[ -f "$work/nginx.pid" ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 20 "$work"/*.log >&2 || true; exit 1; }
# Any other failing command names its line instead of ending the test silently.
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND exited $?" >&2' ERR
wait_for() {
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "timed out waiting for '$2' in $1"
}
command -v nginx >/dev/null || fail "nginx is not installed (scripts/setup.sh installs it)"

token="scale-$RANDOM$RANDOM"
"$capstan" sandbox --port 0 --token "$token" 2>"$work/sandbox.log" &
pids+=($!)
wait_for "$work/sandbox.log" "listening on"
sandbox=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sandbox.log" | head -1)

# start_instance NAME KEY: starts one instance in this shell (so its pid is ours to stop) and
# sets mcp_port and control_port.
start_instance() {
  local offset
  offset=$(free_offset)
  CAPSTAN_MCP_SESSION_KEY="$2" MIDJOURNEY_API_KEY="$token" "$capstan" serve \
    "$root/capabilities/midjourney/image-generation-jobs.yaml" \
    --upstream "image-generation-jobs=$sandbox" --port-offset "$offset" \
    --control-port "$(free_port)" 2>"$work/$1.log" &
  pids+=($!)
  wait_for "$work/$1.log" "ready in"
  mcp_port=$((9090 + offset))
  control_port=$(grep -o 'control  *http://127.0.0.1:[0-9]*' "$work/$1.log" | grep -o '[0-9]*$')
}
shared_key=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
start_instance a "$shared_key"
mcp_a=$mcp_port control_a=$control_port
start_instance b "$shared_key"
mcp_b=$mcp_port control_b=$control_port
start_instance c "another-key-$RANDOM"
mcp_c=$mcp_port

listen=$(free_port)
sed -e "s|@PREFIX@|$work|g" -e "s|@LISTEN@|$listen|" \
  -e "s|@UPSTREAMS@|server 127.0.0.1:$mcp_a; server 127.0.0.1:$mcp_b;|" \
  "$root/deploy/nginx-scale-out.conf.template" >"$work/nginx.conf"
nginx -p "$work" -c "$work/nginx.conf" -e "$work/error.log"
lb="http://127.0.0.1:$listen/mcp"
# Ready when nginx answers at all (its pid file can appear before it accepts).
for _ in $(seq 1 100); do curl -s -o /dev/null "$lb" && break; sleep 0.05; done
curl -s -o /dev/null "$lb" || fail "nginx does not answer on $lb"

headers=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"scale-out-test","version":"1"}}}'
session=$(curl -s -D - -o /dev/null "$lb" "${headers[@]}" -d "$init" | tr -d '\r' |
  awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}') || fail "initialize through nginx failed"
[[ -n "$session" ]] || fail "initialize through nginx gave no Mcp-Session-Id"
in_session=("${headers[@]}" -H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-11-25')
code=$(curl -s -o /dev/null -w '%{http_code}' "$lb" "${in_session[@]}" \
  -d '{"jsonrpc":"2.0","method":"notifications/initialized"}') || fail "notifications/initialized: curl failed"
[[ "$code" == 202 ]] || fail "notifications/initialized answered $code, not 202"

# Ten calls round robin over both instances: every one is served within the session.
list='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list-image-generation-jobs","arguments":{"limit":1}}}'
for i in $(seq 1 10); do
  body=$(curl -s "$lb" "${in_session[@]}" -d "$list") || fail "call $i through nginx: curl failed"
  grep -q '"structuredContent"' <<<"$body" || fail "call $i through nginx failed: $body"
done
calls_on() {
  curl -s "http://127.0.0.1:$1/metrics" |
    awk '/^capstan_requests_total\{adapter="mcp:image-generation-jobs-mcp",operation="list-image-generation-jobs",status="200"\}/{s+=$2} END{print s+0}'
}
a=$(calls_on "$control_a")
b=$(calls_on "$control_b")
[[ "$a" -ge 1 && "$b" -ge 1 ]] || fail "round robin should reach both instances (a=$a, b=$b)"
[[ $((a + b)) -eq 10 ]] || fail "expected 10 calls in all, saw a=$a b=$b"

# An instance with another key cannot verify the id: 404, so the client starts a new session.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mcp_c/mcp" "${in_session[@]}" -d "$list") ||
  fail "the call to instance c failed to connect"
[[ "$code" == 404 ]] || fail "instance with another key answered $code for a foreign session, not 404"
echo "scale-out test: ok (instance a served $a calls, b served $b, foreign key refused)"
