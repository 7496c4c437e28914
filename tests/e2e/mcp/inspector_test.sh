#!/usr/bin/env bash
# MCP Inspector v2 in CLI mode against the real `capstan serve --sandbox` (issue #6): the tool
# list passes its --strict schema-portability lint in both protocol eras, a call succeeds, and an
# unknown tool is reported as a tool error. Exit codes are the Inspector's own (0 ok, 5 tool
# error, 6 unportable schema).
#
# usage: inspector_test.sh <capstan-binary> <capability-file>
set -euo pipefail
source "$(dirname "$0")/../ports.sh"
capstan=$1
capability=$2
work=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 20 "$work"/*.log >&2 || true; exit 1; }
# Any other failing command names its line instead of ending the test silently.
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND exited $?" >&2' ERR

offset=$(free_offset)
control=$(free_port)
"$capstan" serve "$capability" --sandbox --sandbox-fixtures --port-offset "$offset" \
  --control-port "$control" 2>"$work/capstan.log" &
pid=$!
for _ in $(seq 1 200); do grep -q "ready in" "$work/capstan.log" && break; sleep 0.05; done
grep -q "ready in" "$work/capstan.log" || fail "capstan did not become ready"
url="http://127.0.0.1:$((9090 + offset))/mcp"

inspector() {
  (cd "$work" && npx -y -p node@22 -p @modelcontextprotocol/inspector@2.12.0 -- \
    mcp-inspector --cli "$url" --format json -q "$@" 2>>"$work/inspector.log")
}
expect_rc() {  # description expected-rc command...
  local what=$1 expected=$2 rc=0
  shift 2
  "$@" >"$work/out.json" || rc=$?
  [[ "$rc" == "$expected" ]] || fail "$what: inspector exited $rc, expected $expected: $(head -c 400 "$work/out.json")"
  echo "ok: $what"
}

expect_rc "tools/list passes --strict (legacy era)" 0 inspector --method tools/list --strict
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])).result;
  const names=r.tools.map(t=>t.name).sort().join(",");
  if (names!=="cancel-pending-progress-job,get-status-and-results-job,list-image-generation-jobs") {
    console.error("tools: "+names); process.exit(1); }' "$work/out.json" ||
  fail "the three Midjourney tools are listed"
expect_rc "tools/list passes --strict (2026-07-28 era)" 0 \
  inspector --protocol-era modern --method tools/list --strict
expect_rc "the list tool answers" 0 \
  inspector --method tools/call --tool-name list-image-generation-jobs --tool-args-json '{"limit":2}'
node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1])).result;
  if (r.isError || r.structuredContent.limit !== 2) { console.error(JSON.stringify(r)); process.exit(1); }' \
  "$work/out.json" || fail "the list call returns the upstream page with limit 2"
expect_rc "an unknown tool is a tool error" 5 inspector --method tools/call --tool-name no-such-tool
echo "inspector test: ok"
