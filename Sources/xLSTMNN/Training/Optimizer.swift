import xLSTMTensor

/// Something that updates parameters from their accumulated gradients.
public protocol Optimizer: AnyObject {
    /// The step size; schedules set it before each step.
    var learningRate: Double { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Clears the gradients of every parameter.
    func zeroGrad()
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
