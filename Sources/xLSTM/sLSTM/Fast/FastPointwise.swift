import xLSTMNN
import xLSTMTensor

/// The pointwise part of one sLSTM step for one (row, head), 16 units at a
/// time: DESIGN section 1's stabilized gating (forward) and its m-frozen
/// derivative (backward), the formulas of ``sLSTMReference`` (the forward
/// shares one exponential between i' and f', see below), so that the two
/// differ by rounding only.
///
/// Every pointer addresses one head's slice, or the slice of a part of it
/// (see ``WorkPartition``): `width` lanes are computed, of which the first
/// `realUnits` are real units (the rest is padding). The four gates of a
/// unit lie `gateStride` apart in the gate buffers.
enum FastPointwise {
    /// Forward: from pre-activations and the state at t-1 to the state at t.
    struct Forward {
        /// In: the input projection of i~, f~, z~, o~ (gates `gateStride`
        /// apart); out, when saving for the backward: i', f', z, o.
        let gates: UnsafeMutablePointer<Float>
        let gateStride: Int
        /// R_k h_{t-1} + b (gates `width` apart): g~ = gates + recurrent.
        let recurrent: UnsafePointer<Float>
        /// (width each) the running state, updated in place; h is only written.
        let h: UnsafeMutablePointer<Float>
        let c: UnsafeMutablePointer<Float>
        let n: UnsafeMutablePointer<Float>
        let m: UnsafeMutablePointer<Float>
        /// log f = logsigmoid(f~) instead of f~.
        let sigmoidForgetGate: Bool
        /// (width each) c_t and n_t kept for the backward, or `nil`.
        let savedC: UnsafeMutablePointer<Float>?
        let savedN: UnsafeMutablePointer<Float>?
        /// (width) sigmoid(-f~), the derivative of logsigmoid, kept for the
        /// backward of the sigmoid forget gate, or `nil`.
        let forgetSlope: UnsafeMutablePointer<Float>?
        /// (realUnits) h_t in the outputs.
        let output: UnsafeMutablePointer<Float>

        /// Runs the loop specialized for this pass's forget gate and for
        /// whether it saves. One loop that tested both inside ran at 3.18 ns
        /// per unit-step, the specialized ones at 2.85 (one thread on a Zen 3,
        /// one 8-row, 64-unit item, inference, exponential forget gate).
        @inline(__always)
        func run(width: Int, realUnits: Int) {
            switch (sigmoidForgetGate, savedC != nil) {
            case (false, false): loop(width: width, realUnits: realUnits, No.self, No.self)
            case (false, true): loop(width: width, realUnits: realUnits, No.self, Yes.self)
            case (true, false): loop(width: width, realUnits: realUnits, Yes.self, No.self)
            case (true, true): loop(width: width, realUnits: realUnits, Yes.self, Yes.self)
            }
        }

        /// The loop, specialized for each choice of the forget gate and of saving.
        @inline(never)
        private func loop<SigmoidForgetGate: Choice, Saving: Choice>(
            width: Int, realUnits: Int, _: SigmoidForgetGate.Type, _: Saving.Type
        ) {
            let (sigmoidForgetGate, saving) = (SigmoidForgetGate.isOn, Saving.isOn)
            var j = 0
            while j < width {
                let iTilde = preactivation(0, width, j)
                let fTilde = preactivation(1, width, j)
                let zTilde = preactivation(2, width, j)
                let oTilde = preactivation(3, width, j)
                let (cPrevious, nPrevious, mPrevious) = (loadVector(c + j), loadVector(n + j), loadVector(m + j))
                var logF = fTilde
                if sigmoidForgetGate {
                    let (value, derivative) = SIMD16.logSigmoidWithDerivative(fTilde)
                    logF = value
                    if saving, let forgetSlope { storeVector(derivative, forgetSlope + j) }
                }
                // m = max(i~, log f + m_{t-1}), so one of i' = exp(i~ - m) and
                // f' = exp(log f + m_{t-1} - m) is exp(0) = 1 and the other is
                // exp(-|i~ - (log f + m_{t-1})|): one exponential serves both.
                // Where n_{t-1} == 0 the unit starts afresh: m = i~, i' = 1, f' = 0.
                let fresh = nPrevious .== 0
                let carried = logF + mPrevious
                let carriedWins = (carried .> iTilde) .& .!fresh
                // (A fresh unit reads neither exponential.)
                let smaller = SIMD16.expOfNonPositive(-SIMD16.abs(carried - iTilde))
                let one = SIMD16<Float>(repeating: 1)
                let mNew = iTilde.replacing(with: carried, where: carriedWins)
                // An infinite or NaN stabilizer (i~ = +inf, log f = +inf, a NaN
                // gate, or i~ = -inf on a fresh unit) leaves c/n without a
                // value: exp(i~ - m) is exp(inf - inf) in the reference. Give
                // NaN there too, rather than the single exponential's 1 or 0.
                let undefined = (mNew - mNew) .!= 0
                let i = one.replacing(with: smaller, where: carriedWins).replacing(with: .nan, where: undefined)
                let f = smaller.replacing(with: one, where: carriedWins).replacing(with: 0, where: fresh)
                let z = SIMD16.tanh(zTilde)
                let cNew = f * cPrevious + i * z
                let nNew = f * nPrevious + i
                // h = o c / n with o = oNumerator / oDenominator in one division, not two. The
                // stabilizer keeps i', f' <= 1, so n_t <= n_0 + t, and n oDenominator (<= 2 n)
                // overflows only where an initial n is within a factor 2 of the largest Float.
                let (oNumerator, oDenominator) = SIMD16.sigmoidFraction(oTilde)
                let hNew = oNumerator * cNew / (nNew * oDenominator)
                if saving, let savedC, let savedN {
                    storeVector(i, gates + j)
                    storeVector(f, gates + gateStride + j)
                    storeVector(z, gates + 2 * gateStride + j)
                    storeVector(oNumerator / oDenominator, gates + 3 * gateStride + j)
                    storeVector(cNew, savedC + j)
                    storeVector(nNew, savedN + j)
                }
                storeVector(cNew, c + j)
                storeVector(nNew, n + j)
                storeVector(mNew, m + j)
                storeVector(hNew, h + j)
                storeVector(hNew, output + j, count: min(16, realUnits - j))
                j += 16
            }
        }

        @inline(__always)
        private func preactivation(_ gate: Int, _ width: Int, _ j: Int) -> SIMD16<Float> {
            loadVector(gates + gate * gateStride + j) + loadVector(recurrent + gate * width + j)
        }
    }

    /// Backward: from the gradients at t to those of the gates and of the
    /// state at t-1.
    struct Backward {
        /// The forward's i', f', z, o (gates `gateStride` apart).
        let gates: UnsafePointer<Float>
        let gateStride: Int
        /// (width each) c_t, n_t and c_{t-1}, n_{t-1}.
        let c: UnsafePointer<Float>
        let n: UnsafePointer<Float>
        let previousC: UnsafePointer<Float>
        let previousN: UnsafePointer<Float>
        /// (width) sigmoid(-f~) for the sigmoid forget gate, else `nil`.
        let forgetSlope: UnsafePointer<Float>?
        /// (realUnits) the upstream gradient of this output, or `nil` for zero.
        let outputGradient: UnsafePointer<Float>?
        /// (width each) in: dL/dh_t (from later steps), dL/dc_t, dL/dn_t;
        /// dc and dn leave as dL/dc_{t-1}, dL/dn_{t-1} (dh is the caller's job).
        let dh: UnsafePointer<Float>
        let dc: UnsafeMutablePointer<Float>
        let dn: UnsafeMutablePointer<Float>
        /// Out: di~, df~, dz~, do~ (gates `gateStride` apart), and the same
        /// with the gates `width` apart when a split head's recurrent product
        /// needs them contiguous (else `nil`).
        let dGates: UnsafeMutablePointer<Float>
        let contiguousDGates: UnsafeMutablePointer<Float>?
        /// (width) out at the first step: dlogf, the gradient of m_0.
        let dm: UnsafeMutablePointer<Float>?

        @inline(__always)
        func run(width: Int, realUnits: Int) {
            var j = 0
            while j < width {
                let (i, f) = (loadVector(gates + j), loadVector(gates + gateStride + j))
                let (z, o) = (loadVector(gates + 2 * gateStride + j), loadVector(gates + 3 * gateStride + j))
                let (cNew, nNew) = (loadVector(c + j), loadVector(n + j))
                let (cPrevious, nPrevious) = (loadVector(previousC + j), loadVector(previousN + j))
                var dhTotal = loadVector(dh + j)
                if let outputGradient { dhTotal += loadPartial(outputGradient + j, count: min(16, realUnits - j)) }
                let ratio = cNew / nNew
                let dOutputGate = dhTotal * ratio * o * (1 - o)
                let dcTotal = loadVector(dc + j) + dhTotal * o / nNew
                let dnTotal = loadVector(dn + j) - dhTotal * o * ratio / nNew
                let dCellInput = dcTotal * i * (1 - z * z)
                let dInputGate = (dcTotal * z + dnTotal) * i
                let dLogF = ((dcTotal * cPrevious + dnTotal * nPrevious) * f).replacing(with: 0, where: nPrevious .== 0)
                var dForgetGate = dLogF
                if let forgetSlope { dForgetGate *= loadVector(forgetSlope + j) }
                if let dm { storeVector(dLogF, dm + j) }
                storeVector(dcTotal * f, dc + j)
                storeVector(dnTotal * f, dn + j)
                let dg = (dInputGate, dForgetGate, dCellInput, dOutputGate)
                store(dg, dGates + j, stride: gateStride)
                if let contiguousDGates { store(dg, contiguousDGates + j, stride: width) }
                j += 16
            }
        }
    }
}

/// A choice made at compile time, so that each generic specialization has its own loop.
private protocol Choice { static var isOn: Bool { get } }
private enum Yes: Choice { static var isOn: Bool { true } }
private enum No: Choice { static var isOn: Bool { false } }

/// Stores four gate vectors `stride` apart.
@inline(__always)
private func store(
    _ gates: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>), _ pointer: UnsafeMutablePointer<Float>,
    stride: Int
) {
    storeVector(gates.0, pointer)
    storeVector(gates.1, pointer + stride)
    storeVector(gates.2, pointer + 2 * stride)
    storeVector(gates.3, pointer + 3 * stride)
}

/// The first `count` (1...16) Floats at `pointer`, zeros in the other lanes.
@inline(__always)
func loadPartial(_ pointer: UnsafePointer<Float>, count: Int) -> SIMD16<Float> {
    if count == 16 { return loadVector(pointer) }
    var vector = SIMD16<Float>(repeating: 0)
    for lane in 0..<count { vector[lane] = pointer[lane] }
    return vector
}
