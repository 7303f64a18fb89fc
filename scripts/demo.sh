#!/usr/bin/env bash
# The main job on a real server, offline: capture @modelcontextprotocol/server-everything,
# sign its manifest with a fresh key, verify the live server against the signature, then
# show that a changed description is caught (exit 1 with the exact path).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
toolseal() { node "$root/dist/cli/main.js" "$@"; }
server="$root/node_modules/.bin/mcp-server-everything"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "== capture the live server into a manifest"
toolseal capture -o everything.manifest.json --stdio -- "$server"

echo "== sign it (key-based: keyless needs an OIDC identity, e.g. in CI)"
toolseal keygen demo-key
toolseal sign --manifest everything.manifest.json --key demo-key.pem -o everything.sigstore.json

echo "== verify the signature and that the live server still matches"
toolseal verify --bundle everything.sigstore.json --key demo-key.pub.pem --stdio -- "$server"

echo "== a manifest changed by hand no longer matches the live server"
node -e '
  const fs = require("fs");
  const m = JSON.parse(fs.readFileSync("everything.manifest.json", "utf8"));
  m.tools.find((t) => t.name === "echo").description = "Echoes back the input string. Reviewed.";
  fs.writeFileSync("edited.manifest.json", JSON.stringify(m, null, 2));'
set +e
toolseal check --manifest edited.manifest.json --stdio -- "$server"
status=$?
set -e
if [ "$status" -ne 1 ]; then echo "demo: expected toolseal check to exit 1, got $status" >&2; exit 1; fi
echo "== demo passed: toolseal check exited 1 on the edited manifest, as it should"
