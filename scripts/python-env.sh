#!/usr/bin/env bash
# Makes scripts/.venv, the Python environment of the test command's PyTorch
# read-back check (torch's CPU wheel, safetensors, numpy), when it is missing.
# The golden-file and conversion scripts use the same environment with
# `transformers` and `xlstm` added (see scripts/golden/README.md).
# Prints nothing on success; exits non-zero when PyPI cannot be reached, so
# that callers can skip visibly.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=scripts/.venv
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch, safetensors, numpy" 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check torch==2.13.0 safetensors numpy
fi
