#!/usr/bin/env bash
# The JavaScript API's tests in Node (web/tests/api.mjs, web/tests/memory.mjs) against the
# native CLI: builds the package (web/build.sh) and the native CLI (the oracle) first.
# MINUTES=N sets the long file's length for the memory test (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
web/build.sh
# The native CLI is the oracle (the workspace's default features, which the main test run builds
# anyway); AUDIOSTREAM_BIN=PATH uses another.
[ -n "${AUDIOSTREAM_BIN:-}" ] || cargo build --bin audiostream
node web/tests/api.mjs
node --expose-gc web/tests/memory.mjs "${MINUTES:-60}"
