#!/usr/bin/env bash
# One set-up for `npm start`, `npm test` and CI: installs what is missing, says what it
# installs, and is quick when nothing is.
#   scripts/setup.sh              toolchain for building (wasm target, wasm-bindgen CLI, npm packages)
#   scripts/setup.sh --browser    also Debian's chromium + chromium-driver (browser tests)
#   scripts/setup.sh --postgres   also Debian's PostgreSQL server (SQL mask tests)
#   scripts/setup.sh --pyatlan    also the catalog's Python SDK in target/pyatlan-venv (fidelity test)
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
want_postgres=0
want_pyatlan=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --postgres) want_postgres=1 ;;
    --pyatlan) want_pyatlan=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { echo "setup: $*"; }

# Rust target for the WebAssembly module.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "installing the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-bindgen CLI at exactly the version in Cargo.lock (the library is pinned with "=").
if [ ! -f Cargo.lock ]; then
  cargo generate-lockfile
fi
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "setup: cannot find wasm-bindgen in Cargo.lock" >&2
  exit 1
fi
installed=$(wasm-bindgen --version 2>/dev/null | awk '{ print $2 }' || true)
if [ "$installed" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (found: ${installed:-none}); this takes a few minutes"
  # The registry mirror can lag a transitive crate behind the published lock file.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --locked \
    || cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# npm packages (binaryen's wasm-opt, test tools), reinstalled whenever package.json or the lock
# file differs from what was last installed (a content stamp: mtimes lie after checkouts).
npm_stamp=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.steward-stamp 2>/dev/null)" != "$npm_stamp" ]; then
  say "installing npm packages"
  # `npm install`, not `npm ci`: the lock file omits the other platforms' optional DuckDB
  # bindings (the registry mirror here doesn't list them), which `npm ci` rejects as out of sync.
  npm install --no-audit --no-fund --loglevel=error
  # Stamp what is on disk now: the install may have rewritten the lock file.
  cat package.json package-lock.json | sha256sum | cut -d' ' -f1 > node_modules/.steward-stamp
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    as_root apt-get update -qq
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ "$want_browser" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  say "installing Debian chromium and chromium-driver"
  apt_install chromium chromium-driver
fi

if [ "$want_postgres" = 1 ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  say "installing Debian postgresql"
  apt_install postgresql
fi
# The catalog's own SDK, pinned, in a venv of the project's (never the system Python).
pyatlan_version="11.6.*"
if [ "$want_pyatlan" = 1 ] && ! target/pyatlan-venv/bin/python -c "import pyatlan" >/dev/null 2>&1; then
  say "installing pyatlan $pyatlan_version into target/pyatlan-venv"
  mkdir -p target
  python3 -m venv target/pyatlan-venv
  target/pyatlan-venv/bin/pip install --quiet --disable-pip-version-check "pyatlan==$pyatlan_version"
fi
exit 0
