#!/usr/bin/env bash
# REST list through capstan vs the same request straight to the sandbox, in one run, on loopback.
#
#   bench/rest_vs_sandbox.sh [capstan-binary] [seconds-per-run]
#
# 1. Peak: wrk closed loop with $CONNS connections (default 32) against the sandbox directly, then
#    against capstan (which forwards each request to the same sandbox). Prints both rates, the
#    ratio, and capstan's RSS (VmRSS after the run, VmHWM = peak).
# 2. Added latency at about half of capstan's peak: Debian's wrk has no -R (fixed rate), so the
#    offered load is set by a small connection count instead: the script tries 1, 2, 4, 8, 16
#    connections against capstan and keeps the largest whose rate stays at or below half the peak;
#    then it runs the sandbox directly with the same connection count and prints
#    p99(capstan) - p99(direct): what the extra hop costs at that load.
# Bounded: every wrk run lasts $SECONDS_PER_RUN seconds (default 10); processes are stopped by pid.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
capstan=${1:-$here/build/release/capstan}
duration=${2:-10}
conns=${CONNS:-32}
threads=${WRK_THREADS:-1}
capability=$here/capabilities/midjourney/image-generation-jobs.yaml
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 1; }
[[ -x "$capstan" ]] || { echo "no capstan binary at $capstan" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

wait_for() {  # file pattern
  for _ in $(seq 1 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for '$2' in $1" >&2; cat "$1" >&2; exit 1
}
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

token="bench-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
"$capstan" sandbox --port 0 --token "$token" --fixtures --speed 0 2>"$work/sandbox.log" &
sandbox_pid=$!
pids+=($sandbox_pid)
wait_for "$work/sandbox.log" "listening on"
sandbox=$(grep -o 'http://127.0.0.1:[0-9]*' "$work/sandbox.log" | head -1)

for _ in $(seq 1 50); do
  offset=$((20000 + RANDOM % 20000))
  port_free $((8080 + offset)) && port_free $((9090 + offset)) && port_free $((9464 + offset)) && break
done
MIDJOURNEY_API_KEY="$token" "$capstan" serve "$capability" \
  --upstream "image-generation-jobs=$sandbox" --port-offset "$offset" \
  --control-port $((9464 + offset)) --log-level warn 2>"$work/capstan.log" &
capstan_pid=$!
pids+=($capstan_pid)
wait_for "$work/capstan.log" "ready in"

query='limit=10&status=completed'
direct_url="$sandbox/v1/jobs?$query"
capstan_url="http://127.0.0.1:$((8080 + offset))/v1/v1/jobs?$query"
auth="Authorization: Bearer $token"

# The two answers must be the same document before their speed is compared.
a=$(curl -sf "$direct_url" -H "$auth")
b=$(curl -sf "$capstan_url")
[[ "$a" == "$b" ]] || { echo "capstan and the sandbox answer differently" >&2; exit 1; }
bytes=${#a}

run_wrk() {  # url connections seconds [header] -> "rate p99_us requests"
  local out
  out=$(wrk -t"$threads" -c"$2" -d"$3"s --latency ${4:+-H "$4"} "$1")
  if grep -q 'Non-2xx' <<<"$out"; then echo "non-2xx answers during the run:" >&2; echo "$out" >&2; exit 1; fi
  local rate p99 count
  rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  count=$(awk '/requests in/ {print $1}' <<<"$out")
  p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); print v} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v*1000} else {sub(/s$/,"",v); print v*1000000}}' <<<"$out")
  echo "$rate $p99 $count"
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, proc(5)
per_request_us() {  # ticks requests
  awk -v t="$1" -v n="$2" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.0f", t * 1000000 / hz / n}'
}
rss_kb() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }

# Warm-up: upstream connection pool, page cache, CPU frequency.
run_wrk "$capstan_url" 4 2 >/dev/null
run_wrk "$direct_url" 4 2 "$auth" >/dev/null
rss_idle=$(rss_kb "$capstan_pid" VmRSS)

s0=$(cpu_ticks "$sandbox_pid")
read -r direct_rate direct_p99 direct_count < <(run_wrk "$direct_url" "$conns" "$duration" "$auth")
s1=$(cpu_ticks "$sandbox_pid")
c1=$(cpu_ticks "$capstan_pid")
read -r capstan_rate capstan_p99 capstan_count < <(run_wrk "$capstan_url" "$conns" "$duration")
s2=$(cpu_ticks "$sandbox_pid")
c2=$(cpu_ticks "$capstan_pid")
rss_after=$(rss_kb "$capstan_pid" VmRSS)
rss_peak=$(rss_kb "$capstan_pid" VmHWM)

half=$(awk -v r="$capstan_rate" 'BEGIN {print r / 2}')
chosen=1
for c in 1 2 4 8 16; do
  read -r rate _ < <(run_wrk "$capstan_url" "$c" 3)
  if awk -v r="$rate" -v h="$half" 'BEGIN {exit !(r <= h)}'; then chosen=$c; else break; fi
done
read -r half_capstan_rate half_capstan_p99 _ < <(run_wrk "$capstan_url" "$chosen" "$duration")
read -r half_direct_rate half_direct_p99 _ < <(run_wrk "$direct_url" "$chosen" "$duration" "$auth")

echo "REST list (GET ?$query, $bytes-byte JSON answer), loopback, wrk -t$threads, ${duration}s per run"
printf "peak, %d connections:\n" "$conns"
printf "  sandbox direct     %10.0f req/s   p99 %8.0f us\n" "$direct_rate" "$direct_p99"
printf "  through capstan    %10.0f req/s   p99 %8.0f us\n" "$capstan_rate" "$capstan_p99"
awk -v c="$capstan_rate" -v d="$direct_rate" 'BEGIN {printf "  ratio capstan/direct  %.3f\n", c / d}'
printf "CPU per request: sandbox %s us (direct run), sandbox %s us + capstan %s us (through capstan)\n" \
  "$(per_request_us $((s1 - s0)) "$direct_count")" "$(per_request_us $((s2 - s1)) "$capstan_count")" \
  "$(per_request_us $((c2 - c1)) "$capstan_count")"
printf "capstan RSS: idle %d KiB, after peak run %d KiB, high-water %d KiB\n" \
  "$rss_idle" "$rss_after" "$rss_peak"
awk -v c="$chosen" -v r="$half_capstan_rate" -v p="$capstan_rate" \
  'BEGIN {printf "at about half of capstan'"'"'s peak: %d connection(s), %.0f%% of the peak rate:\n", c, 100 * r / p}'
printf "  sandbox direct     %10.0f req/s   p99 %8.0f us\n" "$half_direct_rate" "$half_direct_p99"
printf "  through capstan    %10.0f req/s   p99 %8.0f us\n" "$half_capstan_rate" "$half_capstan_p99"
awk -v c="$half_capstan_p99" -v d="$half_direct_p99" \
  'BEGIN {printf "  capstan added p99  %.0f us (target <= 1000 us)\n", c - d}'
printf "machine: %s cores, load average %s\n" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
