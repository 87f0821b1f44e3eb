#!/usr/bin/env bash
# The TypeScript SDK's tests (sdk/typescript, `npm test`: node --test) against a real server
# built from this tree: what `make test` runs after the Go tests.
#
#   scripts/sdk-typescript-test.sh
#
# 1. go build -o $TMP/erp ./cmd/erp
# 2. a fresh database mif_sdkts_<random> on the cluster of TEST_DATABASE_URL (an administrative
#    URL; default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable), created with psql
# 3. erp migrate up, erp seed (the demo accounts), then erp serve on a free port in the
#    background, until GET /ready answers 200
# 4. npm ci in sdk/typescript when node_modules is missing or older than package-lock.json, then
#    npm test with MIF_API_URL=http://127.0.0.1:<port>
# 5. always: stop the server, drop the database, delete $TMP (the server's log is printed when
#    something failed)
#
# Knobs: TEST_DATABASE_URL; SDK_TS_KEEP=1 keeps $TMP (binary, log, documents) for a look.
# Needs go, node (>= 20), npm and psql (PATH or /usr/lib/postgresql/*/bin).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

log() { printf 'sdk-typescript-test: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

admin_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"

find_psql() {
  local p
  if p="$(command -v psql 2>/dev/null)"; then printf '%s\n' "$p"; return 0; fi
  p="$(printf '%s\n' /usr/lib/postgresql/*/bin/psql | sort -V | tail -n 1)"
  [[ -x "$p" ]] && printf '%s\n' "$p"
}
PSQL="$(find_psql || true)"
[[ -n "$PSQL" ]] || die "psql not found (PATH or /usr/lib/postgresql/*/bin)"
command -v node >/dev/null 2>&1 || die "node not found (Node.js >= 20 is needed)"
command -v npm >/dev/null 2>&1 || die "npm not found"

# The database URL: the administrative URL with its database replaced.
[[ "$admin_url" =~ ^([a-zA-Z][a-zA-Z0-9+.-]*://[^/?]*)(/[^?]*)?(\?.*)?$ ]] ||
  die "TEST_DATABASE_URL must be a postgres:// URL, got: $admin_url"
url_prefix="${BASH_REMATCH[1]}"
url_query="${BASH_REMATCH[3]}"
db_name="mif_sdkts_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
db_url="${url_prefix}/${db_name}${url_query}"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/mif-sdkts.XXXXXX")"
server_pid=""
db_created=""
ok=""

# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ -n "$db_created" ]]; then
    "$PSQL" "$admin_url" -X -q -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 ||
      log "warning: could not drop database $db_name"
  fi
  if [[ -z "$ok" && -s "$tmp/erp.log" ]]; then
    log "server log (last 60 lines of $tmp/erp.log):"
    tail -n 60 "$tmp/erp.log" >&2 || true
  fi
  if [[ "${SDK_TS_KEEP:-}" == 1 ]]; then
    log "kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "go build -o $tmp/erp ./cmd/erp"
go build -o "$tmp/erp" ./cmd/erp

log "create database $db_name"
"$PSQL" "$admin_url" -X -q -v ON_ERROR_STOP=1 -c "CREATE DATABASE \"$db_name\"" >/dev/null
db_created=1

port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
[[ "$port" =~ ^[0-9]+$ ]] || die "could not find a free port"

mkdir -p "$tmp/documents"
# Every variable of .env.example the server reads that matters here; the rest keep their defaults.
export DATABASE_URL="$db_url"
export PORT="$port"
export ENVIRONMENT=development
SECRET_KEY="sdk-ts-$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
DOCUMENT_KEYS="$(head -c 32 /dev/urandom | base64)"
export SECRET_KEY DOCUMENT_KEYS
export STORAGE_URL="file://$tmp/documents"
export RATE_LIMIT_PER_MINUTE=100000
export LOGIN_MAX_FAILURES=1000
export BCRYPT_COST=4
export MIGRATE_ON_START=false
export ENABLE_SCHEDULER=false
export REDIS_URL=""
export SMTP_HOST=""
export METRICS_TOKEN=""
export TRUSTED_PROXIES=""
export PUBLIC_URL="http://127.0.0.1:$port"
export LOG_LEVEL=WARN

log "erp migrate up"
"$tmp/erp" migrate up >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "migrate up failed"; }
log "erp seed"
"$tmp/erp" seed >"$tmp/seed.log" 2>&1 || { cat "$tmp/seed.log" >&2; die "seed failed"; }

log "erp serve on 127.0.0.1:$port"
"$tmp/erp" serve >"$tmp/erp.log" 2>&1 &
server_pid=$!

base="http://127.0.0.1:$port"
deadline=$((SECONDS + 90))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/ready" 2>/dev/null || true)" == 200 ]]; do
  kill -0 "$server_pid" 2>/dev/null || die "erp serve exited before it was ready"
  ((SECONDS < deadline)) || die "erp serve not ready after 90 s"
  sleep 0.2
done
log "server ready at $base"

cd "$repo/sdk/typescript"
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "npm ci --ignore-scripts (npm test builds)"
  npm ci --ignore-scripts --no-audit --no-fund
fi
log "npm test (MIF_API_URL=$base)"
MIF_API_URL="$base" npm test
ok=1
