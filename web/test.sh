#!/usr/bin/env bash
# The JavaScript API's tests in Node (web/tests/api.mjs, web/tests/memory.mjs) against the
# native CLI: builds the package (web/build.sh --profile ci-test) and the native CLI (the oracle)
# first.
# MINUTES=N sets the long file's length for the memory test (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
# The `ci-test` profile (Cargo.toml: opt-level 1, cheaper to build than the shipped `web` one);
# web/test-demo.sh builds the same web/pkg. `npm pack` rebuilds the shipped one (prepack).
web/build.sh --profile ci-test
# The native CLI is the oracle (audiostream's default features: all of them); AUDIOSTREAM_BIN=PATH
# uses another (.ci/run passes the one its main test run built).
[ -n "${AUDIOSTREAM_BIN:-}" ] || cargo build --bin audiostream
node web/tests/api.mjs
node --expose-gc web/tests/memory.mjs "${MINUTES:-60}"
