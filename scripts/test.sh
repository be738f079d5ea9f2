#!/usr/bin/env bash
# The test command: installs system dependencies, builds the release
# programs the release-build tests run (they would build them themselves,
# slower, from inside the test run), checks the API documentation, then
# builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-dependencies.sh
bash scripts/build-release.sh xlstm trap-probe
bash scripts/check-docs.sh
swift build --build-tests
swift test --skip-build
