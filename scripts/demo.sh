#!/usr/bin/env bash
# make demo: the provider end to end on this machine. Downloads the Go modules
# the build needs (about 128 MB, once per machine: Go caches them) and nothing
# else. Builds the provider and the local PipesHub API (emulator), starts the API on a
# free port, points the CLI at the fresh build with a dev_overrides config of
# its own (no registry, no init), applies examples/demo/ (whose outputs the apply shows),
# proves a second plan is empty, destroys, and stops the API however we exit.
# Each phase prints a line when it starts and when it ends, with its duration;
# a long one (the first download and build) says every 15 s that it is still going.
#
# TERRAFORM=tofu make demo runs the same with OpenTofu (installed with
# scripts/install-tool.sh when tofu is not on PATH).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bold=""; reset=""
if [[ -t 1 ]]; then bold=$'\e[1m'; reset=$'\e[0m'; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }

# timed LABEL CMD...: runs CMD, saying every 15 s that LABEL is still going
# (with the size of Go's module cache, which grows while modules download),
# then how long it took.
timed() {
  local label="$1" started=$SECONDS pid status=0
  shift
  "$@" &
  pid=$!
  while ! wait_for "$pid" 15; do
    printf '    ... %s: %ds so far%s\n' "$label" "$((SECONDS - started))" "$(module_cache_size)"
  done
  wait "$pid" || status=$?
  [[ $status -eq 0 ]] || return "$status"
  printf '    %s: done in %ds\n' "$label" "$((SECONDS - started))"
}
# wait_for PID SECONDS: whether PID ended within SECONDS.
wait_for() {
  local until=$((SECONDS + $2))
  while ((SECONDS < until)); do
    kill -0 "$1" 2>/dev/null || return 0
    sleep 0.2
  done
  return 1
}
module_cache_size() {
  local dir
  dir="$(go env GOMODCACHE 2>/dev/null)/cache/download"
  [[ -d "$dir" ]] && printf ', Go module cache %s' "$(du -sh "$dir" 2>/dev/null | cut -f1)"
}

command -v go >/dev/null 2>&1 || fail "go is not on PATH; install Go (see go.mod for the version)."
cli="${TERRAFORM:-terraform}"
if ! command -v "$cli" >/dev/null 2>&1; then
  if [[ "$cli" == tofu ]]; then
    cli="$(scripts/install-tool.sh tofu)"
  else
    fail "'$cli' is not on PATH; install Terraform (>= 1.5) or run with TERRAFORM=tofu."
  fi
fi
color_args=()
[[ -t 1 ]] || color_args=(-no-color)
cli_args=(-input=false -compact-warnings "${color_args[@]}")

work="$(mktemp -d "${TMPDIR:-/tmp}/pipeshub-demo.XXXXXX")"
emulator_pid=""
cleanup() {
  # Ignore further signals (and a closed stdout) so that cleanup always ends.
  trap '' HUP INT PIPE TERM
  if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$emulator_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
    echo "demo: local PipesHub API stopped" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

step "Downloading the Go modules the build needs"
echo "On a fresh machine this is about 128 MB and, with the first build, takes about 5 minutes;"
echo "Go caches both, so later runs start in seconds."
timed "go mod download" go mod download

step "Building the provider and the local PipesHub API"
mkdir -p "$work/bin" "$work/config"
timed "provider" go build -o "$work/bin/terraform-provider-pipeshub" .
timed "local PipesHub API" go build -o "$work/bin/pipeshub-emulator" ./cmd/pipeshub-emulator

step "Starting the local PipesHub API on a free port"
"$work/bin/pipeshub-emulator" -addr 127.0.0.1:0 >"$work/emulator.log" 2>&1 &
emulator_pid=$!
server_url=""
for _ in $(seq 100); do
  first="$(head -n 1 "$work/emulator.log")"
  if [[ "$first" == "listening on "* ]]; then server_url="${first#listening on }"; break; fi
  kill -0 "$emulator_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; fail "the emulator exited early"; }
  sleep 0.1
done
[[ -n "$server_url" ]] || { cat "$work/emulator.log" >&2; fail "the emulator did not say where it listens"; }
echo "PipesHub API: $server_url (bearer token pipeshub-dev-token)"

# The CLI resolves source "pipeshub-ai/pipeshub" against its own default
# registry host (registry.terraform.io for Terraform, another for OpenTofu);
# the script asks the CLI for it (as `make install` does).
scripts/dev-overrides.sh "$cli" "$work/bin" "$work/cli.tfrc"

# A private copy of the configuration keeps state and lock files out of the
# repository.
(cd examples/demo && tar --exclude='.terraform*' --exclude='*.tfstate*' -cf - .) | tar -C "$work/config" -xf -

export TF_CLI_CONFIG_FILE="$work/cli.tfrc"
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export PIPESHUB_SERVER_URL="$server_url"
export PIPESHUB_BEARER_AUTH=pipeshub-dev-token
# Every command repeats the dev_overrides warning; it is expected here, so it is
# said once below and dropped when it is the only warning. Other warnings stay.
quiet_dev_override_warning() {
  awk '
    /^Warnings:$/ && !held { held = 1; buf = $0; only_override = 1; next }
    held {
      buf = buf "\n" $0
      if ($0 ~ /^To see the full warning notes/) {
        if (!only_override) print buf
        held = 0
      } else if ($0 != "" && $0 !~ /^- Provider development overrides are in effect$/) {
        only_override = 0
      }
      next
    }
    { print }
    END { if (held) print buf }'
}
tf() { "$cli" -chdir="$work/config" "$@" | quiet_dev_override_warning; }

step "$(basename "$cli") apply examples/demo/ (provider from this checkout via dev_overrides)"
tf apply -auto-approve "${cli_args[@]}"

step "A second plan must show no changes"
plan_status=0
tf plan -detailed-exitcode "${cli_args[@]}" || plan_status=$?
case "$plan_status" in
  0) echo "No changes: the applied state matches the configuration." ;;
  2) fail "the second plan wants changes; the provider is not idempotent (see the plan above)" ;;
  *) fail "plan failed with exit status $plan_status" ;;
esac

step "$(basename "$cli") destroy"
# The destroy plan repeats every attribute shown above; print only progress,
# unless it fails.
if ! tf destroy -auto-approve "${cli_args[@]}" >"$work/destroy.log" 2>&1; then
  cat "$work/destroy.log"
  fail "destroy failed; the apps above may still exist in the (now stopped) local API"
fi
grep -E 'Destroying\.\.\.|Destruction complete|Destroy complete' "$work/destroy.log"

step "Demo finished: applied, re-planned with no changes, destroyed"
