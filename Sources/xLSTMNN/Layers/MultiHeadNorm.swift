import xLSTMTensor

/// Normalizes each head's slice of the last axis on its own (the group norm
/// of the xLSTM blocks), then applies one scale (and optionally a shift) over
/// the whole axis.
///
/// For input (..., K * d): each of the K slices of d values is normalized,
/// by layer norm (zero mean, unit variance) or RMS norm (unit root mean
/// square), then `y = normalized * weight (+ bias)` with `weight` (K * d).
public final class MultiHeadNorm<Scalar: TensorScalar>: Module {
    /// Which normalization each head gets.
    public enum Kind: String, Sendable, Codable {
        /// Subtract the mean, divide by sqrt(variance + epsilon).
        case layer
        /// Divide by sqrt(mean square + epsilon).
        case rms
    }

    /// The scale, (K * d), starting at 1.
    public let weight: Tensor<Scalar>
    /// The shift, (K * d), starting at 0, or nil.
    public let bias: Tensor<Scalar>?
    /// The number of heads K.
    public let heads: Int
    /// The normalization of each head.
    public let kind: Kind
    /// Added to the variance (or mean square) inside the square root.
    public let epsilon: Scalar
    public var isTraining = true

    /// A norm over `heads` heads of `headSize` values each.
    ///
    /// - Precondition: positive sizes, `epsilon >= 0`.
    public init(heads: Int, headSize: Int, kind: Kind, epsilon: Scalar = 1e-6, bias: Bool = false) {
        orTrap { () throws(xLSTMError) in
            try require(heads > 0, "heads", expected: "a positive count", received: "\(heads)")
            try require(headSize > 0, "headSize", expected: "a positive size", received: "\(headSize)")
            try require(epsilon >= 0, "epsilon", expected: "a non-negative value", received: "\(epsilon)")
        }
        weight = .ones([heads * headSize], requiresGrad: true)
        self.bias = bias ? .zeros([heads * headSize], requiresGrad: true) : nil
        self.heads = heads
        self.kind = kind
        self.epsilon = epsilon
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Normalizes each head, then scales.
    ///
    /// - Parameter input: (..., K * d).
    /// - Returns: the same shape.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        orTrap { () throws(xLSTMError) in
            try require(
                input.shape.last == weight.count, "input", expected: "last extent \(weight.count) (heads x head size)",
                received: "shape \(shapeText(input.shape))")
        }
        let split = input.reshaped(Array(input.shape.dropLast()) + [heads, weight.count / heads])
        let centered = kind == .layer ? split - split.mean(alongAxis: -1, keepingAxis: true) : split
        let normalized = centered / (centered.squared().mean(alongAxis: -1, keepingAxis: true) + epsilon).squareRoot()
        let scaled = normalized.reshaped(input.shape) * weight
        return bias.map { scaled + $0 } ?? scaled
    }
}
