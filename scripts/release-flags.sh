#!/usr/bin/env bash
# The release flags the scripts build with: the host's own instruction set.
# A plain `swift build -c release` on x86-64 targets the 2003 baseline
# (SSE2: no AVX, no FMA); `-target-cpu native` lets the SIMD kernels, written
# on 512-bit vectors, lower to full-width instructions: one AVX-512 register,
# two AVX2 registers, four NEON registers. The builds these flags make run on
# the machine that built them (and its kind), not on older CPUs.
# Prints the flags for `swift build`; sourced by the other scripts.
echo "-Xswiftc -target-cpu -Xswiftc native"
