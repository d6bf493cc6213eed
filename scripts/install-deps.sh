#!/usr/bin/env bash
# Installs what audiostream needs from the system, on Debian/Ubuntu, by profile:
#
#   scripts/install-deps.sh build   what `cargo build` with the default features needs (the demo):
#       - the C toolchain the encoders build their bundled sources with: a C/C++ compiler and
#         make (build-essential: mp3lame-sys's configure, libvorbis by cc), cmake (libflac-sys,
#         opusic-sys) and pkg-config;
#       - ALSA's headers for cpal (feature `device`).
#   scripts/install-deps.sh test    build, plus what the tests run (scripts/test.sh):
#       - the test oracles: ffmpeg (ffprobe), sox, lame, flac (metaflac), vorbis-tools (oggenc,
#         oggdec, ogginfo), opus-tools (opusenc, opusdec, opusinfo);
#       - real speech and music for the Opus/Vorbis quality tests and the benchmarks: espeak-ng
#         and wesnoth-1.16-music (CC BY-SA / GPL);
#       - alsa-utils (aplay/arecord) for the device tests;
#       - the real servers the network tests run on loopback: icecast2 and nginx-light (range
#         requests), and openssl for their test certificates.
#   scripts/install-deps.sh all     (the default; CI) test, plus the rustup target wasm32 for
#       the WebAssembly build check.
#
# A build with `--no-default-features --features decode` (or any decode-* feature) needs none
# of this: the decoders are pure Rust.
#
# Idempotent: installs only what is missing. Runs as root, or as a user with sudo (`sudo env
# DEBIAN_FRONTEND=noninteractive ...`: sudo drops the caller's environment, and without the
# variable icecast2's package asks five debconf questions). Never asks a question itself:
# apt-get gets -y and no standard input.
set -euo pipefail

profile=${1:-all}
build=(build-essential cmake pkg-config libasound2-dev)
test=(ffmpeg sox lame flac vorbis-tools opus-tools espeak-ng wesnoth-1.16-music alsa-utils
    icecast2 nginx-light openssl)
case "$profile" in
    build) packages=("${build[@]}") ;;
    test | all) packages=("${build[@]}" "${test[@]}") ;;
    *)
        echo "usage: scripts/install-deps.sh [build|test|all] (got \"$profile\")" >&2
        exit 2
        ;;
esac

missing=()
for p in "${packages[@]}"; do
    # dpkg -s also lists removed packages whose configuration is left: ask for "installed".
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    as_root=(env DEBIAN_FRONTEND=noninteractive)
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            echo "install-deps.sh: not root and no sudo; as root, run: apt-get install ${missing[*]}" >&2
            exit 1
        fi
        as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
    fi
    echo "install-deps.sh ($profile): installing ${missing[*]}" >&2
    "${as_root[@]}" apt-get update -qq </dev/null
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
fi

if [ "$profile" = all ] && command -v rustup >/dev/null 2>&1; then
    rustup target list --installed | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown >&2
fi
