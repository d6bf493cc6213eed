#!/usr/bin/env bash
# Builds the npm package audiostream-web in web/: the decode path compiled to WebAssembly
# (cargo, wasm32-unknown-unknown, release) and its JavaScript bindings (wasm-bindgen --target
# web, which also loads in Node and Web Workers) in web/pkg/. `npm pack` in web/ then packs it.
#
# Needs the wasm32-unknown-unknown target and wasm-bindgen-cli at exactly the version of the
# wasm-bindgen crate in Cargo.lock; with --install, installs what is missing (rustup target
# add; cargo install wasm-bindgen-cli from crates.io, built from source).
#
# Options: --install; --features LIST (cargo features of audiostream-web, for size
# measurements); --out DIR (default web/pkg); --simd (build with +simd128).
set -euo pipefail
cd "$(dirname "$0")/.."

install=0
features=""
out="web/pkg"
simd=0
while [ $# -gt 0 ]; do
    case "$1" in
        --install) install=1 ;;
        --features) features="$2"; shift ;;
        --out) out="$2"; shift ;;
        --simd) simd=1 ;;
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

args=(-p audiostream-web --target wasm32-unknown-unknown --release)
[ -n "$features" ] && args+=(--no-default-features --features "$features")
flags="${RUSTFLAGS:-}"
[ "$simd" = 1 ] && flags="$flags -C target-feature=+simd128"
# No debug info in the .wasm (the workspace's release profile keeps line tables for native
# profiling); the target directory is the workspace's.
if [ -n "${flags// /}" ]; then
    CARGO_PROFILE_RELEASE_DEBUG=false RUSTFLAGS="$flags" cargo build "${args[@]}"
else
    CARGO_PROFILE_RELEASE_DEBUG=false cargo build "${args[@]}"
fi

target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
rm -rf "$out"
wasm-bindgen --target web --out-dir "$out" "$target_dir/wasm32-unknown-unknown/release/audiostream_web.wasm"
# The package.json of the npm package is web/package.json; wasm-bindgen's would shadow it.
rm -f "$out/package.json" "$out/.gitignore"
ls -l "$out"/*.wasm >&2
