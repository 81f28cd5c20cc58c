#!/bin/bash
# Builds native/*.cc with ASan+UBSan into build/Release/gopher_auth_addon.node (what node-gyp-build loads first).
set -euo pipefail
cd "${1:-$(dirname "$0")/../..}"
OUT=build/asan-obj; mkdir -p "$OUT" build/Release
DEFS="-DNODE_GYP_MODULE_NAME=gopher_auth_addon -DUSING_UV_SHARED=1 -DUSING_V8_SHARED=1 -D_GLIBCXX_USE_CXX11_ABI=1 -D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -D__STDC_FORMAT_MACROS -DNAPI_VERSION=8 -DNAPI_DISABLE_CPP_EXCEPTIONS -DNODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED -DBUILDING_NODE_EXTENSION"
INCS="-I/usr/include/node -I$(node -p "require('node-addon-api').include_dir")"
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1"
pids=()
for f in native/*.cc; do
  g++ $DEFS $INCS -fPIC -pthread -Wall -Wextra -Wno-unused-parameter -m64 -fno-rtti -fno-exceptions -std=c++17 -fvisibility=hidden $SAN -c "$f" -o "$OUT/$(basename "$f" .cc).o" &
  pids+=($!)
  if (( ${#pids[@]} >= 2 )); then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for p in "${pids[@]}"; do wait "$p"; done
g++ -shared -pthread -rdynamic -m64 $SAN -o build/Release/gopher_auth_addon.node.tmp "$OUT"/*.o -ldl
mv build/Release/gopher_auth_addon.node.tmp build/Release/gopher_auth_addon.node
echo "built build/Release/gopher_auth_addon.node with ASan+UBSan"
