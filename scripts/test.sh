#!/usr/bin/env bash
# Runs every test: unit, integration (against FFmpeg and friends as oracles), doc tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
cargo test --workspace --all-features
