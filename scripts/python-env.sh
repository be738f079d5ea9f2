#!/usr/bin/env bash
# Makes scripts/.venv, the Python environment of the golden-file and
# conversion scripts (torch's CPU wheel, safetensors, numpy, the official
# xlstm package), when it is missing. Prints nothing on success; exits
# non-zero when PyPI cannot be reached, so that callers can skip visibly.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=scripts/.venv
packages=(torch==2.13.0 safetensors numpy)
if [[ "${1:-}" == "--with-xlstm" ]]; then packages+=(xlstm==2.0.6); fi
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch, safetensors, numpy${1:+, xlstm}" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"
fi
