#!/usr/bin/env bash
# `make contract-diff`: the breaking-change gate of the contract. oasdiff (pinned in
# tools/go.mod) compares api/openapi.yaml with the last released contract,
# api/released/openapi.yaml. A breaking change passes only when the contract's info.version has
# a higher major version than the released one and CHANGELOG.md has an entry "## <version>" for
# it (which says what breaks); anything else fails, listing the breaking changes.
#
#   make contract-diff
#   BASE=/path/to/other.yaml make contract-diff      # compare with another contract
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

base="${BASE:-api/released/openapi.yaml}"
new="${NEW:-api/openapi.yaml}"
oasdiff=(go tool -modfile=tools/go.mod oasdiff)

version_of() { # info.version of a contract (the first "version:" under "info:")
  awk '/^info:/ {inside=1; next} inside && /^[^ ]/ {exit} inside && $1 == "version:" {print $2; exit}' "$1" | tr -d "'\""
}
major() { printf '%s' "${1%%.*}"; }

released="$(version_of "$base")"
current="$(version_of "$new")"
echo "contract $current against released $released ($base)"

if report="$("${oasdiff[@]}" breaking "$base" "$new" --fail-on ERR 2>&1)"; then
  echo "no breaking change"
  [[ -n "$report" && "$report" != "No changes detected" ]] && printf '%s\n' "$report"
  exit 0
fi
printf '%s\n' "$report"
if [[ "$(major "$current")" -gt "$(major "$released")" ]] && grep -Eq "^## \[?$current\]?( |$)" CHANGELOG.md; then
  echo "breaking changes accepted: version $current (major bump) has its CHANGELOG.md entry"
  exit 0
fi
cat >&2 <<MSG
contract-diff: the changes above break clients of the released contract $released.
Keep the contract compatible, or make a new major version: set info.version in $new to
$(( $(major "$released") + 1 )).0.0 and add a "## $(( $(major "$released") + 1 )).0.0" entry to CHANGELOG.md saying what breaks.
MSG
exit 1
