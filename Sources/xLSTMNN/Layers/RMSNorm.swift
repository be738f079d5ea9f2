import xLSTMTensor

/// Root-mean-square normalization of the last axis, then a scale (and
/// optionally a shift): `y = x / sqrt(mean(x^2) + epsilon) * weight (+ bias)`,
/// as `torch.nn.RMSNorm`.
///
/// Parameters: `weight` (size), starting at 1, and with `bias`, `bias` (size), starting at 0.
public final class RMSNorm<Scalar: TensorScalar>: Module {
    /// The scale, (size).
    public let weight: Tensor<Scalar>
    /// The shift, (size), or nil.
    public let bias: Tensor<Scalar>?
    /// Added to the mean square inside the square root.
    public let epsilon: Scalar
    public var isTraining = true

    /// A norm over vectors of `size` elements.
    ///
    /// - Precondition: `size > 0` and `epsilon >= 0`.
    public init(size: Int, epsilon: Scalar = 1e-6, bias: Bool = false) {
        orTrap { () throws(xLSTMError) in
            try require(size > 0, "size", expected: "a positive size", received: "\(size)")
            try require(epsilon >= 0, "epsilon", expected: "a non-negative value", received: "\(epsilon)")
        }
        weight = .ones([size], requiresGrad: true)
        self.bias = bias ? .zeros([size], requiresGrad: true) : nil
        self.epsilon = epsilon
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Normalizes each vector along the last axis.
    ///
    /// - Parameter input: (..., size).
    /// - Returns: the same shape.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        orTrap { () throws(xLSTMError) in
            try require(
                input.shape.last == weight.count, "input", expected: "last extent \(weight.count)",
                received: "shape \(shapeText(input.shape))")
        }
        let scaled = input / (input.squared().mean(alongAxis: -1, keepingAxis: true) + epsilon).squareRoot() * weight
        return bias.map { scaled + $0 } ?? scaled
    }
}
