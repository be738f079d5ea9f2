import xLSTMTensor

/// Something that updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// The scalar type of the parameters.
    associatedtype Scalar: TensorScalar
    /// The step size; schedules set it before each step.
    var learningRate: Double { get set }
    /// The tensors it updates, in the order of ``state()``.
    var parameters: [Tensor<Scalar>] { get }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Clears the gradients of every parameter.
    func zeroGrad()
    /// What the optimizer has accumulated for each parameter, in the order
    /// of ``parameters``: what a checkpoint stores to resume training.
    func state() -> [OptimizerState<Scalar>]
    /// Restores what ``state()`` returned (from an optimizer of the same kind
    /// over parameters of the same shapes).
    ///
    /// - Throws: `xLSTMError` when the count, a buffer's name or size, or a step count does not fit.
    func load(state: [OptimizerState<Scalar>]) throws(xLSTMError)
}

/// What an optimizer keeps for one parameter between steps.
public struct OptimizerState<Scalar: TensorScalar>: Equatable, Sendable {
    /// The updates applied to the parameter so far, for optimizers that count
    /// them (Adam's bias correction); `nil` for SGD.
    public var step: Int?
    /// Buffers of the parameter's element count, by PyTorch's names:
    /// `momentum_buffer` (SGD with momentum, once it has stepped),
    /// `exp_avg` and `exp_avg_sq` (Adam, AdamW).
    public var buffers: [String: [Scalar]]

    /// A state of `step` updates with `buffers`.
    public init(step: Int?, buffers: [String: [Scalar]]) {
        self.step = step
        self.buffers = buffers
    }
}

/// Checks a state for `parameters` against what an optimizer keeps: one
/// entry per parameter, buffer names among `allowed` (those in `required`
/// always present), each of its parameter's element count, and a step count
/// exactly when `counted`.
func validate<Scalar>(
    _ state: [OptimizerState<Scalar>], for parameters: [Tensor<Scalar>], allowed: Set<String>,
    required: Set<String>, counted: Bool
) throws(xLSTMError) {
    try require(
        state.count == parameters.count, "state", expected: "\(parameters.count) entries (one per parameter)",
        received: "\(state.count)")
    for (index, (entry, parameter)) in zip(state, parameters).enumerated() {
        let names = Set(entry.buffers.keys)
        try require(
            names.isSubset(of: allowed) && required.isSubset(of: names), "state[\(index)].buffers",
            expected: "buffers \(required.sorted()) (of \(allowed.sorted()))", received: "\(names.sorted())")
        for (name, values) in entry.buffers {
            try require(
                values.count == parameter.count, "state[\(index)].buffers[\(name)]",
                expected: "\(parameter.count) values (the parameter's)", received: "\(values.count)")
        }
        if counted {
            try require(
                (entry.step ?? -1) >= 0, "state[\(index)].step", expected: "a count >= 0",
                received: entry.step.map(String.init) ?? "nil")
        } else {
            try require(entry.step == nil, "state[\(index)].step", expected: "nil (SGD counts no steps)", received: "\(entry.step!)")
        }
    }
}

/// Checks the hyper-parameters every optimizer shares.
func validateOptimizer(learningRate: Double, weightDecay: Double) throws(xLSTMError) {
    try require(
        learningRate >= 0 && learningRate.isFinite, "learningRate", expected: "a finite value >= 0",
        received: "\(learningRate)")
    try require(
        weightDecay >= 0 && weightDecay.isFinite, "weightDecay", expected: "a finite value >= 0",
        received: "\(weightDecay)")
}

extension Tensor {
    /// Updates `scalars` in place with `update(index, value, gradient)`,
    /// outside the gradient engine. Does nothing without a gradient.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func updateInPlace(_ update: (Int, inout Scalar, Scalar) -> Void) {
        guard let gradient = grad?.scalars else { return }
        scalars.withUnsafeMutableBufferPointer { values in
            gradient.withUnsafeBufferPointer { gradient in
                for index in values.indices { update(index, &values[index], gradient[index]) }
            }
        }
    }
}
