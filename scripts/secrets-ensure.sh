#!/usr/bin/env bash
# The secrets of `make run` (scripts/run.sh): SECRET_KEY (signs the tokens and the download
# links) and DOCUMENT_KEYS (encrypts the documents), generated once into .data/secrets.env and
# reused on every later run, so that sessions and uploaded documents survive a restart.
#
# Execute it (do not source it) and eval what it prints: stdout carries only
# `export NAME='value'` lines, every log line goes to stderr.
#
#   out=$(scripts/secrets-ensure.sh) && eval "$out"
#
# For each of SECRET_KEY and DOCUMENT_KEYS:
#   - set (not empty) in the environment: used as is, nothing printed, nothing written;
#   - else read from the secrets file;
#   - else generated (32 random bytes: hex for SECRET_KEY, base64 for DOCUMENT_KEYS) and added to
#     the secrets file, which is created with mode 0600 when absent. An existing value is never
#     replaced: losing DOCUMENT_KEYS makes every document uploaded with it unreadable.
#
# Knobs (environment):
#   SECRETS_FILE=FILE   the secrets file (default $REPO/.data/secrets.env)
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FILE="${SECRETS_FILE:-$REPO/.data/secrets.env}"
NAMES=(SECRET_KEY DOCUMENT_KEYS)

log() { printf 'secrets: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# emit NAME VALUE: print an eval-able export line, single-quoted.
emit() { printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }

# random_bytes N: N bytes from the kernel's CSPRNG.
random_bytes() { head -c "$1" /dev/urandom; }

generate() {
  case "$1" in
    SECRET_KEY) random_bytes 32 | od -An -v -tx1 | tr -d ' \n' ;;
    DOCUMENT_KEYS) random_bytes 32 | base64 | tr -d '\n' ;;
  esac
}

# stored NAME: the value of NAME in the secrets file (its last NAME=value line, surrounding
# quotes removed), empty when absent.
stored() {
  [[ -f "$FILE" ]] || return 0
  local line v found=""
  while IFS= read -r line || [[ -n "$line" ]]; do
    [[ "$line" == "$1="* ]] || continue
    v="${line#*=}"
    v="${v%$'\r'}"
    if [[ "$v" =~ ^\"(.*)\"$ || "$v" =~ ^\'(.*)\'$ ]]; then
      v="${BASH_REMATCH[1]}"
    fi
    if [[ -n "$v" ]]; then found="$v"; fi
  done <"$FILE"
  printf '%s' "$found"
}

# permissions_ok: the file is readable by its owner only.
permissions_ok() {
  local mode
  mode="$(stat -c %a "$FILE" 2>/dev/null || stat -f %Lp "$FILE")"
  [[ "$mode" == 600 || "$mode" == 400 ]]
}

created=0
for name in "${NAMES[@]}"; do
  if [[ -n "${!name:-}" ]]; then
    log "$name from the environment"
    continue
  fi
  value="$(stored "$name")"
  if [[ -z "$value" ]]; then
    value="$(generate "$name")"
    [[ -n "$value" ]] || die "could not generate $name"
    mkdir -p "$(dirname "$FILE")"
    if [[ ! -f "$FILE" ]]; then
      (
        umask 077
        cat >"$FILE" <<HEADER
# Secrets of \`make run\` (scripts/secrets-ensure.sh), generated on $(date -u +%Y-%m-%dT%H:%M:%SZ).
# Keep this file private (mode 0600) and keep it: without DOCUMENT_KEYS the documents uploaded
# so far cannot be read, and a new SECRET_KEY ends every session. A variable set in the
# environment takes precedence over this file. Back it up with the database and the documents.
HEADER
      )
      created=1
    fi
    printf '%s=%s\n' "$name" "$value" >>"$FILE"
    log "$name generated into $FILE"
  else
    log "$name from $FILE"
  fi
  emit "$name" "$value"
done
if [[ -f "$FILE" ]] && ! permissions_ok; then
  log "warning: $FILE is readable by others; run: chmod 600 $FILE"
fi
if [[ "$created" == 1 ]]; then
  log "created $FILE (mode 0600)"
fi
