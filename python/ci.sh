#!/usr/bin/env bash
# CI for the Python package: a virtualenv with maturin, NumPy and pytest, the extension built
# in the dev profile (`maturin develop`: the workspace's dev profile optimizes dependencies at
# -O2, so decoding is fast enough for the tests, and the build reuses the Rust tests' target/),
# then the pytest suite. Needs python3 with venv (installed by apt if missing) and the oracles
# of scripts/install-deps.sh (ffmpeg, sox).
set -euo pipefail
cd "$(dirname "$0")"
venv="${AUDIOSTREAM_PY_VENV:-$(pwd)/../target/pyvenv}"
if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "maturin>=1.9,<2" numpy pytest
# `maturin develop` installs into the active virtualenv.
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop -q
"$venv/bin/python" -m pytest -q tests "$@"
