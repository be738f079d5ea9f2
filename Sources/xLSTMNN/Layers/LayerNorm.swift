import xLSTMTensor

/// Normalizes the last axis to zero mean and unit variance, then scales and
/// shifts, as `torch.nn.LayerNorm(size)` (biased variance, `epsilon` inside
/// the square root).
///
/// Parameters: `weight` (size), starting at 1, and `bias` (size), starting at 0.
public final class LayerNorm<Scalar: TensorScalar>: Module {
    /// The scale, (size).
    public let weight: Tensor<Scalar>
    /// The shift, (size).
    public let bias: Tensor<Scalar>
    /// Added to the variance inside the square root.
    public let epsilon: Scalar
    public var isTraining = true

    /// `LayerNorm(size:)` is `Float`; write `LayerNorm<Double>(...)` for
    /// another scalar type.
    ///
    /// - Precondition: `size > 0` and `epsilon >= 0`.
    @_disfavoredOverload
    public convenience init(size: Int, epsilon: Scalar = 1e-5) {
        self.init(size, epsilon)
    }

    init(_ size: Int, _ epsilon: Scalar) {
        orTrap { () throws(xLSTMError) in
            try require(size > 0, "size", expected: "a positive size", received: "\(size)")
            try require(epsilon >= 0, "epsilon", expected: "a non-negative value", received: "\(epsilon)")
        }
        weight = .ones([size], requiresGrad: true)
        bias = .zeros([size], requiresGrad: true)
        self.epsilon = epsilon
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] { [("weight", weight), ("bias", bias)] }

    /// Normalizes each vector along the last axis, then scales and shifts it.
    ///
    /// - Parameter input: (..., size).
    /// - Returns: the same shape.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        orTrap { () throws(xLSTMError) in
            try require(
                input.shape.last == weight.count, "input", expected: "last extent \(weight.count)",
                received: "shape \(shapeText(input.shape))")
        }
        let centered = input - input.mean(alongAxis: -1, keepingAxis: true)
        let variance = centered.squared().mean(alongAxis: -1, keepingAxis: true)
        return centered / (variance + epsilon).squareRoot() * weight + bias
    }
}

extension LayerNorm where Scalar == Float {
    /// A `Float` norm: `LayerNorm(size: 64)` needs no type.
    public convenience init(size: Int, epsilon: Float = 1e-5) {
        self.init(size, epsilon)
    }
}
