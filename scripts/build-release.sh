#!/usr/bin/env bash
# Builds products in release configuration with the recommended flags into
# .build-release (a scratch folder of its own, so that the release-build
# tests can run it from inside `swift test`, which holds .build).
# Usage: scripts/build-release.sh PRODUCT...
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-dependencies.sh
for product in "$@"; do
    # shellcheck disable=SC2046
    swift build -c release --scratch-path .build-release --product "$product" $(bash scripts/release-flags.sh)
done
