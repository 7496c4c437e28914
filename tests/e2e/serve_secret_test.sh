#!/usr/bin/env bash
# Production shape: the sandbox runs as its own process with a token, capstan gets the same token
# in MIDJOURNEY_API_KEY and reaches the sandbox through --upstream. Checks that the token is sent
# upstream as the bearer, that the caller's own credentials are not, and that the token shows up in
# no log line and no response (DESIGN.md semantics §8).
#
# usage: serve_secret_test.sh <capstan-binary> <capability-file>
set -euo pipefail
source "$(dirname "$0")/ports.sh"
capstan=$1
capability=$2
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; for f in "$work"/*.log; do echo "--- $f" >&2; tail -n 30 "$f" >&2; done; exit 1; }
# Any other failing command names its line instead of ending the test silently.
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND exited $?" >&2' ERR
wait_for() {  # file pattern
  for _ in $(seq 1 300); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  fail "timed out waiting for '$2' in $1"
}

# A password in an --upstream URL is refused before anything starts, and not repeated.
rc=0
"$capstan" serve "$capability" --upstream "image-generation-jobs=http://admin:pw-in-url-9@127.0.0.1:1" \
  >/dev/null 2>"$work/userinfo.log" || rc=$?
[[ "$rc" == 2 ]] || fail "an --upstream URL with credentials exited $rc, not 2"
grep -q "credentials in the URL are refused" "$work/userinfo.log" || fail "no reason given for the refusal"
if grep -q "pw-in-url-9" "$work/userinfo.log"; then fail "the URL's password was printed"; fi

token="mj-live-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
client_secret="client-credential-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"

"$capstan" sandbox --port 0 --token "$token" --faults --request-log "$work/requests.jsonl" \
  2>"$work/sandbox.log" &
pids+=($!)
wait_for "$work/sandbox.log" "listening on"
sandbox=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sandbox.log" | head -1)

# Ports: the capability's 8080/9090 moved out of the way of other tests.
offset=$(free_offset)
control=$(free_port)
MIDJOURNEY_API_KEY="$token" "$capstan" serve "$capability" \
  --upstream "image-generation-jobs=$sandbox" --port-offset "$offset" --control-port "$control" \
  --log-level debug >"$work/capstan-stdout.log" 2>"$work/capstan.log" &
capstan_pid=$!
pids+=($capstan_pid)
wait_for "$work/capstan.log" "ready in"
rest="http://127.0.0.1:$((8080 + offset))"
mcp="http://127.0.0.1:$((9090 + offset))/mcp"

job=$(curl -sf -X POST "$sandbox/v1/imagine" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' -d '{"prompt":"a lighthouse at dusk"}')
job_id=$(node -e 'console.log(JSON.parse(process.argv[1]).id)' "$job")

responses="$work/responses.txt"
curl -si "$rest/v1/v1/jobs?status=pending&limit=5" -H "Authorization: Bearer $client_secret" \
  -H "X-Api-Key: $client_secret" >>"$responses"
curl -si "$rest/v1/v1/jobs/$job_id" >>"$responses"
curl -si -X POST "$rest/v1/v1/jobs/$job_id/cancel" >>"$responses"
curl -si "$rest/v1/v1/jobs/does-not-exist" >>"$responses"
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"secret-test","version":"1"}}}'
session=$(curl -si "$mcp" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' -d "$init" | tee -a "$responses" |
  tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}')
[[ -n "$session" ]] || fail "MCP initialize gave no session id"
call='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get-status-and-results-job","arguments":{"jobId":"'"$job_id"'"}}}'
curl -si "$mcp" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -H "Mcp-Session-Id: $session" -H 'MCP-Protocol-Version: 2025-06-18' \
  -H "Authorization: Bearer $client_secret" -d "$call" >>"$responses"
curl -s "http://127.0.0.1:$control/metrics" >>"$responses"
curl -s "http://127.0.0.1:$control/status" >>"$responses"

grep -q '"status":"cancelled"' "$responses" || fail "cancel through REST did not reach the sandbox"
grep -q "HTTP/1.1 404" "$responses" || fail "unknown job id was not relayed as 404"

# What reached the upstream: every request from capstan carried the configured bearer.
from_capstan=$(grep -c '"target":"/v1/jobs' "$work/requests.jsonl" || true)
[[ "$from_capstan" -ge 5 ]] || fail "expected at least 5 upstream requests, saw $from_capstan"
if grep '"target":"/v1/jobs' "$work/requests.jsonl" | grep -v '"auth":"valid"'; then
  fail "an upstream request did not carry the MIDJOURNEY_API_KEY bearer"
fi
grep -q "\"target\":\"/v1/jobs/$job_id/cancel\"" "$work/requests.jsonl" ||
  fail "jobId was not substituted into the upstream path"
grep -q '"target":"/v1/jobs?status=pending&limit=5"' "$work/requests.jsonl" ||
  fail "query did not reach the upstream as sent"
if grep -q "$client_secret" "$work/requests.jsonl"; then
  fail "the caller's credentials were forwarded upstream"
fi

kill -TERM "$capstan_pid"
status=0
wait "$capstan_pid" || status=$?
[[ "$status" -eq 0 ]] || fail "capstan exited $status after SIGTERM"

for f in "$work/capstan.log" "$work/capstan-stdout.log" "$responses"; do
  if grep -qF "$token" "$f"; then fail "the token appears in $(basename "$f")"; fi
done
[[ -s "$work/capstan.log" ]] || fail "capstan logged nothing (the check above would be empty)"
echo "serve secret test: ok ($from_capstan upstream requests, all with the bearer)"
