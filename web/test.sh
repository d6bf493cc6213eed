#!/usr/bin/env bash
# The JavaScript API's tests in Node (web/tests/api.mjs, web/tests/memory.mjs) against the
# native CLI: builds the package (web/build.sh) and the native CLI (the oracle) first.
# MINUTES=N sets the long file's length for the memory test (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
# The .wasm under test: profile web-test (release without fat LTO: the same code, a minute
# less to build); WEB_PROFILE=web tests the release build.
web/build.sh --profile "${WEB_PROFILE:-web-test}"
# The native CLI is the oracle (the workspace's default features, which the main test run builds
# anyway); AUDIOSTREAM_BIN=PATH uses another.
[ -n "${AUDIOSTREAM_BIN:-}" ] || cargo build --bin audiostream
node web/tests/api.mjs
node --expose-gc web/tests/memory.mjs "${MINUTES:-60}"
