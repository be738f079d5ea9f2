import xLSTMNN
import xLSTMTensor

/// The sizes of one sLSTM layer pass in one direction, and which time step
/// each batch row reads at each step of the loop.
///
/// Flat layouts, row-major, that every kernel shares:
/// - input `x`: (T, B, D); outputs: (T, B, H), zero at padded steps;
/// - input weights `W`: (4H, D), rows gate-major (i, f, z, o), so gate `g` of
///   unit `u` is row `g * H + u`;
/// - recurrent weights `R`: (K, 4d, d) with d = H / K; row `g * d + j` of head
///   `k` feeds gate `g` of unit `k * d + j` from `h[k * d ..< (k + 1) * d]`;
/// - bias: (4H), gate-major; states h, c, n, m: (B, H).
struct sLSTMLayerGeometry: Sendable {
    let steps: Int
    let batch: Int
    let inputSize: Int
    let hiddenSize: Int
    let heads: Int
    let forgetGate: ForgetGate
    /// Whether the loop runs each sequence from its last valid step to its first.
    let reverse: Bool
    /// Valid steps per batch row, each in 1...steps.
    let lengths: [Int]

    var headSize: Int { hiddenSize / heads }
    var gateCount: Int { 4 * hiddenSize }

    /// The time index row `row` reads at loop step `step`, or `nil` once its
    /// sequence has ended (its state then stays as it is).
    @inline(__always)
    func time(step: Int, row: Int) -> Int? {
        guard step < lengths[row] else { return nil }
        return reverse ? lengths[row] - 1 - step : step
    }
}

/// The per-row states of one layer-direction, each (B, H) flat.
struct sLSTMLayerState<Scalar: TensorScalar> {
    var h: [Scalar]
    var c: [Scalar]
    var n: [Scalar]
    var m: [Scalar]
}

/// What a layer pass receives, flat (see ``sLSTMLayerGeometry`` for layouts).
struct sLSTMLayerInputs<Scalar: TensorScalar> {
    let x: [Scalar]
    let inputWeights: [Scalar]
    let recurrentWeights: [Scalar]
    let bias: [Scalar]
    let initial: sLSTMLayerState<Scalar>
}

/// Gradients of the objective with respect to everything a pass read.
struct sLSTMLayerGradients<Scalar: TensorScalar> {
    var x: [Scalar]
    var inputWeights: [Scalar]
    var recurrentWeights: [Scalar]
    var bias: [Scalar]
    /// Gradients of the initial h, c, n and m.
    var initial: sLSTMLayerState<Scalar>
}

/// Upstream gradients: of the outputs (T, B, H) and of the final h, c and n
/// (B, H each); `nil` stands for zeros. The final m gets none: the outputs do
/// not depend on m (it only rescales c and n together).
struct sLSTMLayerUpstream<Scalar: TensorScalar> {
    let outputs: [Scalar]?
    let h: [Scalar]?
    let c: [Scalar]?
    let n: [Scalar]?
}

/// A finished forward pass: outputs, final state, and the backward that
/// belongs to it.
struct sLSTMLayerPass<Scalar: TensorScalar> {
    let outputs: [Scalar]
    let final: sLSTMLayerState<Scalar>
    let backward: (sLSTMLayerUpstream<Scalar>) -> sLSTMLayerGradients<Scalar>
}
