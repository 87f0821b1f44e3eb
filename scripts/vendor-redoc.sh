#!/usr/bin/env bash
# Re-vendor ReDoc's standalone bundle (and its licences) into internal/apidocs/assets/.
#
# The bundle is embedded in the Go binary so that /redoc renders without internet access.
# It is fetched with npm (the registry's tarball, checked against the integrity hash npm
# records) into a temporary directory; nothing is installed in the repository.
#
# Usage: scripts/vendor-redoc.sh [version]     (default: the pinned version below)
# To upgrade: change REDOC_VERSION here and RedocVersion in
# internal/apidocs/apidocs.go, run this script, then `go test ./internal/apidocs`.
set -euo pipefail

REDOC_VERSION="${1:-2.5.4}"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/internal/apidocs/assets"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "redoc@${REDOC_VERSION}" >/dev/null
tar -xzf "redoc-${REDOC_VERSION}.tgz"

got="$(node -p 'require("./package/package.json").version')"
if [[ "$got" != "$REDOC_VERSION" ]]; then
  echo "expected redoc ${REDOC_VERSION}, got ${got}" >&2
  exit 1
fi

# The footer's "API docs by Redocly" logo is an <img> from cdn.redoc.ly: the docs must fetch
# nothing from another host (and their CSP would block it), so it becomes a transparent
# one-pixel image inlined as a data: URI (img-src allows data:).
cdn='"https://cdn.redoc.ly/redoc/logo-mini.svg"'
pixel='"data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"'
if [[ "$(grep -o "$cdn" package/bundles/redoc.standalone.js | wc -l)" != 1 ]]; then
  echo "expected the bundle to reference $cdn exactly once" >&2
  exit 1
fi
sed -i "s#${cdn}#${pixel}#" package/bundles/redoc.standalone.js
if grep -q 'cdn\.redoc\.ly' package/bundles/redoc.standalone.js; then
  echo "the bundle still references cdn.redoc.ly" >&2
  exit 1
fi

mkdir -p "$dest"
install -m 0644 package/bundles/redoc.standalone.js             "$dest/redoc.standalone.js"
install -m 0644 package/bundles/redoc.standalone.js.LICENSE.txt "$dest/redoc.standalone.js.LICENSE.txt"
install -m 0644 package/LICENSE                                 "$dest/redoc.LICENSE"

echo "vendored redoc ${REDOC_VERSION} into ${dest#"$root"/}:"
(cd "$dest" && sha256sum redoc.standalone.js redoc.standalone.js.LICENSE.txt redoc.LICENSE)
