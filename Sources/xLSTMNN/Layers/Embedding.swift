import xLSTMTensor

/// A lookup table of learned vectors, as `torch.nn.Embedding`.
///
/// Parameter: `weight` (count, dimension), initialized from N(0, 1) (PyTorch's default).
public final class Embedding<Scalar: TensorScalar>: Module {
    /// One row per token, (count, dimension).
    public let weight: Tensor<Scalar>
    public var isTraining = true

    /// `Embedding(count:dimension:)` is `Float`; write `Embedding<Double>(...)`
    /// for another scalar type.
    ///
    /// - Precondition: both sizes are positive.
    @_disfavoredOverload
    public convenience init(count: Int, dimension: Int) {
        self.init(count, dimension)
    }

    init(_ count: Int, _ dimension: Int) {
        orTrap { () throws(xLSTMError) in
            try require(count > 0, "count", expected: "a positive count", received: "\(count)")
            try require(dimension > 0, "dimension", expected: "a positive size", received: "\(dimension)")
        }
        weight = .randomNormal([count, dimension], requiresGrad: true)
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] { [("weight", weight)] }

    /// Looks up one vector per index.
    ///
    /// - Parameters:
    ///   - indices: row-major indices, each in `0..<count`.
    ///   - shape: the shape of the index array (its element count must match).
    /// - Returns: `shape + [dimension]`.
    public func callAsFunction(_ indices: [Int], shape: [Int]) -> Tensor<Scalar> {
        weight.gatherRows(indices, shape: shape)
    }
}

extension Embedding where Scalar == Float {
    /// A `Float` table: `Embedding(count: 256, dimension: 64)` needs no type.
    public convenience init(count: Int, dimension: Int) {
        self.init(count, dimension)
    }
}
