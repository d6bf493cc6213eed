#!/usr/bin/env bash
# Section "web" of BENCHMARKS.md: audiostream-web's decode speed in Node and in headless
# Chromium (without and with SIMD) against the same loop native, on the 10-minute music files;
# the .wasm's size (raw, gzip, brotli) and what each codec weighs in it; the WASI CLI's and the
# static binary's sizes. Builds what it needs (release): web/pkg, web/pkg-simd, the native
# example, the WASI CLI, the static CLI; the data with benches/prepare_data.sh --quick.
#
# Usage: benches/bench_web.sh [--reps N] [--data DIR] [--no-chromium] [--no-feature-sizes]
#                              [--formats LIST] [--no-simd]
#   --reps N     runs per (format, contender), default 5
#   --data DIR   where music10.{wav,flac,mp3,ogg,m4a,opus} are (default benches/data, made if
#                missing)
#   --no-feature-sizes  skip the nine one-format builds of the .wasm (a fat-LTO build each)
#   --formats LIST  only these files, e.g. wav,flac: a quick look at the speed alone, written
#                into a section of its own ("web-formats", whatever LIST names, every format
#                too; the "web" section is left as it is; a full run removes "web-formats");
#                builds neither the sizes' artifacts (WASI, static CLI, one-format builds) nor
#                measures them
#   --no-simd    without the +simd128 build and its columns
# Needs what web/ci.sh installs (wasm-bindgen-cli, chromium, playwright-core, musl-tools).
set -euo pipefail
cd "$(dirname "$0")/.."

reps=5
data=""
feature_sizes=1
formats=""
simd=1
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        --reps) reps="$2"; shift ;;
        --data) data="$2"; shift ;;
        --no-chromium) extra+=(--no-chromium) ;;
        --no-feature-sizes) feature_sizes=0 ;;
        --formats) formats="$2"; shift ;;
        --no-simd) simd=0 ;;
        -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "bench_web.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$data" ]; then
    benches/prepare_data.sh --quick
    data=benches/data
fi

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
# Native with the profile the .wasm is built with (`web`: release + fat LTO).
cargo build --profile web -p audiostream-web --example decode_speed
names=$(mktemp -d)
trap 'rm -rf "$names"' EXIT
# The .wasm with one format each (web/build.sh --features): what a smaller package weighs.
if [ "$feature_sizes" = 1 ] && [ -z "$formats" ]; then
    for f in decode-wav decode-aiff decode-flac decode-mp3 decode-ogg decode-mp4 decode-aac decode-mkv decode-caf; do
        web/build.sh --features "$f" --out "$names/features/$f"
    done
    extra+=(--feature-sizes "$names/features")
fi
web/build.sh
if [ "$simd" = 1 ]; then
    web/build.sh --simd --out web/pkg-simd
    extra+=(--pkg-simd web/pkg-simd)
fi
if [ -z "$formats" ]; then
    # The same module with its name section, for the per-crate weights.
    wasm-bindgen --target web --out-dir "$names" "$target_dir/wasm32-unknown-unknown/web/audiostream_web.wasm"
    CARGO_PROFILE_RELEASE_DEBUG=false cargo build --release --target wasm32-wasip1 \
        --no-default-features --features decode,cli --bin audiostream
    static=$(scripts/build-static.sh)
    extra+=(--names "$names/audiostream_web_bg.wasm" --wasi "$target_dir/wasm32-wasip1/release/audiostream.wasm" --static "$static")
else
    extra+=(--formats "$formats")
fi
[ -f web/node_modules/playwright-core/package.json ] || (cd web && npm ci --no-audit --no-fund)

node --expose-gc benches/bench_web.mjs --data "$data" --reps "$reps" \
    --native "$target_dir/web/examples/decode_speed" --pkg web/pkg "${extra[@]}"
