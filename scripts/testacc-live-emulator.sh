#!/usr/bin/env bash
# Runs `make testacc-live` against cmd/pipeshub-emulator started as a
# separate process, as against a staging PipesHub: the live tests then reach
# PipesHub only over HTTP, with no in-process shortcut (faults, call counts,
# restarts). The emulator is built, started on 127.0.0.1 with a free port
# and three fresh tokens (an admin, a second admin, a member), and stopped at
# the end whatever happens; its request log is printed when the run fails.
#
# TERRAFORM (default terraform) is the CLI the tests drive: .ci/run passes the
# newest at hand so that the identity, query and action tests run too.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

work="$(mktemp -d)"
emulator_pid=""
stop_emulator() {
  if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  emulator_pid=""
}
cleanup() {
  local status=$?
  stop_emulator
  if [[ $status -ne 0 && -s "$work/requests.log" ]]; then
    echo "testacc-live: the emulator's request log (last 100 lines):"
    tail -n 100 "$work/requests.log"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "testacc-live: building cmd/pipeshub-emulator"
go build -o "$work/pipeshub-emulator" ./cmd/pipeshub-emulator

# Fresh tokens for this run only (the emulator takes any string).
run_id="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
admin="live-admin-$run_id"
second="live-second-$run_id"
member="live-member-$run_id"

# Port 0: the emulator picks a free port and prints it, once it listens.
"$work/pipeshub-emulator" -addr 127.0.0.1:0 \
  -token "$admin=live-admin:admin" -token "$second=live-second:admin" -token "$member=live-member:member" \
  >"$work/stdout.log" 2>"$work/requests.log" &
emulator_pid=$!

server_url=""
for _ in $(seq 1 100); do
  server_url="$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$work/stdout.log")"
  [[ -n "$server_url" ]] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    echo "testacc-live: the emulator exited before listening:" >&2
    cat "$work/stdout.log" "$work/requests.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$server_url" ]]; then
  echo "testacc-live: the emulator did not say where it listens within 10 s:" >&2
  cat "$work/stdout.log" >&2
  exit 1
fi

# api METHOD PATH [JSON]: one HTTP/1.0 request as the admin, with bash
# alone (CI has no curl); prints the status line, a blank line, then the body.
hostport="${server_url#http://}"
hostport="${hostport%%/*}"
api() {
  local body="${3:-}"
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" || return 1
  printf '%s /api/v1%s HTTP/1.0\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s' \
    "$1" "$2" "$admin" "${#body}" "$body" >&3
  local answer
  answer="$(cat <&3)"
  exec 3<&- 3>&-
  printf '%s\n\n%s\n' "${answer%%$'\r'*}" "${answer#*$'\r\n\r\n'}"
}
# It answers once it listens; check that it does.
answered=""
for _ in $(seq 1 50); do
  if [[ "$(api GET /oauth-clients/scopes 2>/dev/null | head -n 1)" == HTTP/1.?" 200"* ]]; then
    answered=1
    break
  fi
  sleep 0.1
done
if [[ -z "$answered" ]]; then
  echo "testacc-live: the emulator at $server_url does not answer GET /oauth-clients/scopes with 200" >&2
  exit 1
fi
echo "testacc-live: emulator (pid $emulator_pid) answers at $server_url"

export PIPESHUB_SERVER_URL="$server_url"
export PIPESHUB_BEARER_AUTH="$admin"
export PIPESHUB_SECOND_USER_BEARER_AUTH="$second"
export PIPESHUB_MEMBER_BEARER_AUTH="$member"
# An app an interrupted earlier run left, which the sweeper must delete, and
# one of the user's own, which it must not touch.
create_app() {
  local answer
  answer="$(api POST /oauth-clients "{\"name\":\"$1\",\"allowedGrantTypes\":[\"client_credentials\"],\"allowedScopes\":[\"kb:read\"]}")"
  [[ "$answer" == HTTP/1.?" 201"* ]] || { echo "testacc-live: creating app '$1': $answer" >&2; return 1; }
  sed -n 's/.*"id":"\([0-9a-f]\{24\}\)".*/\1/p' <<<"$answer" | head -n 1
}
leftover="$(create_app "tfacc-live-left-by-an-earlier-run")"
keep="$(create_app "production app, tfacc-live- in its name")"

make --no-print-directory testacc-live TERRAFORM="${TERRAFORM:-terraform}"
# What a run against staging ends with: nothing named tfacc-live-* is left.
make --no-print-directory sweep-live
[[ "$(api GET "/oauth-clients/$leftover" | head -n 1)" == HTTP/1.?" 404"* ]] ||
  { echo "testacc-live: the sweeper left app $leftover (tfacc-live-left-by-an-earlier-run)" >&2; exit 1; }
[[ "$(api GET "/oauth-clients/$keep" | head -n 1)" == HTTP/1.?" 200"* ]] ||
  { echo "testacc-live: the sweeper deleted app $keep, whose name does not start with tfacc-live-" >&2; exit 1; }
echo "testacc-live: the sweeper deleted the earlier run's app and kept the other"
