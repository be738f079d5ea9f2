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
        for (slot, parameter) in parameters.enumerated() where parameter.grad != nil {
            steps[slot] += 1
            let correction1 = Scalar(1 - Double.pow(beta1, Double(steps[slot])))
            let correction2 = Scalar(1 - Double.pow(beta2, Double(steps[slot])))
            let stepSize = Scalar(learningRate) / correction1
            let shrink = Scalar(1 - learningRate * weightDecay)
            let l2 = Scalar(weightDecay)
            firstMoments[slot].withUnsafeMutableBufferPointer { m in
                secondMoments[slot].withUnsafeMutableBufferPointer { v in
                    parameter.updateInPlace { index, value, gradient in
                        var g = gradient
                        if decoupled { value *= shrink } else { g += l2 * value }
                        m[index] = b1 * m[index] + (1 - b1) * g
                        v[index] = b2 * v[index] + (1 - b2) * g * g
                        value -= stepSize * m[index] / ((v[index] / correction2).squareRoot() + eps)
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
