#!/usr/bin/env bash
# Start-up time and memory of `capstan serve --sandbox` (issue #7 figures): time from exec to the
# ready line, RSS idle, and peak RSS during a bounded wrk run with 1,000 connections on loopback.
#
# usage: bench/serve_footprint.sh [build-dir]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
capstan="$build/capstan"
[[ -x "$capstan" ]] || { echo "no $capstan; run ./scripts/setup.sh first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (scripts/setup.sh installs it)" >&2; exit 1; }

work=$(mktemp -d)
pid=
cleanup() { [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
offset=${PORT_OFFSET:-31000}
ulimit -n 65536 2>/dev/null || ulimit -n 4096

runs=()
for i in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$capstan" serve --sandbox --sandbox-fixtures --port-offset "$offset" --log-level warn \
    2>"$work/serve.log" &
  pid=$!
  until grep -q "ready in" "$work/serve.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
  done
  end=$(date +%s%N)
  runs+=($(((end - start) / 1000)))
  if [[ $i -lt 5 ]]; then kill "$pid"; wait "$pid" || true; pid=; fi
done
IFS=$'\n' sorted=($(sort -n <<<"${runs[*]}")); unset IFS
echo "exec to ready (5 runs, µs): ${runs[*]}  median: ${sorted[2]} µs"

sleep 1
rss_idle=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
echo "RSS idle: $((rss_idle / 1024)) MB ($rss_idle kB)"

url="http://127.0.0.1:$((8080 + offset))/v1/v1/jobs?limit=25"
curl -sf "$url" >/dev/null || { echo "REST list failed" >&2; exit 1; }
wrk -t2 -c1000 -d10s --timeout 5s "$url" | sed 's/^/  /'
rss_peak=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
rss_after=$(awk '/VmRSS/{print $2}' "/proc/$pid/status")
echo "RSS peak under 1,000 connections: $((rss_peak / 1024)) MB; after: $((rss_after / 1024)) MB"
