#!/usr/bin/env bash
# Installs what the package needs from the system: OpenBLAS (Debian's
# libopenblas-dev) on Linux. macOS uses Accelerate and needs nothing.
set -euo pipefail
if [[ "$(uname -s)" == "Linux" ]] && ! pkg-config --exists openblas 2>/dev/null; then
    echo "Installing libopenblas-dev (the BLAS behind the matrix products)..."
    sudo_if_needed=""
    if [[ "$(id -u)" != "0" ]]; then sudo_if_needed="sudo"; fi
    $sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq libopenblas-dev pkg-config >/dev/null
fi
