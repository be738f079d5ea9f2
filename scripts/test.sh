#!/usr/bin/env bash
# The test command: installs system dependencies, builds the release
# programs the release-build tests run (they would build them themselves,
# slower, from inside the test run), checks the API documentation, runs the
# fast kernels' tests in optimized builds for each instruction set, checks
# that PyTorch reads our safetensors files, then builds and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-dependencies.sh
bash scripts/build-release.sh xlstm trap-probe
bash scripts/check-docs.sh
bash scripts/check-instruction-sets.sh
# Files our safetensors writer makes must read back in PyTorch.
if bash scripts/python-env.sh; then
    scripts/.venv/bin/python scripts/golden/make_safetensors_golden.py --check
else
    echo "skipped: the PyTorch read-back of Tests/xLSTMNNTests/Fixtures/swift_written.safetensors (no Python environment with torch and safetensors could be installed)"
fi
swift build --build-tests
swift test --skip-build
