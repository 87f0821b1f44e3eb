#!/usr/bin/env bash
# Make sure a Redis is reachable for `make test`, and say where it is.
#
# Execute it (do not source it) and eval what it prints: stdout carries only
# `export NAME='value'` lines, every log line goes to stderr.
#
#   out=$(scripts/redis-ensure.sh test) && eval "$out"  # exports TEST_REDIS_URL, and
#                                                       # REDIS_ENSURE_STOP when it started one
#   scripts/redis-ensure.sh stop "$REDIS_ENSURE_STOP"   # stop it and delete its directory
#
# test: TEST_REDIS_URL if set (set but empty means "no Redis"); else redis://127.0.0.1:6379/15
#       when that answers PING; else, if redis-server is installed, a throwaway server on a free
#       port (no persistence) that the caller stops with `stop`; else TEST_REDIS_URL is empty and
#       the tests that need Redis must say so.
#
# Knobs (environment):
#   REDIS_ENSURE_FORCE_PRIVATE=1   ignore 127.0.0.1:6379 (tests the throwaway path)
set -euo pipefail

HOST=127.0.0.1
SYS_PORT=6379
TMP_PREFIX=mif-erp-redistest

log() { printf 'redis-ensure: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
emit() { printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }

# ping PORT: does a Redis on 127.0.0.1:PORT answer PONG (without a password)?
ping() {
  local port="$1" reply=""
  if command -v redis-cli >/dev/null 2>&1; then
    reply="$(timeout 3 redis-cli -h "$HOST" -p "$port" ping 2>/dev/null || true)"
  else
    reply="$(
      exec 3<>"/dev/tcp/$HOST/$port" || exit 0
      printf 'PING\r\n' >&3
      IFS= read -r -t 3 line <&3 || true
      printf '%s' "$line"
    )" 2>/dev/null || true
  fi
  [[ "${reply%$'\r'}" == PONG || "${reply%$'\r'}" == +PONG ]]
}

port_in_use() {
  local port="$1"
  if command -v ss >/dev/null 2>&1 && [[ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]]; then
    return 0
  fi
  (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null
}

TMP_DIR=""
cleanup_on_failure() {
  local rc=$?
  if [[ $rc != 0 && -n "$TMP_DIR" ]]; then
    stop_throwaway "$TMP_DIR" || true
  fi
}

mode_test() {
  if [[ -n "${TEST_REDIS_URL+set}" ]]; then
    if [[ -n "$TEST_REDIS_URL" ]]; then
      log "using TEST_REDIS_URL from the environment"
    else
      log "TEST_REDIS_URL is set but empty: tests run without Redis"
    fi
    emit TEST_REDIS_URL "$TEST_REDIS_URL"
    return
  fi
  if [[ "${REDIS_ENSURE_FORCE_PRIVATE:-}" != 1 ]] && ping "$SYS_PORT"; then
    log "using Redis on $HOST:$SYS_PORT, database 15"
    emit TEST_REDIS_URL "redis://$HOST:$SYS_PORT/15"
    return
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    log "warning: no Redis reachable and redis-server is not installed (apt-get install redis-server); TEST_REDIS_URL is empty"
    emit TEST_REDIS_URL ""
    return
  fi

  trap cleanup_on_failure EXIT
  TMP_DIR="$(mktemp -d "${TMPDIR:-/tmp}/$TMP_PREFIX.XXXXXX")"
  local attempt port i pid
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((30000 + RANDOM % 2000))
    port_in_use "$port" && continue
    rm -f "$TMP_DIR/redis.pid"
    # --daemonize forks before binding: success is judged by PING below.
    (cd "$TMP_DIR" && redis-server --bind "$HOST" --port "$port" --save '' --appendonly no \
      --daemonize yes --dir "$TMP_DIR" --pidfile "$TMP_DIR/redis.pid" \
      --logfile "$TMP_DIR/redis.log") >&2 || die "redis-server failed to start"
    for i in $(seq 1 50); do
      if ping "$port"; then
        log "throwaway Redis up on port $port (attempt $attempt)"
        emit TEST_REDIS_URL "redis://$HOST:$port/15"
        emit REDIS_ENSURE_STOP "$TMP_DIR"
        TMP_DIR=""
        return
      fi
      pid="$(cat "$TMP_DIR/redis.pid" 2>/dev/null || true)"
      # Daemon gone (e.g. the port was taken meanwhile): try another port.
      if ((i > 5)) && { [[ -z "$pid" ]] || ! kill -0 "$pid" 2>/dev/null; }; then
        break
      fi
      sleep 0.1
    done
    pid="$(cat "$TMP_DIR/redis.pid" 2>/dev/null || true)"
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
    log "Redis did not come up on port $port: $(tail -n 2 "$TMP_DIR/redis.log" 2>/dev/null)"
  done
  die "could not start a throwaway Redis"
}

# stop_throwaway DIR: stop the Redis whose pidfile is in DIR, then delete DIR.
stop_throwaway() {
  local dir="$1" pid i
  [[ -n "$dir" && -d "$dir" ]] || return 0
  case "$(basename "$dir")" in
    "$TMP_PREFIX".*) ;;
    *) die "refusing to delete $dir: not a throwaway Redis made by this script" ;;
  esac
  pid="$(cat "$dir/redis.pid" 2>/dev/null || true)"
  if [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; then
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -rf -- "$dir"
  log "stopped and removed the throwaway Redis $dir"
}

case "${1:-}" in
  test) mode_test ;;
  stop) stop_throwaway "${2:?usage: redis-ensure.sh stop DIR}" ;;
  *)
    echo "usage: $0 test|stop DIR" >&2
    exit 2
    ;;
esac
