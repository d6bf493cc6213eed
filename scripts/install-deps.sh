#!/usr/bin/env bash
# Installs what building and testing audiostream needs from the system, on Debian/Ubuntu:
# - the test oracles: ffmpeg (ffprobe), sox, lame, flac, vorbis-tools (oggenc), opus-tools
#   (opusenc, for the fixtures and the benchmark data);
# - the C toolchain pieces the encoders build from bundled source: cmake;
# - ALSA's headers for cpal (feature `device`), and alsa-utils (aplay/arecord) for the tests;
# - the real servers the network tests run on loopback: icecast2 and nginx (range requests),
#   and openssl for their test certificates;
# - the wasm32 target for the WebAssembly build check.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail

packages=(ffmpeg sox lame flac vorbis-tools opus-tools cmake pkg-config libasound2-dev alsa-utils icecast2 nginx-light openssl)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown >&2
fi
