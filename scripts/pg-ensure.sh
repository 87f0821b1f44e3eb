#!/usr/bin/env bash
# Make sure a PostgreSQL is reachable for `make run` / `make test`, and say where it is.
#
# Execute it (do not source it) and eval what it prints: stdout carries only
# `export NAME='value'` lines, every log line goes to stderr.
#
#   out=$(scripts/pg-ensure.sh run)  && eval "$out"   # exports DATABASE_URL
#   out=$(scripts/pg-ensure.sh test) && eval "$out"   # exports TEST_DATABASE_URL, and
#                                                     # PG_ENSURE_STOP when it started a cluster
#   scripts/pg-ensure.sh stop "$PG_ENSURE_STOP"       # stop and delete that throwaway cluster
#   scripts/pg-ensure.sh stop-private                 # stop the `run` cluster (keeps its data)
#
# run:  DATABASE_URL if set; else database mif_erp (created if missing) on the PostgreSQL at
#       127.0.0.1:5432 when it lets user postgres in without a password; else a private cluster
#       in $REPO/.data/pg on port 54320 (started, or reused if already running), database mif_erp.
# test: TEST_DATABASE_URL if set; else postgres://postgres@127.0.0.1:5432/postgres when that lets
#       postgres in without a password; else a throwaway cluster (mktemp dir, free port,
#       fsync=off) that the caller stops with `stop`. The URL is an administrative one: the Go
#       test harness creates and drops its own databases through it.
#
# Knobs (environment):
#   PG_ENSURE_FORCE_PRIVATE=1   ignore 127.0.0.1:5432 (tests the private/throwaway paths)
#   PG_ENSURE_NO_INSTALL=1      never `apt-get install postgresql` when the binaries are missing
#   PG_ENSURE_DATA_DIR=DIR      data dir of the `run` cluster (default $REPO/.data/pg)
#   PG_ENSURE_PORT=PORT         port of the `run` cluster (default 54320)
#   PG_ENSURE_DB_NAME=NAME      database of `run` (default mif_erp; `make bench` uses mif_bench)
#
# Server binaries come from PATH or /usr/lib/postgresql/*/bin (newest). As root, the server runs
# as user `postgres` (via runuser), since PostgreSQL refuses to run as root.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SYS_HOST=127.0.0.1
SYS_PORT=5432
DB_NAME="${PG_ENSURE_DB_NAME:-mif_erp}"
TMP_PREFIX=mif-erp-pgtest

log() { printf 'pg-ensure: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# emit NAME VALUE: print an eval-able export line, single-quoted.
emit() { printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }

is_root() { [[ "$(id -u)" == 0 ]]; }

# as_pg CMD...: run a server command as the cluster owner, from / (the caller's cwd may be
# unreadable by postgres).
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# find_tool NAME: PATH first, then the newest /usr/lib/postgresql/*/bin.
find_tool() {
  local p
  if p="$(command -v "$1" 2>/dev/null)"; then
    printf '%s\n' "$p"
    return 0
  fi
  p="$(printf '%s\n' /usr/lib/postgresql/*/bin/"$1" | sort -V | tail -n 1)"
  [[ -x "$p" ]] || p=""
  [[ -n "$p" ]] && printf '%s\n' "$p"
}

install_postgresql() {
  [[ "${PG_ENSURE_NO_INSTALL:-}" == 1 ]] && return 1
  is_root && command -v apt-get >/dev/null 2>&1 || return 1
  log "PostgreSQL binaries missing: apt-get install postgresql"
  {
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql
  } >&2
}

PSQL="" INITDB="" PG_CTL=""
locate_binaries() {
  PSQL="$(find_tool psql || true)"
  INITDB="$(find_tool initdb || true)"
  PG_CTL="$(find_tool pg_ctl || true)"
}

# need_client / need_server: locate binaries, installing postgresql once if allowed.
need_client() {
  locate_binaries
  [[ -n "$PSQL" ]] && return 0
  install_postgresql || die "psql not found; install PostgreSQL (apt-get install postgresql)"
  locate_binaries
  [[ -n "$PSQL" ]] || die "psql still not found after installing postgresql"
}
need_server() {
  need_client
  if [[ -z "$INITDB" || -z "$PG_CTL" ]]; then
    install_postgresql || die "initdb/pg_ctl not found; install PostgreSQL (apt-get install postgresql)"
    locate_binaries
    [[ -n "$INITDB" && -n "$PG_CTL" ]] || die "initdb/pg_ctl still not found after installing postgresql"
  fi
  # Prefer pg_ctl from initdb's own directory so both belong to one version.
  local dir
  dir="$(dirname "$(readlink -f "$INITDB")")"
  [[ -x "$dir/pg_ctl" ]] && PG_CTL="$dir/pg_ctl"
  if is_root && ! id postgres >/dev/null 2>&1; then
    die "running as root but there is no 'postgres' user to own the cluster"
  fi
  return 0
}

# pg_psql URL ARGS...: psql that never prompts and ignores stored passwords, so that success
# really means "trust".
pg_psql() {
  local url="$1"
  shift
  env -u PGPASSWORD -u PGSERVICE PGPASSFILE=/dev/null/none PGCONNECT_TIMEOUT=3 \
    "$PSQL" "$url" -w -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

url_for() { printf 'postgres://postgres@%s:%s/%s?sslmode=disable' "$SYS_HOST" "$1" "$2"; }

port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]; then
    return 0
  fi
  (exec 3<>"/dev/tcp/$SYS_HOST/$port") 2>/dev/null
}

# system_ok: does 127.0.0.1:5432 let user postgres in without a password?
system_ok() {
  [[ "${PG_ENSURE_FORCE_PRIVATE:-}" == 1 ]] && return 1
  local isready
  if isready="$(find_tool pg_isready)"; then
    "$isready" -q -h "$SYS_HOST" -p "$SYS_PORT" -t 3 || return 1
  elif ! port_in_use "$SYS_PORT"; then
    return 1
  fi
  [[ -n "$PSQL" ]] || return 1
  [[ "$(pg_psql "$(url_for "$SYS_PORT" postgres)" -c 'select 1' 2>/dev/null)" == 1 ]]
}

# ensure_db PORT: create database mif_erp on the server at 127.0.0.1:PORT if it is missing.
ensure_db() {
  local admin exists
  admin="$(url_for "$1" postgres)"
  exists="$(pg_psql "$admin" -c "select 1 from pg_database where datname = '$DB_NAME'")"
  if [[ "$exists" != 1 ]]; then
    log "creating database $DB_NAME on port $1"
    pg_psql "$admin" -c "create database $DB_NAME" >&2
  fi
}

cluster_locale() {
  if locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then echo C.UTF-8; else echo C; fi
}

# init_cluster DIR: initdb (trust auth, UTF8, superuser postgres) into an empty DIR.
init_cluster() {
  local dir="$1"
  is_root && chown postgres: "$dir"
  chmod 700 "$dir"
  as_pg "$INITDB" -D "$dir" -U postgres --auth=trust -E UTF8 --locale="$(cluster_locale)" \
    --no-sync --no-instructions >/dev/null ||
    die "initdb failed in $dir"
  # TCP on loopback only; no Unix socket (its path could exceed the 107-byte limit).
  cat >>"$dir/postgresql.conf" <<'CONF'

# added by scripts/pg-ensure.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
CONF
}

# start_cluster DIR PORT [server options...]: start, waiting until it accepts connections.
start_cluster() {
  local dir="$1" port="$2"
  shift 2
  : >"$dir/server.log"
  is_root && chown postgres: "$dir/server.log"
  as_pg "$PG_CTL" -D "$dir" -l "$dir/server.log" -w -t 60 -s \
    -o "-p $port $*" start >&2
}

pid_port() { sed -n 4p "$1/postmaster.pid" 2>/dev/null; }

is_running() { [[ -f "$1/PG_VERSION" ]] && as_pg "$PG_CTL" -D "$1" status >/dev/null 2>&1; }

# ---------------------------------------------------------------------------------------------

mode_run() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    log "using DATABASE_URL from the environment"
    emit DATABASE_URL "$DATABASE_URL"
    return
  fi
  locate_binaries
  if system_ok; then
    log "using PostgreSQL on $SYS_HOST:$SYS_PORT (user postgres, trust), database $DB_NAME"
    ensure_db "$SYS_PORT"
    emit DATABASE_URL "$(url_for "$SYS_PORT" "$DB_NAME")"
    return
  fi

  need_server
  local dir="${PG_ENSURE_DATA_DIR:-$REPO/.data/pg}" port="${PG_ENSURE_PORT:-54320}"
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if is_root && ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
    die "user postgres cannot reach $dir (a parent directory is not traversable); set PG_ENSURE_DATA_DIR to a directory it can use, or DATABASE_URL"
  fi

  if is_running "$dir"; then
    port="$(pid_port "$dir")"
    log "reusing the private cluster in $dir (port $port)"
  else
    if [[ ! -f "$dir/PG_VERSION" ]]; then
      [[ -z "$(ls -A "$dir")" ]] || die "$dir is neither empty nor a PostgreSQL data directory"
      log "initialising a private cluster in $dir"
      init_cluster "$dir"
    elif is_root; then
      chown -R postgres: "$dir"
    fi
    port_in_use "$port" && die "port $port is taken by another process; set PG_ENSURE_PORT"
    log "starting the private cluster in $dir on port $port"
    start_cluster "$dir" "$port" ||
      die "could not start PostgreSQL in $dir; see $dir/server.log: $(tail -n 5 "$dir/server.log" 2>/dev/null)"
  fi
  ensure_db "$port"
  emit DATABASE_URL "$(url_for "$port" "$DB_NAME")"
}

TMP_DIR=""
cleanup_on_failure() {
  local rc=$?
  if [[ $rc != 0 && -n "$TMP_DIR" ]]; then
    stop_throwaway "$TMP_DIR" || true
  fi
}

mode_test() {
  if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    log "using TEST_DATABASE_URL from the environment"
    emit TEST_DATABASE_URL "$TEST_DATABASE_URL"
    return
  fi
  locate_binaries
  if system_ok; then
    log "using PostgreSQL on $SYS_HOST:$SYS_PORT (user postgres, trust)"
    emit TEST_DATABASE_URL "$(url_for "$SYS_PORT" postgres)"
    return
  fi

  need_server
  trap cleanup_on_failure EXIT
  TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/$TMP_PREFIX.XXXXXX")"
  log "initialising a throwaway cluster in $TMP_DIR"
  init_cluster "$TMP_DIR"

  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 10000))
    port_in_use "$port" && continue
    if start_cluster "$TMP_DIR" "$port" -c fsync=off -c synchronous_commit=off -c full_page_writes=off; then
      log "throwaway cluster up on port $port (attempt $attempt)"
      emit TEST_DATABASE_URL "$(url_for "$port" postgres)"
      emit PG_ENSURE_STOP "$TMP_DIR"
      TMP_DIR=""
      return
    fi
    grep -q 'could not bind\|Address already in use' "$TMP_DIR/server.log" ||
      die "could not start the throwaway cluster: $(tail -n 5 "$TMP_DIR/server.log")"
    log "port $port was taken meanwhile; trying another"
  done
  die "no free port found for the throwaway cluster"
}

# stop_throwaway DIR: stop the cluster in DIR and delete DIR (only a dir this script made).
stop_throwaway() {
  local dir="$1"
  [[ -n "$dir" && -d "$dir" ]] || return 0
  case "$(basename "$dir")" in
    "$TMP_PREFIX".*) ;;
    *) die "refusing to delete $dir: not a throwaway cluster made by this script" ;;
  esac
  if [[ -f "$dir/postmaster.pid" ]]; then
    locate_binaries
    if [[ -n "$PG_CTL" ]]; then
      as_pg "$PG_CTL" -D "$dir" -m immediate -w -s stop >/dev/null 2>&1 || true
    fi
  fi
  rm -rf -- "$dir"
  log "stopped and removed the throwaway cluster $dir"
}

mode_stop_private() {
  local dir="${PG_ENSURE_DATA_DIR:-$REPO/.data/pg}"
  locate_binaries
  if [[ -n "$PG_CTL" ]] && is_running "$dir"; then
    as_pg "$PG_CTL" -D "$dir" -m fast -w -s stop >&2
    log "stopped the private cluster in $dir"
  else
    log "no private cluster running in $dir"
  fi
}

case "${1:-}" in
  run) mode_run ;;
  test) mode_test ;;
  stop) stop_throwaway "${2:?usage: pg-ensure.sh stop DIR}" ;;
  stop-private) mode_stop_private ;;
  *)
    echo "usage: $0 run|test|stop DIR|stop-private" >&2
    exit 2
    ;;
esac
