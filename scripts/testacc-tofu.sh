#!/usr/bin/env bash
# Runs the acceptance suite against OpenTofu 1.6.3 (installed once with
# `go install` and cached by scripts/install-tool.sh), then lists every test
# that skipped itself and why: only tests of features newer than OpenTofu 1.6
# (such as ephemeral resources) may skip here, and the list makes that visible.
#
# TESTACC_PACKAGES (default ./internal/provider/...), TEST_TIMEOUT (default
# 10m) and TESTFLAGS (extra go test flags) tune the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tofu="$(scripts/install-tool.sh tofu)"
# plugin-testing serves the provider as HOST/hashicorp/pipeshub; under OpenTofu
# HOST must be OpenTofu's default registry, which we ask tofu for.
host="$(scripts/tofu-provider-host.sh "$tofu")"
echo "testacc-tofu: $("$tofu" version 2>/dev/null | head -n 1), provider host $host"

log="$(mktemp)"
trap 'rm -f "$log"' EXIT

status=0
TF_ACC=1 TF_ACC_TERRAFORM_PATH="$tofu" TF_ACC_PROVIDER_HOST="$host" CHECKPOINT_DISABLE=1 \
  go test -v -p 2 -timeout "${TEST_TIMEOUT:-10m}" ${TESTFLAGS:-} ${TESTACC_PACKAGES:-./internal/provider/...} \
  >"$log" 2>&1 || status=$?

if [[ $status -ne 0 ]]; then
  cat "$log"
  echo "testacc-tofu: FAILED (go test exit status $status)"
  exit "$status"
fi

# Package verdicts, then each skipped test with the reason it gave.
grep -E '^(ok|FAIL)[[:space:]]' "$log" || true
passed="$(grep -c -- '--- PASS' "$log" || true)"
skipped="$(grep -c -- '--- SKIP' "$log" || true)"
if [[ $skipped -gt 0 ]]; then
  echo "Skipped under OpenTofu:"
  # go test -v prints a test's log lines (the skip reason) before its verdict,
  # after a "=== RUN/CONT name" header when parallel tests interleave.
  awk '/^=== (RUN|CONT|PAUSE|NAME) / { current = $3; next }
       /^    / && current != "" && $1 != "---" { logs[current] = logs[current] "\n" $0; next }
       /^ *--- SKIP: / { print $0 logs[$3] }' "$log"
fi
echo "testacc-tofu: $passed passed, $skipped skipped"
