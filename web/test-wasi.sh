#!/usr/bin/env bash
# The CLI under WASI: builds `audiostream` for wasm32-wasip1 without the encoders, devices and
# network (`--no-default-features --features decode,cli`: pure Rust, no C toolchain for the
# target; no threads, no signals) and runs its `info` and `decode` under Node's node:wasi
# against the native CLI (web/tests/wasi.mjs).
#
# Run it yourself: node --no-warnings web/tests/wasi-run.mjs ARGS... (same arguments as the CLI;
# the current directory is preopened).
set -euo pipefail
cd "$(dirname "$0")/.."
rustup target list --installed | grep -qx wasm32-wasip1 || rustup target add wasm32-wasip1 >&2
# The `ci-test` profile (Cargo.toml): opt-level 1, no debug info; the test checks behaviour.
cargo build --profile ci-test --target wasm32-wasip1 \
    --no-default-features --features decode,cli --bin audiostream
wasm="${CARGO_TARGET_DIR:-target}/wasm32-wasip1/ci-test/audiostream.wasm"
ls -l "$wasm" >&2
[ -n "${AUDIOSTREAM_BIN:-}" ] || cargo build --bin audiostream
node --no-warnings web/tests/wasi.mjs "$wasm"
