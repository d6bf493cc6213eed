#!/usr/bin/env bash
# The demo page (web/demo/) in headless Chromium against the native CLI (web/tests/demo.mjs):
# needs Debian's chromium and playwright-core (installed into web/node_modules from
# web/package-lock.json); builds the package and the native CLI first.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund)
# The package as web/test.sh builds it (profile ci-test): after it, only wasm-bindgen runs again.
web/build.sh --profile ci-test
[ -n "${AUDIOSTREAM_BIN:-}" ] || cargo build --bin audiostream
node web/tests/demo.mjs
