#!/usr/bin/env bash
# `npm start`: builds what is missing and serves the settings page on the built-in sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
cargo build --release -p steward-server
exec target/release/steward-server --sandbox --port "${PORT:-8080}" "$@"
