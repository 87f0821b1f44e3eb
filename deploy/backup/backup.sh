#!/usr/bin/env bash
# Back up MIF ERP: the database (pg_dump, custom format) and the encrypted document store (a tar
# of the file:// directory), into one new directory:
#
#   deploy/backup/backup.sh [DEST]      # DEST: parent directory (default $BACKUP_DIR, else ./backups)
#
#   DEST/mif-erp-20260301T020000Z/
#     database.dump    pg_dump --format=custom of the whole database
#     documents.tar    the document store (documents/ and rapports/ blobs, still encrypted)
#     MANIFEST         when, what, schema version, counts, the DOCUMENT_KEYS key ids needed
#     SHA256SUMS       checksums of the two files (restore.sh checks them)
#
# The backup's path is the only line printed on stdout; the log goes to stderr. The directory is
# made under a hidden temporary name and renamed once complete. Exit status: 0 done, 3 done but
# some files the database references were missing from the store (listed in MANIFEST), other
# non-zero: failed (nothing left behind).
#
# Environment (the server's own variables):
#   DATABASE_URL   the database (else built from POSTGRES_HOST/PORT/USER/PASSWORD/DB/SSLMODE)
#   STORAGE_URL    file:///dir (default: ./.data/documents, as `erp serve` has it), or s3://...:
#                  an S3 bucket is not copied (use its versioning/replication, or aws s3 sync;
#                  see README "Backups"); mem:// is refused
#   PG_BIN         directory of pg_dump/pg_restore (default: PATH, else /usr/lib/postgresql/*/bin)
#
# The keys are NOT in the backup: keep DOCUMENT_KEYS (and SECRET_KEY) in your secret store
# (`make run`: .data/secrets.env); without them the documents cannot be read.
#
# The database is dumped first (one consistent snapshot), then the store is copied: blobs are
# never changed in place, so every file the snapshot references is in the copy unless it was
# deleted meanwhile (reported). Files uploaded meanwhile are copied without their row; the
# server's sweeper deletes them an hour after a restore.
set -euo pipefail

PROG=backup.sh
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

[[ $# -le 1 ]] || die "usage: $0 [DEST]"
dest="${1:-${BACKUP_DIR:-./backups}}"

if [[ -z "${DATABASE_URL:-}" ]]; then
  DATABASE_URL="postgres://${POSTGRES_USER:-postgres}@${POSTGRES_HOST:-127.0.0.1}:${POSTGRES_PORT:-5432}/${POSTGRES_DB:-mif_erp}?sslmode=${POSTGRES_SSLMODE:-disable}"
  if [[ -n "${POSTGRES_PASSWORD:-}" ]]; then
    export PGPASSWORD="$POSTGRES_PASSWORD"
  fi
fi
PG_DUMP="$(find_tool pg_dump)"
PG_RESTORE="$(find_tool pg_restore)"
PSQL="$(find_tool psql)"
store="$(store_dir)"
if [[ -n "$store" && ! -d "$store" ]]; then
  die "document store $store does not exist: set STORAGE_URL as the server has it"
fi

mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
final="$dest/mif-erp-$stamp"
n=1
while [[ -e "$final" ]]; do
  n=$((n + 1))
  final="$dest/mif-erp-$stamp-$n"
done
work="$(mktemp -d "$dest/.mif-erp-$stamp.XXXXXX")"
chmod 700 "$work"
# A failed backup leaves nothing behind (work is emptied once the backup is in place).
trap 'if [[ -n "$work" ]]; then rm -rf -- "$work"; fi' EXIT

log "dumping $(redact "$DATABASE_URL") with $("$PG_DUMP" --version)"
PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}" "$PG_DUMP" --no-password --format=custom \
  --file="$work/database.dump" --dbname="$DATABASE_URL" ||
  die "pg_dump failed (see above)"

schema="$(copy_columns "$work/database.dump" schema_migrations version | head -n 1)"
[[ -n "$schema" ]] || die "the dump has no schema_migrations row: is DATABASE_URL the MIF ERP database?"
documents="$(copy_columns "$work/database.dump" documents id | wc -l | tr -d ' ')"
rapports="$(copy_columns "$work/database.dump" rapports statut | grep -cx completed || true)"
stored_blobs "$work/database.dump" | sort -u >"$work/.referenced"
referenced="$(wc -l <"$work/.referenced" | tr -d ' ')"
key_ids="$(stored_key_ids "$work/database.dump" | paste -sd ' ' -)"

status=0
missing_list=""
if [[ -n "$store" ]]; then
  log "archiving the document store $store"
  tar_opts=()
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then
    # Uploads and deletions may go on: a file that changes or goes while it is read is not an
    # error (every referenced file is checked below).
    tar_opts=(--warning=no-file-changed --warning=no-file-removed --warning=no-file-shrank)
  fi
  rc=0
  tar "${tar_opts[@]}" -C "$store" -cf "$work/documents.tar" . || rc=$?
  [[ $rc == 0 || $rc == 1 ]] || die "tar of $store failed (status $rc)"

  tar -tf "$work/documents.tar" | sed 's#^\./##' | sort -u >"$work/.archived"
  comm -23 "$work/.referenced" "$work/.archived" >"$work/.missing"
  missing="$(wc -l <"$work/.missing" | tr -d ' ')"
  if [[ "$missing" -gt 0 && "$missing" == "$referenced" ]]; then
    die "none of the $referenced files the database references is in $store: is STORAGE_URL the server's?"
  fi
  if [[ "$missing" -gt 0 ]]; then
    # Deleted since the dump (their rows are gone now), or lost?
    keys="{$(paste -sd , "$work/.missing")}"
    still="$("$PSQL" --no-password -X -q -A -t -v ON_ERROR_STOP=1 -v keys="$keys" --dbname="$DATABASE_URL" <<'SQL'
SELECT storage_key FROM documents WHERE storage_key = ANY (:'keys'::text[])
UNION SELECT storage_key FROM rapports WHERE storage_key = ANY (:'keys'::text[]);
SQL
)"
    if [[ -n "$still" ]]; then
      status=3
      log "error: $(wc -l <<<"$still" | tr -d ' ') file(s) the database references are missing from $store (listed in MANIFEST): those documents cannot be restored"
    else
      log "note: $missing file(s) deleted while the backup ran are not in the archive; their rows are in the dump (restored, they answer an error on download); run the backup again for an exact copy"
    fi
    missing_list="$(paste -sd ' ' "$work/.missing")"
  fi
  storage_line="file://$store"
else
  storage_line="$(redact "$STORAGE_URL") (not copied: back the bucket up with its own tools, see README \"Backups\")"
  log "warning: STORAGE_URL is an S3 bucket: its documents are NOT in this backup. Copy the bucket too, e.g." \
    "aws s3 sync s3://BUCKET/ <backup>/documents/ (or rely on bucket versioning and replication)"
fi
rm -f "$work/.referenced" "$work/.archived" "$work/.missing"

{
  echo "format: mif-erp-backup 1"
  echo "created_at: $stamp"
  echo "database: $(redact "$DATABASE_URL")"
  echo "schema_version: $schema"
  echo "pg_dump: $("$PG_DUMP" --version)"
  echo "storage: $storage_line"
  echo "documents: $documents"
  echo "rapports_completed: $rapports"
  echo "files_referenced: $referenced"
  echo "files_missing: ${missing_list:-none}"
  echo "document_key_ids: ${key_ids:-none}"
} >"$work/MANIFEST"
(
  cd "$work"
  files=(database.dump)
  [[ -f documents.tar ]] && files+=(documents.tar)
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "${files[@]}"
  else
    shasum -a 256 "${files[@]}"
  fi
) >"$work/SHA256SUMS"

chmod 600 "$work"/*
mv "$work" "$final"
work=""
log "backup complete: $final ($documents document(s), $rapports report(s), schema $schema)"
log "to read the documents after a restore, the server needs the DOCUMENT_KEYS keys with id(s): ${key_ids:-none}"
printf '%s\n' "$final"
exit "$status"
