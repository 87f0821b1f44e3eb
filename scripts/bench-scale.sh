#!/usr/bin/env bash
# What `make bench-scale` runs once it has built bin/erp and bin/bench: for every step N of
# BENCH_SCALE_STEPS (default 10000,100000,1000000) make sure database mif_bench_<N> exists on the
# PostgreSQL that scripts/pg-ensure.sh gives, and run `bin/bench scale N=URL...`: per step it
# migrates, seeds up to N interventions (a database that already holds N is reused), starts
# `erp serve` and runs each of bench.ScaleOperations (list, filter endpoint, text search, detail,
# dashboard) alone with BENCH_SCALE_USERS (10) users for BENCH_SCALE_DURATION (10s).
# Results: bench/results/scale-<timestamp>.{json,md} and scale-latest.md.
#
#   make bench-scale
#   BENCH_SCALE_STEPS=2000,5000 BENCH_SCALE_DURATION=2s make bench-scale
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

steps="${BENCH_SCALE_STEPS:-10000,100000,1000000}"
args=()
IFS=',' read -r -a list <<<"$steps"
for n in "${list[@]}"; do
  n="${n//[[:space:]]/}"
  [[ -z "$n" ]] && continue
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench-scale: BENCH_SCALE_STEPS=$steps: '$n' is not a positive integer" >&2; exit 2; }
  args+=("$n")
done
[[ ${#args[@]} -gt 0 ]] || { echo "bench-scale: BENCH_SCALE_STEPS is empty" >&2; exit 2; }

echo "==> PostgreSQL: one database per step"
urls=()
for n in "${args[@]}"; do
  out="$(env -u DATABASE_URL PG_ENSURE_DB_NAME="mif_bench_$n" bash "$here/pg-ensure.sh" run)"
  url="$(eval "$out" && printf '%s' "$DATABASE_URL")"
  urls+=("$n=$url")
done

exec bin/bench scale "${urls[@]}"
