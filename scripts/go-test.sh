#!/usr/bin/env bash
# Runs `go test -v ARGS...` with the verbose log kept aside, then prints what
# a reader of CI needs: each package's verdict, every test that skipped
# itself with the reason it gave (tests of Terraform features newer than the
# CLI at hand skip so), and a closing "N passed, N failed, N skipped" line.
# On failure the whole log is printed first. LABEL names the run.
#
# usage: scripts/go-test.sh LABEL [go test arguments...]
set -euo pipefail
label="$1"
shift

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
go test -v "$@" >"$log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  cat "$log"
fi

grep -E '^(ok|FAIL|\?)[[:space:]]' "$log" || true
passed="$(grep -c -- '--- PASS' "$log" || true)"
failed="$(grep -c -- '--- FAIL' "$log" || true)"
skipped="$(grep -c -- '--- SKIP' "$log" || true)"
if [[ $skipped -gt 0 ]]; then
  echo "$label: skipped tests, with their reasons:"
  # go test -v prints a test's log lines (the skip reason) before its verdict,
  # after a "=== RUN/CONT name" header when parallel tests interleave.
  awk '/^=== (RUN|CONT|PAUSE|NAME) / { current = $3; next }
       /^    / && current != "" && $1 != "---" { logs[current] = logs[current] "\n" $0; next }
       /^ *--- SKIP: / { print $0 logs[$3] }' "$log"
fi
echo "$label: $passed passed, $failed failed, $skipped skipped"
exit "$status"
