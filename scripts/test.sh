#!/usr/bin/env bash
# What `make test` runs: make sure PostgreSQL (and Redis, when it can) are reachable, export
# TEST_DATABASE_URL and TEST_REDIS_URL, run the Go tests, then stop whatever was started here.
#
#   scripts/test.sh [go test flags...]      e.g. scripts/test.sh -run TestLogin -v
#   PKGS="./internal/auth/..." scripts/test.sh
#
# Extra arguments go to `go test` before the package list (PKGS, default ./...). See
# scripts/pg-ensure.sh and scripts/redis-ensure.sh for how the services are found.
#
# After the Go tests, the TypeScript SDK's tests run against a server built from this tree
# (scripts/sdk-typescript-test.sh, on the same TEST_DATABASE_URL): by default only for a full run
# (no extra arguments, PKGS=./...); SDK_TS_TEST=1 runs them always, SDK_TS_TEST=0 never. The exit
# code is go test's when it failed, else the SDK tests'.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

PG_ENSURE_STOP=""
REDIS_ENSURE_STOP=""
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -z "$REDIS_ENSURE_STOP" ]] || bash "$here/redis-ensure.sh" stop "$REDIS_ENSURE_STOP" || true
  [[ -z "$PG_ENSURE_STOP" ]] || bash "$here/pg-ensure.sh" stop "$PG_ENSURE_STOP" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

out="$(bash "$here/pg-ensure.sh" test)"
eval "$out"
out="$(bash "$here/redis-ensure.sh" test)"
eval "$out"
export TEST_DATABASE_URL TEST_REDIS_URL

echo "TEST_DATABASE_URL=$TEST_DATABASE_URL"
echo "TEST_REDIS_URL=${TEST_REDIS_URL:-<none>}"

read -r -a pkgs <<<"${PKGS:-./...}"
set +e
go test -race -count=1 "$@" "${pkgs[@]}"
rc=$?
set -e

sdk_ts="${SDK_TS_TEST:-}"
if [[ -z "$sdk_ts" ]]; then
  sdk_ts=0
  [[ $# -eq 0 && "${PKGS:-./...}" == "./..." ]] && sdk_ts=1
fi
if [[ "$sdk_ts" == 1 ]]; then
  echo "==> TypeScript SDK tests (scripts/sdk-typescript-test.sh)"
  set +e
  bash "$here/sdk-typescript-test.sh"
  sdk_rc=$?
  set -e
  ((rc != 0)) || rc=$sdk_rc
else
  echo "TypeScript SDK tests skipped (a partial Go run; SDK_TS_TEST=1 runs them)"
fi
exit "$rc"
