#!/usr/bin/env bash
# Builds a static `audiostream` CLI for x86_64-unknown-linux-musl: the decoders, the encoders
# (LAME and libFLAC, built from their bundled source with musl-gcc), the network sources and
# sinks (rustls) and the CLI, stripped. No `device` feature: audio devices need the ALSA
# library, which Debian ships only as a shared library (the static binary has no `play`,
# `record`, `monitor` or `devices`).
#
# Prints the binary's path on stdout; checks that `file` calls it statically linked.
# Installs what is missing (musl-tools, cmake; the rustup target) as root or through sudo.
#
# Options: --out PATH (copy the binary there too); --profile NAME (cargo profile, default
# `release`, the shipped binary whose size README.md gives; scripts/test-static.sh builds the
# cheaper `ci-test` one, which it compares with the dynamic build).
set -euo pipefail
cd "$(dirname "$0")/.."

out=""
profile=release
while [ $# -gt 0 ]; do
    case "$1" in
        --out) out="$2"; shift ;;
        --profile) profile="$2"; shift ;;
        *) echo "build-static.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

target=x86_64-unknown-linux-musl
missing=()
for p in musl-tools cmake file; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo env DEBIAN_FRONTEND=noninteractive)
    echo "build-static.sh: installing ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rustup target list --installed | grep -qx "$target" || rustup target add "$target" >&2

# C through musl-gcc (the cc crate's default for this target); libflac-sys's CMake also asks
# for a C++ compiler, which it does not use for libFLAC itself: the host's g++ satisfies it
# (there is no x86_64-linux-musl-g++ on Debian).
export CC_x86_64_unknown_linux_musl="${CC_x86_64_unknown_linux_musl:-musl-gcc}"
export CXX_x86_64_unknown_linux_musl="${CXX_x86_64_unknown_linux_musl:-g++}"
# Stripped, without the line tables the workspace's release profile keeps for profiling (for any
# profile: CARGO_PROFILE_<NAME>_DEBUG, with the name upper-cased and - as _).
env_profile=$(tr 'a-z-' 'A-Z_' <<<"$profile")
export "CARGO_PROFILE_${env_profile}_DEBUG=false"
export "CARGO_PROFILE_${env_profile}_STRIP=symbols"
cargo build --profile "$profile" --target "$target" --bin audiostream \
    --no-default-features --features decode,encode-mp3,encode-flac,net,cli >&2

bin="${CARGO_TARGET_DIR:-target}/$target/$profile/audiostream"
desc=$(file -b "$bin")
echo "build-static.sh: $bin: $desc" >&2
case "$desc" in
    *"statically linked"* | *"static-pie linked"*) ;;
    *) echo "build-static.sh: $bin is not statically linked" >&2; exit 1 ;;
esac
case "$desc" in
    *"not stripped"*) echo "build-static.sh: $bin is not stripped" >&2; exit 1 ;;
esac
echo "build-static.sh: $(stat -c %s "$bin") bytes ($(du -h "$bin" | cut -f1))" >&2
if [ -n "$out" ]; then
    cp "$bin" "$out"
    bin="$out"
fi
echo "$bin"
