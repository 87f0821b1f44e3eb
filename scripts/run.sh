#!/usr/bin/env bash
# What `make run` runs: build bin/erp, make sure a PostgreSQL is reachable (scripts/pg-ensure.sh
# run: DATABASE_URL if set, else 127.0.0.1:5432, else a private cluster in .data/pg), load the
# secrets (scripts/secrets-ensure.sh: SECRET_KEY and DOCUMENT_KEYS from the environment, else
# from .data/secrets.env, generated there on the first run), migrate, seed the demo data, then
# serve on PORT (default 8000).
#
# The private cluster keeps running after the server stops; `make db-stop` stops it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

export PORT="${PORT:-8000}"
export ENVIRONMENT="${ENVIRONMENT:-development}"

version="$(git describe --always --dirty 2>/dev/null || echo dev)"
echo "==> go build -o bin/erp ./cmd/erp (version $version)"
mkdir -p bin
go build -ldflags "-X main.version=$version" -o bin/erp ./cmd/erp

echo "==> PostgreSQL"
out="$(bash "$here/pg-ensure.sh" run)"
eval "$out"
export DATABASE_URL

echo "==> secrets (SECRET_KEY, DOCUMENT_KEYS)"
out="$(bash "$here/secrets-ensure.sh")"
eval "$out"

echo "==> erp migrate up"
bin/erp migrate up
echo "==> erp seed"
bin/erp seed

cat <<TXT

MIF ERP on http://localhost:${PORT}  (API docs: http://localhost:${PORT}/docs)
Demo logins:
  admin        admin@mif.ma        Admin12345!
  responsable  responsable@mif.ma  Responsable123!
  technicien   technicien@mif.ma   Tech12345!
  client       client@mif.ma       Client1234!

TXT
exec bin/erp serve
