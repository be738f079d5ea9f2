import TestSupport
import Testing
@testable import xLSTM

/// Builds a seeded sLSTM, optionally multiplying every weight by `scale` to
/// drive the pre-activations far out (the stabilizer's territory).
func makesLSTM<Scalar: TensorScalar>(
    _: Scalar.Type, inputSize: Int = 3, hiddenSize: Int = 6, numLayers: Int = 1, dropout: Double = 0,
    numHeads: Int = 1, bias: Bool = true, batchFirst: Bool = false, bidirectional: Bool = false,
    forgetGate: ForgetGate = .exponential, scale: Scalar = 1, seed: UInt64 = 1
) -> sLSTM<Scalar> {
    Random.withSeed(seed) {
        let model = sLSTM<Scalar>(
            inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, dropout: dropout, numHeads: numHeads,
            bias: bias, batchFirst: batchFirst, bidirectional: bidirectional, forgetGate: forgetGate)
        for parameter in model.parameters {
            parameter.scalars = parameter.scalars.map { $0 * scale }
        }
        // Random (not initial) biases, so every gate sees varied pre-activations.
        for (name, parameter) in model.namedParameters where name.hasPrefix("bias") {
            parameter.scalars = Tensor<Scalar>.randomUniform(parameter.shape, low: -scale, high: scale).scalars
        }
        return model
    }
}

/// A seeded Double sLSTM; see the generic form.
func makesLSTM(
    inputSize: Int = 3, hiddenSize: Int = 6, numLayers: Int = 1, dropout: Double = 0, numHeads: Int = 1,
    bias: Bool = true, batchFirst: Bool = false, bidirectional: Bool = false, forgetGate: ForgetGate = .exponential,
    scale: Double = 1, seed: UInt64 = 1
) -> sLSTM<Double> {
    makesLSTM(
        Double.self, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, dropout: dropout,
        numHeads: numHeads, bias: bias, batchFirst: batchFirst, bidirectional: bidirectional, forgetGate: forgetGate,
        scale: scale, seed: seed)
}

/// Copies every parameter value from `source` into `target`, by position.
func copyParameters<Scalar>(from source: [Tensor<Scalar>], to target: [Tensor<Scalar>]) {
    precondition(source.count == target.count)
    for (from, to) in zip(source, target) {
        precondition(from.shape == to.shape)
        to.scalars = from.scalars
    }
}

/// A random initial state of `shape` with n in [1, 3) (so finite
/// differences never cross the n == 0 first-step rule), |c| <= n, and m, h varied.
func randomState(_ shape: [Int], seed: UInt64) -> sLSTMState<Double> {
    var generator = Xoshiro256(seed: seed)
    let n = Tensor<Double>.randomUniform(shape, low: 1, high: 3, using: &generator)
    let fraction = Tensor<Double>.randomUniform(shape, low: -0.9, high: 0.9, using: &generator)
    return sLSTMState(
        h: Tensor.randomUniform(shape, low: -0.9, high: 0.9, using: &generator),
        c: Tensor(validatedShape: shape, scalars: zip(n.scalars, fraction.scalars).map(*)),
        n: n,
        m: Tensor.randomUniform(shape, low: -2, high: 2, using: &generator))
}

/// A scalar objective that reaches every output: weighted sums of the
/// outputs, the final h, and the final c and n in their unstabilized form
/// `c * exp(m - reference)`. The unstabilized form does not depend on the
/// stabilizer's choice of m, so finite differences of it are the true
/// derivatives that the m-frozen backward must reproduce (the final m itself
/// carries no gradient and enters as a constant). `reference` is a fixed
/// offset (the final m at the unperturbed point) that keeps the values near 1
/// so that finite differences do not lose their digits to exp(m).
func objective(
    _ outputs: Tensor<Double>, _ state: sLSTMState<Double>, reference: Tensor<Double>? = nil, seed: UInt64 = 99
) -> Tensor<Double> {
    let scale = (reference.map { state.m - $0 } ?? state.m).exp()
    return weightedSum(outputs, seed: seed) + weightedSum(state.h, seed: seed + 1)
        + weightedSum(state.c * scale, seed: seed + 2) + weightedSum(state.n * scale, seed: seed + 3)
}

/// The four state tensors as named inputs for ``checkGradients``.
func stateInputs(_ state: sLSTMState<Double>) -> [(name: String, tensor: Tensor<Double>)] {
    [("h0", state.h), ("c0", state.c), ("n0", state.n), ("m0", state.m)]
}

/// Time steps `range` of a (T, B, ...) tensor, as values outside any graph.
func steps<Scalar>(_ tensor: Tensor<Scalar>, _ range: Range<Int>) -> Tensor<Scalar> {
    withoutGradients { tensor.slice(alongAxis: 0, range) }.detached()
}
