# Shared by backup.sh and restore.sh (sourced, not executed).
# shellcheck shell=bash

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# find_tool NAME: $PG_BIN/NAME when PG_BIN is set, else PATH, else the newest
# /usr/lib/postgresql/*/bin (as scripts/pg-ensure.sh). pg_dump must be at least as new as the
# server. Dies with a clear message when missing.
find_tool() {
  local p
  if [[ -n "${PG_BIN:-}" ]]; then
    p="$PG_BIN/$1"
  elif ! p="$(command -v "$1" 2>/dev/null)"; then
    p="$(printf '%s\n' /usr/lib/postgresql/*/bin/"$1" | sort -V | tail -n 1)"
  fi
  [[ -n "$p" && -x "$p" ]] ||
    die "$1 not found (PATH, /usr/lib/postgresql/*/bin${PG_BIN:+, PG_BIN=$PG_BIN}): install the PostgreSQL client tools (Debian: apt-get install postgresql-client) or set PG_BIN"
  printf '%s\n' "$p"
}

# redact URL: the URL without its password, for the logs.
redact() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

# store_dir: the directory of the file:// STORAGE_URL (default: .data/documents under the working
# directory, as `erp serve` has it); dies for mem://. Prints nothing for s3:// (see the README).
store_dir() {
  local url="${STORAGE_URL:-}"
  if [[ -z "$url" ]]; then
    printf '%s\n' "$PWD/.data/documents"
    return
  fi
  case "$url" in
    file://*)
      local path="${url#file://}"
      path="${path%%\?*}"
      path="$(printf '%b' "${path//%/\\x}")" # percent-decoding
      [[ "$path" == /* ]] || die "STORAGE_URL=$url: want file:///absolute/dir"
      printf '%s\n' "${path%/}"
      ;;
    s3://*) ;;
    mem://*) die "STORAGE_URL=$url: an in-memory store has nothing to back up" ;;
    *) die "STORAGE_URL=$url: scheme not one of file, s3" ;;
  esac
}

# copy_columns DUMP TABLE COLUMN...: the values of the columns (tab-separated, \N for null) of
# every row of TABLE in the custom-format DUMP, from its COPY data.
copy_columns() {
  local dump="$1" table="$2"
  shift 2
  "$PG_RESTORE" --data-only --table="$table" --file=- "$dump" |
    awk -v table="$table" -v want="$*" '
      BEGIN { n = split(want, cols, " ") }
      !in_copy && $0 ~ "^COPY [a-z_]+\\." table " \\(" {
        header = $0
        sub(/^[^(]*\(/, "", header)
        sub(/\) FROM stdin;$/, "", header)
        m = split(header, names, ", ")
        for (i = 1; i <= n; i++) {
          idx[i] = 0
          for (j = 1; j <= m; j++) if (names[j] == cols[i]) idx[i] = j
          if (!idx[i]) { print "no column " cols[i] " in " table > "/dev/stderr"; exit 2 }
        }
        in_copy = 1
        next
      }
      in_copy && $0 == "\\." { in_copy = 0; next }
      in_copy {
        split($0, f, "\t")
        line = f[idx[1]]
        for (i = 2; i <= n; i++) line = line "\t" f[idx[i]]
        print line
      }'
}

# stored_blobs DUMP: the storage keys the rows of DUMP reference (documents, completed reports).
stored_blobs() {
  copy_columns "$1" documents storage_key
  copy_columns "$1" rapports storage_key statut | awk -F '\t' '$2 == "completed" { print $1 }'
}

# stored_key_ids DUMP: the distinct ids of the DOCUMENT_KEYS keys the files of DUMP need.
stored_key_ids() {
  {
    copy_columns "$1" documents key_id
    copy_columns "$1" rapports key_id statut | awk -F '\t' '$2 == "completed" { print $1 }'
  } | sort -u
}
