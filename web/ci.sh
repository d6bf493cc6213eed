#!/usr/bin/env bash
# CI for the browser package, WASI and the static binary (issue 16), apart from the main test
# run: installs what it needs, then
#   1. web/test.sh       the JavaScript API in Node against the native CLI, memory on a long file
#   2. web/test-wasi.sh  the CLI built for wasm32-wasip1 under node:wasi against the native CLI
#   3. scripts/test-static.sh  the static musl CLI against the dynamic one, byte for byte
#   4. web/test-demo.sh  the demo page in headless Chromium
#
# Installs (idempotent, only what is missing; apt-get as root or through sudo, never asking):
# Debian's chromium, musl-tools, cmake, file, nodejs/npm (when there is no node >= 18); the rustup
# targets wasm32-unknown-unknown, wasm32-wasip1, x86_64-unknown-linux-musl; wasm-bindgen-cli at
# Cargo.lock's version (cargo install, from source); playwright-core (npm ci in web/).
#
# Options: --only api|wasi|static|demo (repeatable); --install-only.
set -euo pipefail
cd "$(dirname "$0")/.."

only=()
install_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --only) only+=("$2"); shift ;;
        --install-only) install_only=1 ;;
        *) echo "web/ci.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
wanted() { [ ${#only[@]} -eq 0 ] || [[ " ${only[*]} " == *" $1 "* ]]; }

started=$(date +%s)
stamp() { echo "== web/ci.sh: $1 ($(($(date +%s) - started)) s)" >&2; }

# --- system packages -----------------------------------------------------------------------
packages=(chromium musl-tools cmake file)
node_ok=0
if command -v node >/dev/null 2>&1; then
    major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
    [ "$major" -ge 18 ] && node_ok=1
fi
[ "$node_ok" = 1 ] || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    stamp "installing ${missing[*]}"
    # sudo resets the environment: DEBIAN_FRONTEND goes through `env`.
    as_root=(env DEBIAN_FRONTEND=noninteractive)
    [ "$(id -u)" -eq 0 ] || as_root=(sudo -n env DEBIAN_FRONTEND=noninteractive)
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- Rust targets, wasm-bindgen-cli ---------------------------------------------------------
for t in wasm32-unknown-unknown wasm32-wasip1 x86_64-unknown-linux-musl; do
    rustup target list --installed | grep -qx "$t" || rustup target add "$t" >&2
done
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$version" ]; then
    stamp "cargo install wasm-bindgen-cli --version $version"
    cargo install wasm-bindgen-cli --version "$version" >&2
fi

# --- npm: playwright-core ------------------------------------------------------------------
if wanted demo && [ ! -f web/node_modules/playwright-core/package.json ]; then
    stamp "npm ci (playwright-core)"
    (cd web && npm ci --no-audit --no-fund >&2)
fi
stamp "installed"
[ "$install_only" = 0 ] || exit 0

# --- tests ---------------------------------------------------------------------------------
wanted api && { web/test.sh; stamp "api done"; }
wanted wasi && { web/test-wasi.sh; stamp "wasi done"; }
wanted static && { scripts/test-static.sh; stamp "static done"; }
wanted demo && { web/test-demo.sh; stamp "demo done"; }
stamp "all done"
