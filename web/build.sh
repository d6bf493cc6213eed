#!/usr/bin/env bash
# Builds the npm package audiostream-web in web/: the decode path compiled to WebAssembly
# (cargo, wasm32-unknown-unknown, profile `web`: release with fat LTO) and its JavaScript
# bindings (wasm-bindgen --target web, which also loads in Node and Web Workers) in web/pkg/.
# `npm pack` in web/ then packs it.
#
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at exactly the version of the
# wasm-bindgen crate in Cargo.lock; with --install, installs what is missing (rustup target
# add; cargo install wasm-bindgen-cli from crates.io, built from source).
#
# Options: --install; --out DIR (default web/pkg); --simd (build with +simd128, in a target
# directory of its own, with rustfft's SIMD butterflies); --keep-names (keep the name section: function names for profilers and
# size attribution; 0.4 MiB more); --features LIST (only these formats, a smaller .wasm: e.g.
# decode-flac,decode-mp3; the crate's features are audiostream's decode-* ones, default all);
# --profile NAME (cargo profile, default `web`).
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
out="web/pkg"
simd=0
names=0
features=""
profile=web
while [ $# -gt 0 ]; do
    case "$1" in
        --install) install=1 ;;
        --out) out="$2"; shift ;;
        --simd) simd=1 ;;
        --keep-names) names=1 ;;
        --features) features="$2"; shift ;;
        --profile) profile="$2"; shift ;;
        *) echo "build.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

# The wasm-bindgen version in Cargo.lock: the CLI must be exactly it.
version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || { echo "build.sh: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    [ "$install" = 1 ] || { echo "build.sh: rustup target add wasm32-unknown-unknown (or --install)" >&2; exit 1; }
    rustup target add wasm32-unknown-unknown >&2
fi
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$version" ]; then
    [ "$install" = 1 ] || { echo "build.sh: wasm-bindgen $version needed (have: ${have:-none}); cargo install wasm-bindgen-cli --version $version (or --install)" >&2; exit 1; }
    echo "build.sh: cargo install wasm-bindgen-cli --version $version" >&2
    cargo install wasm-bindgen-cli --version "$version" >&2
fi

# The `web` profile (Cargo.toml): release with fat LTO and one codegen unit, no debug info.
args=(-p audiostream-web --target wasm32-unknown-unknown --profile "$profile")
[ -z "$features" ] || args+=(--no-default-features --features "$features")
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
flags="${RUSTFLAGS:-}"
if [ "$simd" = 1 ]; then
    flags="$flags -C target-feature=+simd128"
    # rustfft's SIMD butterflies (the crate's `simd` feature), besides the formats asked for
    # (all by default).
    args+=(--features simd)
    # Other flags rebuild everything: a directory of their own, so the two builds do not
    # undo each other.
    target_dir="$target_dir/simd"
    export CARGO_TARGET_DIR="$target_dir"
fi
if [ -n "${flags// /}" ]; then
    RUSTFLAGS="$flags" cargo build "${args[@]}"
else
    cargo build "${args[@]}"
fi

rm -rf "$out"
keep=(--remove-name-section)
[ "$names" = 1 ] && keep=()
wasm-bindgen --target web "${keep[@]}" --out-dir "$out" "$target_dir/wasm32-unknown-unknown/$profile/audiostream_web.wasm"
# The package.json of the npm package is web/package.json; wasm-bindgen's would shadow it.
rm -f "$out/package.json" "$out/.gitignore"
ls -l "$out"/*.wasm >&2
