#!/usr/bin/env bash
# `capstan validate` end-to-end: exit codes 0/1/2, diagnostics form, summary line (issue #2).
set -u
capstan=$1
source_dir=$2
data=$source_dir/tests/unit/spec/data
seed=$source_dir/capabilities/midjourney/image-generation-jobs.yaml
failures=0

check() {  # description expected_exit actual_exit
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: exit $3, expected $2"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}
expect_line() {  # description pattern output
  if ! grep -qE -- "$2" <<<"$3"; then
    echo "FAIL: $1: no line matching /$2/ in:"
    echo "$3"
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}

out=$("$capstan" validate "$seed"); code=$?
check "seed validates" 0 $code
expect_line "seed summary" '^1 file checked: 0 errors, 11 warnings$' "$out"
expect_line "seed warning form" \
  '^.*image-generation-jobs.yaml:98:13: warning: /capability/exposes/0/resources/1/path: path parameter `jobid` binds to placeholder `jobId`' "$out"

out=$("$capstan" validate --strict "$seed"); code=$?
check "seed fails --strict" 1 $code

out=$("$capstan" validate "$data/valid-minimal.yaml" "$data/base-uri-trailing-slash.yaml"); code=$?
check "one broken file among two" 1 $code
expect_line "two-file summary" '^2 files checked: 1 error, 0 warnings$' "$out"
expect_line "error form" 'base-uri-trailing-slash.yaml:6:14: error: /capability/consumes/0/baseUri: ' "$out"

out=$("$capstan" validate "$data/yaml-syntax.yaml"); code=$?
check "YAML syntax error" 1 $code

CAPSTAN_TEST_PRESENT=1 "$capstan" validate "$data/env-missing-secret.yaml" >/dev/null; code=$?
check "binds unchecked without --env" 0 $code
out=$(CAPSTAN_TEST_PRESENT=1 "$capstan" validate --env "$data/env-missing-secret.yaml"); code=$?
check "missing secret with --env" 1 $code
expect_line "missing secret names the variable" 'environment variable `CAPSTAN_TEST_ABSENT` is not set' "$out"

# JSONPath mappings are compiled at validation time (RFC 9535; `$.` is a Naftiko habit).
out=$("$capstan" validate --strict "$data/valid-minimal.yaml"); code=$?
check "dot-root mapping is only a warning under --strict" 0 $code
expect_line "dot-root warning names the mapping" \
  'valid-minimal.yaml:31:11: warning: /capability/exposes/0/resources/0/operations/0/outputParameters/0/mapping: `mapping: \$\.` is not RFC 9535' "$out"
out=$("$capstan" validate "$data/valid-minimal.yaml"); code=$?
expect_line "no dot-root warning without --strict" '^1 file checked: 0 errors, 0 warnings$' "$out"
broken=$(mktemp --suffix=.yaml)
sed 's/mapping: \$\.id$/mapping: "$.id[?"/' "$data/valid-minimal.yaml" >"$broken"
out=$("$capstan" validate "$broken"); code=$?
rm -f "$broken"
check "invalid JSONPath mapping is an error" 1 $code
expect_line "invalid JSONPath names the property and the offset" \
  'outputParameters/0/properties/id/mapping: invalid JSONPath in `mapping` .*at offset 6$' "$out"

# Inputs that are not capability files are refused before they are read (never a hang).
out=$(timeout 20 "$capstan" validate /dev/zero); code=$?
check "a device is refused" 1 $code
expect_line "a device is named as such" '^/dev/zero:0:0: error: /: not a regular file$' "$out"
huge=$(mktemp --suffix=.yaml)
{ echo "naftiko: 1.0.0-alpha2"; head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' '#'; } >"$huge"
out=$(timeout 20 "$capstan" validate "$huge"); code=$?
rm -f "$huge"
check "a 5 MiB file is refused" 1 $code
expect_line "the size limit is named" 'error: /: file is [0-9]+ bytes; a capability file may have at most 4194304$' "$out"

# Credentials in a base URI would be logged and sent in clear; the message does not repeat them.
userinfo=$(mktemp --suffix=.yaml)
sed 's|baseUri: https://api.example.org|baseUri: https://admin:hunter2@api.example.org|' \
  "$data/valid-minimal.yaml" >"$userinfo"
out=$("$capstan" validate "$userinfo"); code=$?
rm -f "$userinfo"
check "credentials in baseUri are an error" 1 $code
expect_line "the error names baseUri" 'error: /capability/consumes/0/baseUri: baseUri .* carries credentials' "$out"
if grep -q hunter2 <<<"$out"; then echo "FAIL: the password was printed"; failures=$((failures + 1)); fi

"$capstan" validate >/dev/null 2>&1; code=$?
check "no file is a usage error" 2 $code
"$capstan" validate --no-such-flag "$seed" >/dev/null 2>&1; code=$?
check "unknown flag is a usage error" 2 $code
"$capstan" validate /nonexistent/file.yaml >/dev/null 2>&1; code=$?
check "missing file is a usage error" 2 $code

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all validate checks passed"
