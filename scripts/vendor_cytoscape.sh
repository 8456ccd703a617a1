#!/usr/bin/env bash
# Vendors Cytoscape.js (MIT) into web/static from the npm registry, so the graph needs no CDN.
#
#   scripts/vendor_cytoscape.sh            # the pinned version below
#   scripts/vendor_cytoscape.sh 3.36.0     # another version (then commit the new file and THIRD_PARTY.txt)
#
# `npm pack` fetches the published tarball and npm checks it against the registry's integrity hash; the
# script then records version, licence and the sha256 of the copied file in web/static/THIRD_PARTY.txt,
# which tests/web/test_graph_api.py checks against the served file.
set -euo pipefail

VERSION="${1:-3.35.0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATIC="$ROOT/web/static"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "cytoscape@$VERSION" >/dev/null
tar -xzf "cytoscape-$VERSION.tgz"
licence="$(node -p 'require("./package/package.json").license')"
if [ "$licence" != "MIT" ]; then
  echo "cytoscape@$VERSION is licensed $licence, not MIT: not vendored" >&2
  exit 1
fi
cp package/dist/cytoscape.min.js "$STATIC/cytoscape.min.js"
sha="$(sha256sum "$STATIC/cytoscape.min.js" | cut -d' ' -f1)"

cat > "$STATIC/THIRD_PARTY.txt" <<NOTE
Third-party files in web/static (written by scripts/vendor_cytoscape.sh; do not edit by hand)

cytoscape.min.js
  package:  cytoscape@$VERSION (npm registry, dist/cytoscape.min.js)
  licence:  MIT, $(head -n1 package/LICENSE)
  homepage: https://js.cytoscape.org/
  sha256:   $sha

MIT licence text (from the package's LICENSE file):

$(cat package/LICENSE)
NOTE
echo "vendored cytoscape@$VERSION ($sha)"
