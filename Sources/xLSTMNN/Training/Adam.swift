import xLSTMTensor

/// Adam (Kingma and Ba) with PyTorch's semantics and defaults: bias-corrected
/// moments, `epsilon` added after the square root, and `weightDecay` as an L2
/// term added to the gradient.
public final class Adam<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Double { get { core.learningRate } set { core.learningRate = newValue } }
    private let core: AdamCore<Scalar>

    /// An Adam optimizer over `parameters`, with PyTorch's defaults.
    ///
    /// - Throws: `xLSTMError` unless `learningRate` is finite and `>= 0`,
    ///   both betas lie in [0, 1), `epsilon > 0` and `weightDecay` is finite and `>= 0`.
    public init(
        parameters: [Tensor<Scalar>], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0
    ) throws(xLSTMError) {
        core = try AdamCore(
            parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupled: false)
    }

    public var parameters: [Tensor<Scalar>] { core.parameters }
    public func step() { core.step() }
    public func zeroGrad() { core.zeroGrad() }
    public func state() -> [OptimizerState<Scalar>] { core.state() }
    public func load(state: [OptimizerState<Scalar>]) throws(xLSTMError) { try core.load(state: state) }
}

/// AdamW (Loshchilov and Hutter) with PyTorch's semantics and defaults: as
/// ``Adam`` but the weight decay shrinks the parameter directly,
/// `p = p * (1 - learningRate * weightDecay)`, before the Adam update.
public final class AdamW<Scalar: TensorScalar>: Optimizer {
    public var learningRate: Double { get { core.learningRate } set { core.learningRate = newValue } }
    private let core: AdamCore<Scalar>

    /// An AdamW optimizer over `parameters`, with PyTorch's defaults.
    ///
    /// - Throws: `xLSTMError` on the values ``Adam`` rejects.
    public init(
        parameters: [Tensor<Scalar>], learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, weightDecay: Double = 0.01
    ) throws(xLSTMError) {
        core = try AdamCore(
            parameters: parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupled: true)
    }

    public var parameters: [Tensor<Scalar>] { core.parameters }
    public func step() { core.step() }
    public func zeroGrad() { core.zeroGrad() }
    public func state() -> [OptimizerState<Scalar>] { core.state() }
    public func load(state: [OptimizerState<Scalar>]) throws(xLSTMError) { try core.load(state: state) }
}

/// The moment bookkeeping Adam and AdamW share; they differ only in where
/// the weight decay enters.
final class AdamCore<Scalar: TensorScalar> {
    let parameters: [Tensor<Scalar>]
    var learningRate: Double
    let beta1: Double
    let beta2: Double
    let epsilon: Double
    let weightDecay: Double
    let decoupled: Bool
    private var firstMoments: [[Scalar]]
    private var secondMoments: [[Scalar]]
    private var steps: [Int]

    init(
        parameters: [Tensor<Scalar>], learningRate: Double, beta1: Double, beta2: Double, epsilon: Double,
        weightDecay: Double, decoupled: Bool
    ) throws(xLSTMError) {
        try validateOptimizer(learningRate: learningRate, weightDecay: weightDecay)
        try require(beta1 >= 0 && beta1 < 1, "beta1", expected: "a value in [0, 1)", received: "\(beta1)")
        try require(beta2 >= 0 && beta2 < 1, "beta2", expected: "a value in [0, 1)", received: "\(beta2)")
        try require(epsilon > 0 && epsilon.isFinite, "epsilon", expected: "a finite value > 0", received: "\(epsilon)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        firstMoments = parameters.map { [Scalar](repeating: 0, count: $0.count) }
        secondMoments = parameters.map { [Scalar](repeating: 0, count: $0.count) }
        steps = Array(repeating: 0, count: parameters.count)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func step() {
        let (b1, b2, eps) = (Scalar(beta1), Scalar(beta2), Scalar(epsilon))
        for (slot, parameter) in parameters.enumerated() {
            // Like torch.optim.Adam: a parameter without a gradient is skipped,
            // its step count too; one with no elements counts the step.
            guard let gradient = parameter.grad?.scalars else { continue }
            steps[slot] += 1
            guard !gradient.isEmpty else { continue }
            let correction1 = Scalar(1 - Double.pow(beta1, Double(steps[slot])))
            let correction2 = Scalar(1 - Double.pow(beta2, Double(steps[slot])))
            let coefficients = AdamCoefficients(
                b1: b1, b2: b2, epsilon: eps, stepSize: Scalar(learningRate) / correction1, correction2: correction2,
                shrink: Scalar(1 - learningRate * weightDecay), l2: Scalar(weightDecay), decoupled: decoupled)
            firstMoments[slot].withUnsafeMutableBufferPointer { m in
                secondMoments[slot].withUnsafeMutableBufferPointer { v in
                    gradient.withUnsafeBufferPointer { g in
                        parameter.scalars.withUnsafeMutableBufferPointer { values in
                            let buffers = AdamBuffers(
                                values: values.baseAddress!, gradient: g.baseAddress!, first: m.baseAddress!,
                                second: v.baseAddress!)
                            // Elementwise, so the result does not depend on how the pieces fall.
                            ElementwiseLoops.forEachPiece(values.count) { buffers.update($0, coefficients) }
                        }
                    }
                }
            }
        }
    }

    func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }

    func state() -> [OptimizerState<Scalar>] {
        parameters.indices.map { slot in
            OptimizerState(step: steps[slot], buffers: ["exp_avg": firstMoments[slot], "exp_avg_sq": secondMoments[slot]])
        }
    }

    func load(state: [OptimizerState<Scalar>]) throws(xLSTMError) {
        try validate(state, for: parameters, allowed: ["exp_avg", "exp_avg_sq"], required: ["exp_avg", "exp_avg_sq"], counted: true)
        firstMoments = state.map { $0.buffers["exp_avg"]! }
        secondMoments = state.map { $0.buffers["exp_avg_sq"]! }
        steps = state.map { $0.step! }
    }
}

/// One Adam step's scalars for one parameter.
private struct AdamCoefficients<Scalar: TensorScalar>: Sendable {
    let b1: Scalar
    let b2: Scalar
    let epsilon: Scalar
    /// The learning rate over the first moment's bias correction.
    let stepSize: Scalar
    /// The second moment's bias correction.
    let correction2: Scalar
    /// AdamW's decay factor 1 - lr * weightDecay.
    let shrink: Scalar
    /// Adam's L2 coefficient (the weight decay added to the gradient).
    let l2: Scalar
    let decoupled: Bool
}

/// A parameter's values, gradient and moments, which the workers update in
/// disjoint pieces. @unchecked Sendable: raw pointers; pieces never overlap.
private struct AdamBuffers<Scalar: TensorScalar>: @unchecked Sendable {
    let values: UnsafeMutablePointer<Scalar>
    let gradient: UnsafePointer<Scalar>
    let first: UnsafeMutablePointer<Scalar>
    let second: UnsafeMutablePointer<Scalar>

    @inline(__always)
    func update(_ indices: Range<Int>, _ c: AdamCoefficients<Scalar>) {
        for index in indices {
            var g = gradient[index]
            if c.decoupled { values[index] *= c.shrink } else { g += c.l2 * values[index] }
            first[index] = c.b1 * first[index] + (1 - c.b1) * g
            second[index] = c.b2 * second[index] + (1 - c.b2) * g * g
            values[index] -= c.stepSize * first[index] / ((second[index] / c.correction2).squareRoot() + c.epsilon)
        }
    }
}
