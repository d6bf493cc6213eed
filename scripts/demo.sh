#!/usr/bin/env bash
# The CLI's main job on bundled fixtures: describe files, then decode one to WAV, FLAC and MP3.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cargo build --release --quiet
bin=target/release/audiostream
$bin info fixtures/mkv_video_2audio.mkv fixtures/mp3_cbr128_stereo_44100.mp3
out="${TMPDIR:-/tmp}/audiostream-demo"
mkdir -p "$out"
for ext in wav flac mp3; do
    $bin decode fixtures/vorbis_q5_stereo_44100.ogg "$out/demo.$ext"
done
$bin info "$out/demo.wav" "$out/demo.flac" "$out/demo.mp3" | grep -E "^/|codec|duration"
echo "demo files are in $out"
