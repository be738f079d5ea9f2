#!/usr/bin/env bash
# The main job: builds the release CLI, then trains an sLSTM and the classic
# LSTM baseline on the parity task, on the same data (train on lengths 3-40,
# test on 40-256), prints their length-generalization tables and writes an
# HTML report with charts to report/index.html.
# Extra arguments go to `xlstm train` (see `--help`; for a single model with
# checkpoints, run .build-release/release/xlstm train without --compare).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release.sh xlstm
.build-release/release/xlstm train --compare slstm,lstm --report report "$@"
