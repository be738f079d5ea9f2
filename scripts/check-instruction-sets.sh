#!/usr/bin/env bash
# The fast kernels against their references in optimized builds for each
# instruction set the package is built for here: on x86-64 the baseline
# (what a plain `swift build -c release` targets: SSE2), haswell (AVX2, FMA)
# and the host's own CPU (what scripts/release-flags.sh builds); elsewhere
# the baseline and the host's CPU. The vectorized code differs between
# them (SIMD16<Float> is one AVX-512 register, two AVX2 or four SSE ones),
# and the debug test build checks none of it.
#
# Each is a release build of the test bundle alone (with -enable-testing, for
# the tests' @testable imports) in a scratch folder of its own, .build-isa-NAME.
# No test depends on the command-line tool or the examples; building them too
# (`--build-tests`) took 203-227 s a build on a 2-core Zen 3, the bundle alone 179-191.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-dependencies.sh
suites='FastKernelTests|RecurrentProductTests|VectorMathTests|sLSTMNonFiniteTests|BroadcastingTests|mLSTMFormsTests'
targets=("baseline:" "native:-target-cpu native")
if [[ "$(uname -m)" == "x86_64" ]]; then
    targets=("baseline:" "haswell:-target-cpu haswell" "native:-target-cpu native")
fi
for target in "${targets[@]}"; do
    name="${target%%:*}"
    flags=(-Xswiftc -enable-testing)
    for flag in ${target#*:}; do flags+=(-Xswiftc "$flag"); done
    echo "== fast kernels against references, built for the $name instruction set"
    swift build -c release --product xLSTMPackageTests --scratch-path ".build-isa-$name" "${flags[@]}"
    swift test -c release --skip-build --scratch-path ".build-isa-$name" --filter "$suites"
done
