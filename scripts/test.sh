#!/usr/bin/env bash
# `npm test`: every test layer; exits non-zero on the first failing layer.
#   1. native   cargo test (core, server over real HTTP) + clippy with the workspace lints
#   2. wasm     wasm-bindgen-test for steward-wasm in Node and in headless Chromium,
#               against a running steward-server --sandbox
#   3. tests/   Node's test runner: the packed npm package installed in a temp folder,
#               the page in Chromium through Playwright, SQL masks on PostgreSQL and DuckDB
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --browser --postgres --pyatlan
bash scripts/build.sh

step() { echo; echo "=== $* ==="; }

step "native: cargo test"
cargo test --locked
cargo clippy --all-targets --locked -- -D warnings
cargo clippy -p steward-wasm --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
cargo build -p steward-server --locked
export STEWARD_SERVER_BIN="$PWD/target/debug/steward-server"

step "wasm: wasm-bindgen-test in Node and headless Chromium"
server_log=$(mktemp)
"$STEWARD_SERVER_BIN" --sandbox --port 0 >"$server_log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; rm -f "$server_log"' EXIT
for _ in $(seq 1 100); do
  grep -q "listening on" "$server_log" && break
  sleep 0.1
done
server_url=$(grep -o 'http://[0-9.:]*' "$server_log" | head -1)
if [ -z "$server_url" ]; then
  echo "test: steward-server did not start:" >&2
  cat "$server_log" >&2
  exit 1
fi
export STEWARD_TEST_SERVER="$server_url"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
# The headless runner gives a whole test binary 20 s by default; the sync tests run full syncs.
export WASM_BINDGEN_TEST_TIMEOUT=180
# webdriver.json (Chromium flags for running as root, headless) is read from the crate folder.
(cd crates/wasm && cargo test --target wasm32-unknown-unknown --tests --locked)
(cd crates/wasm && WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  cargo test --target wasm32-unknown-unknown --tests --locked)
kill "$server_pid" 2>/dev/null || true

step "tests/: npm package, page in Chromium, SQL masks, pyatlan against the sandbox"
export STEWARD_PYATLAN_PYTHON="$PWD/target/pyatlan-venv/bin/python"
node --test --test-concurrency=1 tests/
