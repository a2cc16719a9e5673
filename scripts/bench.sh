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
# The sandbox benches run against the release server.
cargo build --release -p steward-server
echo "=== Node (release wasm) ==="
for b in bench/*.mjs; do
  # sync.mjs takes minutes and its own flags: it runs last.
  [ "$b" = bench/sync.mjs ] || node "$b"
done
echo "=== sync: Steward vs pyatlan (BENCHMARKS.md §5) ==="
if [ -x target/pyatlan-venv/bin/python ]; then
  node bench/sync.mjs --pyatlan
else
  echo "(pyatlan part skipped: bash scripts/setup.sh --pyatlan installs it)"
  node bench/sync.mjs
fi
