#!/usr/bin/env bash
# Restore a backup made by backup.sh into an EMPTY database and an empty (or absent) document
# store directory:
#
#   DATABASE_URL=postgres://.../mif_erp_restored STORAGE_URL=file:///var/lib/erp/documents \
#     deploy/backup/restore.sh /backups/mif-erp-20260301T020000Z
#
# Steps: check SHA256SUMS; refuse a database that already has tables, or a store directory that
# is not empty; pg_restore in one transaction (nothing is left half-restored); ANALYZE; unpack the
# store (directory mode 0700); check that every file the restored rows reference is there; print
# the DOCUMENT_KEYS key ids the server needs. Then start `erp serve` on DATABASE_URL and
# STORAGE_URL with the same DOCUMENT_KEYS (and SECRET_KEY, or every user logs in again): it
# applies the migrations the backup is missing, and warns at start-up of any key it lacks.
#
# Environment:
#   DATABASE_URL   the target database (required; create it first: CREATE DATABASE ...)
#   STORAGE_URL    file:///dir, the target store (required); s3://...: the documents are not in
#                  the backup, restore the bucket with its own tools (see README "Backups")
#   PG_BIN         directory of pg_restore/psql (default: PATH, else /usr/lib/postgresql/*/bin)
set -euo pipefail

PROG=restore.sh
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$here/lib.sh"

[[ $# == 1 ]] || die "usage: DATABASE_URL=... STORAGE_URL=file:///dir $0 BACKUP_DIR"
backup="$1"
[[ -f "$backup/database.dump" && -f "$backup/MANIFEST" ]] || die "$backup is not a backup made by backup.sh (no database.dump or MANIFEST)"
[[ -n "${DATABASE_URL:-}" ]] || die "set DATABASE_URL to the (empty) database to restore into"
[[ -n "${STORAGE_URL:-}" ]] || die "set STORAGE_URL to the document store to restore into (file:///dir)"
PG_RESTORE="$(find_tool pg_restore)"
PSQL="$(find_tool psql)"
store="$(store_dir)"

sql() { "$PSQL" --no-password -X -q -A -t -v ON_ERROR_STOP=1 --dbname="$DATABASE_URL" "$@"; }

log "checking $backup/SHA256SUMS"
(
  cd "$backup"
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum --quiet --check SHA256SUMS
  else
    shasum -a 256 --quiet --check SHA256SUMS
  fi
) >&2 || die "the backup's files do not match SHA256SUMS: corrupted or incomplete copy"

tables="$(PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}" sql -c \
  "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")" ||
  die "cannot connect to $(redact "$DATABASE_URL") (create the database first)"
[[ "$tables" == 0 ]] || die "$(redact "$DATABASE_URL") is not empty ($tables tables): restore into a new database"

if [[ -n "$store" ]]; then
  [[ -f "$backup/documents.tar" ]] || die "the backup has no documents.tar (made from an S3 store?): restore the bucket with its own tools, or set STORAGE_URL to it"
  if [[ -d "$store" && -n "$(ls -A "$store")" ]]; then
    die "document store $store is not empty: restore into a new directory"
  fi
fi

log "restoring the database into $(redact "$DATABASE_URL")"
# Everything but the extensions' comments, which belong to their owner: a non-superuser could
# not restore them.
list="$(mktemp "${TMPDIR:-/tmp}/mif-erp-restore.XXXXXX")"
trap 'rm -f "$list"' EXIT
"$PG_RESTORE" --list "$backup/database.dump" >"$list" || die "pg_restore cannot read $backup/database.dump"
sed -i.bak '/ COMMENT - EXTENSION /d' "$list" && rm -f "$list.bak"
"$PG_RESTORE" --no-password --no-owner --no-acl --exit-on-error --single-transaction \
  --use-list="$list" --dbname="$DATABASE_URL" "$backup/database.dump" ||
  die "pg_restore failed (the database was left as it was)"
sql -c "ANALYZE" >/dev/null

if [[ -n "$store" ]]; then
  log "unpacking the document store into $store"
  mkdir -p "$store"
  chmod 700 "$store"
  tar -C "$store" -xf "$backup/documents.tar" || die "could not unpack documents.tar into $store (the database is restored)"
  chmod 700 "$store" # tar restored the mode of the source directory
  missing=0
  while IFS= read -r key; do
    [[ -z "$key" ]] && continue
    if [[ ! -f "$store/$key" ]]; then
      missing=$((missing + 1))
      log "missing file: $key"
    fi
  done < <(sql -c "SELECT storage_key FROM documents UNION SELECT storage_key FROM rapports WHERE statut = 'completed'")
  if [[ "$missing" -gt 0 ]]; then
    log "warning: $missing file(s) referenced by the restored rows are not in the store (see MANIFEST files_missing)"
  fi
else
  log "STORAGE_URL is an S3 bucket: restore its documents/ and rapports/ objects with the bucket's own tools"
fi

keys="$(sql -c "SELECT key_id FROM documents UNION SELECT key_id FROM rapports WHERE statut = 'completed' AND key_id IS NOT NULL ORDER BY 1" | paste -sd ' ')"
log "restore complete: $(grep -E '^(created_at|documents|rapports_completed|schema_version):' "$backup/MANIFEST" | paste -sd ' ')"
log "start the server with DATABASE_URL and STORAGE_URL as above and the DOCUMENT_KEYS holding the key id(s): ${keys:-none} (it warns at start-up of any missing one)"
