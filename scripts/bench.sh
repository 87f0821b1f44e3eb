#!/usr/bin/env bash
# What `make bench` runs once it has built bin/erp and bin/bench: make sure a PostgreSQL is reachable
# (scripts/pg-ensure.sh run, in the dedicated database mif_bench; BENCH_DATABASE_URL overrides),
# then bin/bench migrates, seeds the scale data if missing (BENCH_SCALE interventions, default
# 100000), starts `erp serve` on a free port, runs the virtual users and writes bench/results/.
#
#   make bench                                            # 100 users, 60 s, no think time
#   BENCH_DURATION=30s BENCH_USERS=50 BENCH_THINK=0.5s-2s make bench
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

echo "==> PostgreSQL"
if [[ -n "${BENCH_DATABASE_URL:-}" ]]; then
  DATABASE_URL="$BENCH_DATABASE_URL"
else
  out="$(env -u DATABASE_URL PG_ENSURE_DB_NAME=mif_bench bash "$here/pg-ensure.sh" run)"
  eval "$out"
fi
export DATABASE_URL

exec bin/bench
