#!/usr/bin/env bash
# The recommended release flags: on x86-64 a plain `swift build -c release`
# targets the 2003 baseline ISA (no AVX, no FMA); haswell (the x86-64-v3 level: AVX2 + FMA,
# every x86 CPU since 2015) lets the SIMD kernels use full-width vectors.
# Prints the flags for `swift build`; sourced by the other scripts.
if [[ "$(uname -m)" == "x86_64" ]]; then
    echo "-Xswiftc -target-cpu -Xswiftc haswell"
fi
