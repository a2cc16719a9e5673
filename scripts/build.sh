#!/usr/bin/env bash
# Builds the npm package into dist/: release wasm (size profile) → wasm-bindgen (web target,
# used by both the browser and the Node entry) → wasm-opt -Oz from npm's binaryen
# (never Debian's wasm-opt 108: it corrupts current wasm-bindgen output).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=dist/.build-stamp
if [ -f "$stamp" ] && [ -z "$(find crates/core/src crates/wasm/src js .cargo Cargo.toml Cargo.lock crates/core/Cargo.toml crates/wasm/Cargo.toml scripts/build.sh -newer "$stamp" -print -quit)" ]; then
  echo "build: dist/ is up to date" >&2
  exit 0
fi

cargo build -p steward-wasm --target wasm32-unknown-unknown --profile wasm-release
raw=target/wasm32-unknown-unknown/wasm-release/steward_wasm.wasm

out=target/wasm-bindgen
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" --out-name steward_wasm \
  --remove-name-section --remove-producers-section "$raw"

wasm_opt=node_modules/.bin/wasm-opt
if [ ! -x "$wasm_opt" ]; then
  echo "build: $wasm_opt is missing; run scripts/setup.sh" >&2
  exit 1
fi
# Features Rust's wasm32 target emits by default, and SIMD (.cargo/config.toml).
# `--low-memory-unused` (about 3 KB less gzipped) holds because rust-lld puts the 1 MiB stack
# first: the low 1 KiB is only reached by a stack that is about to overflow.
"$wasm_opt" -Oz --low-memory-unused --enable-bulk-memory --enable-mutable-globals --enable-sign-ext \
  --enable-nontrapping-float-to-int --enable-reference-types --enable-multivalue --enable-simd \
  "$out/steward_wasm_bg.wasm" -o "$out/steward_wasm_bg.opt.wasm"
mv "$out/steward_wasm_bg.opt.wasm" "$out/steward_wasm_bg.wasm"

rm -rf dist
mkdir -p dist
cp "$out/steward_wasm.js" "$out/steward_wasm.d.ts" "$out/steward_wasm_bg.wasm" dist/
cp js/browser.js js/node.js js/public.js js/access.js js/masking.js js/sync.js js/index.d.ts dist/
# wasm-bindgen declares `[Symbol.dispose]`, which only compiles with TypeScript's esnext lib;
# the method still exists at run time, but consumers on ES2022 libs must not need skipLibCheck.
sed -i '/\[Symbol\.dispose\]()/d' dist/steward_wasm.d.ts
touch "$stamp"

bytes=$(wc -c < dist/steward_wasm_bg.wasm)
gz=$(gzip -9 -c dist/steward_wasm_bg.wasm | wc -c)
echo "build: dist/steward_wasm_bg.wasm is $bytes bytes raw, $gz bytes gzipped" >&2
