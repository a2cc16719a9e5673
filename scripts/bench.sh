#!/usr/bin/env bash
# `npm run bench`: native criterion benches and the Node benches on the release wasm build.
# Figures go into BENCHMARKS.md by hand, with the command that produced them.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "=== module size ==="
echo "raw:  $(wc -c < dist/steward_wasm_bg.wasm) bytes"
echo "gzip: $(gzip -9 -c dist/steward_wasm_bg.wasm | wc -c) bytes"
if ls crates/core/benches/*.rs >/dev/null 2>&1; then
  echo "=== native (criterion) ==="
  cargo bench -p steward-core
fi
if ls bench/*.mjs >/dev/null 2>&1; then
  echo "=== Node (release wasm) ==="
  for b in bench/*.mjs; do node "$b"; done
fi
