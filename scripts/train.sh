#!/usr/bin/env bash
# The main job: builds the release CLI and trains an sLSTM classifier on the
# parity task (train on lengths 3-40, test on 40-256). Extra arguments go to
# `xlstm train` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-release.sh xlstm
.build-release/release/xlstm train "$@"
