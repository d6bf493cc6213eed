#!/usr/bin/env bash
# The CLI's main job on a file bundled in the binary: `audiostream demo` reads an Ogg Vorbis file
# in chunks, converts it to MP3 (128 kb/s) and FLAC at 48 kHz in the temporary directory, reads
# each output back, and says what it did and where the files are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
cargo run --release --quiet -- demo
