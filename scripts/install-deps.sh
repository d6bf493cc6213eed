#!/usr/bin/env bash
# Installs what building and testing audiostream needs from the system, on Debian/Ubuntu:
# - the test oracles: ffmpeg (ffprobe), sox, lame, flac, vorbis-tools (oggenc, oggdec, ogginfo),
#   opus-tools (opusenc, opusdec, opusinfo: fixtures, benchmark data, the Opus/Vorbis writer
#   tests);
# - real speech and music for the Opus/Vorbis quality tests and the benchmarks: espeak-ng and
#   wesnoth-1.16-music (CC BY-SA / GPL);
# - the C toolchain the encoders build their bundled sources with: a C/C++ compiler and make
#   (build-essential), cmake and pkg-config;
# - ALSA's headers for cpal (feature `device`), and alsa-utils (aplay/arecord) for the tests;
# - the real servers the network tests run on loopback: icecast2 and nginx (range requests),
#   and openssl for their test certificates;
# - the wasm32 target for the WebAssembly build check.
# Idempotent: installs only what is missing. Needs root (or sudo) for apt-get.
set -euo pipefail

packages=(build-essential ffmpeg sox lame flac vorbis-tools opus-tools espeak-ng wesnoth-1.16-music cmake pkg-config libasound2-dev alsa-utils icecast2 nginx-light openssl)
missing=()
for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # `env` passes the variable through sudo (which drops the caller's environment), so that
    # no package (icecast2's debconf questions) stops to ask.
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if command -v rustup >/dev/null 2>&1; then
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown >&2
fi
