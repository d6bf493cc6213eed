#!/usr/bin/env bash
# The CLI's main job on a bundled fixture: describe a music file's streams, codec and tags.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cargo run --release --quiet -- info fixtures/mkv_video_2audio.mkv fixtures/mp3_cbr128_stereo_44100.mp3
