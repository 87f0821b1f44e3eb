#!/usr/bin/env bash
# What `make fuzz` runs: every Go fuzz target of the module (a `func FuzzXxx(f *testing.F)` in a
# *_test.go file, found by grep), one after the other, each for FUZZTIME:
#
#   go test -run '^$' -fuzz '^FuzzXxx$' -fuzztime $FUZZTIME ./its/package
#
#   scripts/fuzz.sh                         every target, FUZZTIME (default 10s) each
#   FUZZTIME=1m scripts/fuzz.sh             longer
#   FUZZTIME=20000x scripts/fuzz.sh         20000 inputs each (what CI runs: a count cannot hit Go
#                                           1.26's "context deadline exceeded" race at the end of
#                                           a duration, golang/go#75804)
#   FUZZ_PKGS="./internal/csvin ./api" ...  only the targets of these packages
#   FUZZ_MATCH=Cron scripts/fuzz.sh         only the targets whose name holds this
#
# It stops at the first failure and prints the input that failed: go test wrote it under the
# package's testdata/fuzz/FuzzXxx/; once the bug is fixed, commit it there as a regression seed
# (every `go test` runs the seeds). Packages whose tests need PostgreSQL (testenv.Main) get it as
# `make test` does (scripts/pg-ensure.sh; what is started here is stopped at the end).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."

fuzztime="${FUZZTIME:-10s}"
read -r -a pkgs <<<"${FUZZ_PKGS:-./...}"

# target lines: "<package dir> <FuzzName>", in package then file order.
targets=()
while IFS= read -r dir; do
  rel="./${dir#"$PWD"/}"
  [[ "$dir" == "$PWD" ]] && rel="."
  for f in "$dir"/*_test.go; do
    [[ -e "$f" ]] || continue
    while IFS= read -r name; do
      [[ -z "${FUZZ_MATCH:-}" || "$name" == *"$FUZZ_MATCH"* ]] || continue
      targets+=("$rel $name")
    done < <(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(f \*testing\.F\).*/\1/p' "$f")
  done
done < <(go list -f '{{.Dir}}' "${pkgs[@]}")

if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz target in ${pkgs[*]}" >&2
  exit 1
fi

PG_ENSURE_STOP=""
log=""
# shellcheck disable=SC2317  # invoked by the trap
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ -z "$log" ]] || rm -f "$log"
  [[ -z "$PG_ENSURE_STOP" ]] || bash "$here/pg-ensure.sh" stop "$PG_ENSURE_STOP" || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

needs_pg=0
for t in "${targets[@]}"; do
  if grep -qs 'testenv\.Main(' "${t%% *}"/*_test.go; then
    needs_pg=1
    break
  fi
done
if ((needs_pg)); then
  out="$(bash "$here/pg-ensure.sh" test)"
  eval "$out"
  export TEST_DATABASE_URL
fi

echo "fuzz: ${#targets[@]} targets, $fuzztime each"
log="$(mktemp)"
n=0
for t in "${targets[@]}"; do
  pkg="${t%% *}" name="${t##* }"
  n=$((n + 1))
  echo "==> [$n/${#targets[@]}] $name ($pkg)"
  set +e
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "$fuzztime" "$pkg" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  if ((rc != 0)); then
    input="$(sed -nE 's/.*Failing input written to (testdata\/fuzz\/[^ ]+).*/\1/p' "$log" | tail -n 1)"
    echo >&2
    echo "fuzz: $name ($pkg) failed" >&2
    if [[ -n "$input" ]]; then
      echo "fuzz: failing input: ${pkg#./}/$input" >&2
      echo "fuzz: re-run it with: go test -run '^$name/${input##*/}\$' $pkg" >&2
    fi
    exit "$rc"
  fi
done
echo "fuzz: all ${#targets[@]} targets passed"
