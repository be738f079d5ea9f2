import xLSTMTensor

/// Zeroes each element with probability `probability` in training mode and
/// scales the survivors by `1 / (1 - probability)`; the identity in
/// evaluation mode. Masks come from the library's default generator
/// (`Random`), so `Random.seed(_:)` makes them reproducible.
public final class Dropout<Scalar: TensorScalar>: Module {
    /// The probability of zeroing an element, in [0, 1).
    public let probability: Double
    public var isTraining = true

    /// `Dropout(probability:)` is `Float`; write `Dropout<Double>(...)` for
    /// another scalar type.
    ///
    /// - Precondition: `0 <= probability < 1`.
    @_disfavoredOverload
    public convenience init(probability: Double) {
        self.init(probability)
    }

    init(_ probability: Double) {
        orTrap { () throws(xLSTMError) in try validateDropout(probability, argument: "probability") }
        self.probability = probability
    }

    /// Applies dropout in training mode; the identity in evaluation mode.
    ///
    /// - Parameter input: any shape.
    /// - Returns: a tensor of the input's shape.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        dropout(input, probability: probability, training: isTraining)
    }
}

extension Dropout where Scalar == Float {
    /// A `Float` dropout: `Dropout(probability: 0.1)` needs no type.
    public convenience init(probability: Double) {
        self.init(probability)
    }
}

/// Checks a dropout probability: `0 <= p < 1`.
package func validateDropout(_ probability: Double, argument: String) throws(xLSTMError) {
    try require(
        probability >= 0 && probability < 1, argument, expected: "a probability in [0, 1)",
        received: "\(probability)")
}

/// Inverted dropout of `input`; the input itself when not training or `p == 0`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
package func dropout<Scalar>(_ input: Tensor<Scalar>, probability: Double, training: Bool) -> Tensor<Scalar> {
    guard training, probability > 0 else { return input }
    let keep = Scalar(1 / (1 - probability))
    let mask = Random.withGenerator { generator in
        (0..<input.count).map { _ in Double.random(in: 0..<1, using: &generator) < probability ? 0 : keep }
    }
    return input * Tensor(validatedShape: input.shape, scalars: mask)
}
