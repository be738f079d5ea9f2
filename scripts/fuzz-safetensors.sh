#!/usr/bin/env bash
# Fuzzes the safetensors reader with libFuzzer and AddressSanitizer, starting
# from the committed safetensors files. Any crash, out-of-bounds read or
# leak stops libFuzzer with a report and a reproducer (crash-*) in the
# working directory. Usage: scripts/fuzz-safetensors.sh [RUNS] (default 200000).
# Built without -DFUZZING (as `swift build` builds it), safetensors-fuzzer
# replays files named on its command line instead.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200000}"
bash scripts/ensure-dependencies.sh
# `--sanitize fuzzer` makes SwiftPM link libFuzzer's main; the -Xswiftc form adds
# AddressSanitizer. (`--sanitize fuzzer --sanitize address` drops the coverage
# instrumentation: libFuzzer then finds no new input.)
swift build --product safetensors-fuzzer --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
    --scratch-path .build-fuzz 2>&1 | grep -v "ld.gold: warning: Cannot export local symbol" >&2
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp Tests/xLSTMNNTests/Fixtures/*.safetensors Tests/xLSTMTests/Fixtures/*.safetensors "$corpus"/
.build-fuzz/debug/safetensors-fuzzer -runs="$runs" -max_len=65536 -seed=1 -print_final_stats=1 "$corpus" 2>&1 |
    grep -E "^(#[0-9]+[[:space:]]+(INITED|DONE)|Done|stat::number_of_executed_units|stat::new_units_added|==|SUMMARY)" | tail -n 8
