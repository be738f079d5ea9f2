#!/usr/bin/env bash
# Installs what the package needs from the system on Linux: OpenBLAS
# (Debian's libopenblas-dev, the BLAS behind the matrix products), libxsmm
# (libxsmm-dev, a static library: a plain x86-64 build's per-step recurrent
# products; see RecurrentProduct.Engine) and oneDNN's runtime (libdnnl2:
# large x W^T products, opened at run time; see OneDNN). macOS uses
# Accelerate and needs nothing.
set -euo pipefail
[[ "$(uname -s)" == "Linux" ]] || exit 0
missing=()
pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev pkg-config)
if [[ "$(uname -m)" == "x86_64" && ! -f /usr/include/libxsmm.h ]]; then missing+=(libxsmm-dev); fi
# grep without -q reads all of ldconfig's output: with pipefail, an early exit could fail ldconfig.
/sbin/ldconfig -p | grep 'libdnnl\.so\.2 ' >/dev/null || missing+=(libdnnl2)
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "Installing ${missing[*]}..."
    sudo_if_needed=""
    if [[ "$(id -u)" != "0" ]]; then sudo_if_needed="sudo"; fi
    $sudo_if_needed apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
fi
