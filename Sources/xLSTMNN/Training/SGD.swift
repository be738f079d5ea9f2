import xLSTMTensor

/// Stochastic gradient descent with PyTorch's semantics:
///
///     g = grad + weightDecay * p
///     b = momentum * b + g        (b = g on the first step)
///     g = nesterov ? g + momentum * b : b      (when momentum > 0)
///     p = p - learningRate * g
public final class SGD<Scalar: TensorScalar>: Optimizer {
    /// The tensors this optimizer updates.
    public let parameters: [Tensor<Scalar>]
    public var learningRate: Double
    /// The momentum factor; 0 turns momentum off.
    public let momentum: Double
    /// The L2 coefficient added to the gradient.
    public let weightDecay: Double
    /// Whether the update uses Nesterov momentum.
    public let nesterov: Bool
    private var buffers: [[Scalar]?]

    /// An SGD optimizer over `parameters`.
    ///
    /// - Throws: `xLSTMError` unless `learningRate`, `momentum` and
    ///   `weightDecay` are finite and `>= 0`, and `momentum > 0` where `nesterov`.
    public init(
        parameters: [Tensor<Scalar>], learningRate: Double, momentum: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false
    ) throws(xLSTMError) {
        try validateOptimizer(learningRate: learningRate, weightDecay: weightDecay)
        try require(
            momentum >= 0 && momentum.isFinite, "momentum", expected: "a finite value >= 0", received: "\(momentum)")
        try require(
            !nesterov || momentum > 0, "nesterov", expected: "false unless momentum > 0",
            received: "true with momentum \(momentum)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = Array(repeating: nil, count: parameters.count)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step() {
        let lr = Scalar(learningRate)
        let decay = Scalar(weightDecay)
        let mu = Scalar(momentum)
        for (slot, parameter) in parameters.enumerated() where parameter.grad != nil {
            var buffer = buffers[slot]
            let first = buffer == nil
            if momentum > 0 && first { buffer = [Scalar](repeating: 0, count: parameter.count) }
            parameter.updateInPlace { index, value, gradient in
                var g = gradient + decay * value
                if momentum > 0 {
                    buffer![index] = first ? g : mu * buffer![index] + g
                    g = nesterov ? g + mu * buffer![index] : buffer![index]
                }
                value -= lr * g
            }
            buffers[slot] = buffer
        }
    }

    public func state() -> [OptimizerState<Scalar>] {
        buffers.map { buffer in OptimizerState(step: nil, buffers: buffer.map { ["momentum_buffer": $0] } ?? [:]) }
    }

    public func load(state: [OptimizerState<Scalar>]) throws(xLSTMError) {
        try validate(state, for: parameters, allowed: ["momentum_buffer"], required: [], counted: false)
        buffers = state.map { $0.buffers["momentum_buffer"] }
    }

    public func zeroGrad() {
        for parameter in parameters { parameter.zeroGrad() }
    }
}
