#!/usr/bin/env bash
# What `make test` runs: make sure PostgreSQL (and Redis, when it can) are reachable, export
# TEST_DATABASE_URL and TEST_REDIS_URL, run the Go tests, then stop whatever was started here.
#
#   scripts/test.sh [go test flags...]      e.g. scripts/test.sh -run TestLogin -v
#   PKGS="./internal/auth/..." scripts/test.sh
#
# Extra arguments go to `go test` before the package list (PKGS, default ./...). The exit code is
# go test's. See scripts/pg-ensure.sh and scripts/redis-ensure.sh for how the services are found.
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
exit "$rc"
