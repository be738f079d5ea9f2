#!/usr/bin/env bash
# The test command: installs system dependencies, builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-dependencies.sh
swift build --build-tests
swift test --skip-build
