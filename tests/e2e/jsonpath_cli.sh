#!/usr/bin/env bash
# `capstan jsonpath`: values, --paths, stdin, "$." and an invalid query (exit 1 with offset).
set -u
capstan="$1"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
failures=0

expect() {  # expect NAME EXPECTED ACTUAL
  if [[ "$2" != "$3" ]]; then
    echo "FAIL $1: expected [$2], got [$3]" >&2
    failures=$((failures + 1))
  fi
}

printf '%s' '{"data":[{"id":"a","ratio":1.5},{"id":"b","meta":{"url":"u"}}],"total":2}' > "$dir/jobs.json"

expect values '["a","b"]' "$("$capstan" jsonpath '$.data[*].id' "$dir/jobs.json")"
expect doubles '[1.5]' "$("$capstan" jsonpath '$..ratio' "$dir/jobs.json")"
expect paths "[\"\$['data'][1]['meta']['url']\"]" \
  "$("$capstan" jsonpath --paths '$..url' "$dir/jobs.json")"
expect stdin '[2]' "$("$capstan" jsonpath '$.total' < "$dir/jobs.json")"
expect filter '["b"]' "$("$capstan" jsonpath '$.data[?@.meta].id' "$dir/jobs.json")"
expect dot-root '[{"total":2}]' "$(printf '{"total":2}' | "$capstan" jsonpath '$.' 2>/dev/null)"

"$capstan" jsonpath '$.data[' "$dir/jobs.json" > "$dir/out" 2> "$dir/err"
expect invalid-exit 1 "$?"
grep -q 'offset 7' "$dir/err" || { echo "FAIL invalid-offset: $(cat "$dir/err")" >&2; failures=$((failures + 1)); }

printf 'not json' | "$capstan" jsonpath '$' > /dev/null 2>&1
expect bad-json-exit 1 "$?"

# An endless input is cut off at the size cap instead of filling memory.
timeout 20 "$capstan" jsonpath '$' /dev/zero > /dev/null 2> "$dir/err"
expect endless-input-exit 1 "$?"
grep -q 'is over 64 MiB' "$dir/err" || { echo "FAIL endless-input: $(cat "$dir/err")" >&2; failures=$((failures + 1)); }

# RFC 9535 §2.5.2.2: for [A1=[A2=[A3=[]]]], `$..*` is A1, A2, A3 and `..*` of each gives A2, A3
# (of A1) then A3 (of A2): deep subtrees repeat, and are written as they are found.
expect nested-descendants '[[[]],[],[]]' "$(printf '[[[[]]]]' | "$capstan" jsonpath '$..*..*')"

exit $((failures > 0))
