/// A dense, contiguous, row-major tensor of `Float` or `Double`, and a node of
/// the reverse-mode gradient engine.
///
/// `Tensor` is a reference type, like `torch.Tensor`: a parameter handed to an
/// optimizer is the same object the model reads, and `grad` accumulates on it.
/// Operations never mutate their operands; they return new tensors and, when
/// gradients are being recorded (see ``withoutGradients(_:)``) and an operand
/// requires them, remember how to send gradients back.
public final class Tensor<Scalar: TensorScalar> {
    /// The extent of each dimension; `[]` for a scalar tensor.
    public let shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.product`.
    public package(set) var scalars: [Scalar]
    /// Whether `backward()` computes a gradient for this tensor. Set it on
    /// leaves (parameters, inputs); results of operations inherit it.
    public var requiresGrad: Bool
    /// The accumulated gradient, same shape as `self`; `nil` until a backward
    /// pass reaches this leaf.
    public package(set) var grad: Tensor<Scalar>?
    /// The operation that produced this tensor and which of its outputs it is;
    /// `nil` for leaves and for results computed without gradients.
    var producer: (node: GradientNode<Scalar>, output: Int)?

    /// Creates a tensor from row-major scalars.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`, and no
    ///   extent is negative.
    public init(shape: [Int], scalars: [Scalar], requiresGrad: Bool = false) {
        orTrap { () throws(xLSTMError) in
            try require(
                shape.allSatisfy { $0 >= 0 }, "shape",
                expected: "non-negative extents", received: shapeText(shape))
            try require(
                scalars.count == shape.elementCount, "scalars",
                expected: "\(shape.elementCount) elements for shape \(shapeText(shape))",
                received: "\(scalars.count)")
        }
        self.shape = shape
        self.scalars = scalars
        self.requiresGrad = requiresGrad
    }

    /// A one-dimensional tensor holding `scalars`.
    public convenience init(_ scalars: [Scalar], requiresGrad: Bool = false) {
        self.init(shape: [scalars.count], scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(scalar: Scalar, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// A two-dimensional tensor from equally long rows.
    ///
    /// - Precondition: every row has the length of the first.
    public convenience init(rows: [[Scalar]], requiresGrad: Bool = false) {
        let width = rows.first?.count ?? 0
        for (index, row) in rows.enumerated() where row.count != width {
            preconditionFailure(
                xLSTMError(
                    argument: "rows[\(index)]", expected: "\(width) elements",
                    received: "\(row.count)"
                ).description)
        }
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 }, requiresGrad: requiresGrad)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The only element of a one-element tensor.
    ///
    /// - Precondition: the tensor has exactly one element.
    public var scalar: Scalar {
        precondition(
            scalars.count == 1,
            xLSTMError(argument: "tensor", expected: "one element", received: "shape \(shapeText(shape))")
                .description)
        return scalars[0]
    }

    /// A new leaf holding the same values, outside any recorded graph.
    public func detached() -> Tensor {
        Tensor(shape: shape, scalars: scalars)
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() {
        grad = nil
    }
}

extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ value: Scalar, shape: [Int], requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, scalars: Array(repeating: value, count: shape.elementCount), requiresGrad: requiresGrad)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(0, shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(1, shape: shape, requiresGrad: requiresGrad)
    }

    /// Samples uniformly from `[low, high)` with the library's default
    /// generator (see ``Random``).
    public static func randomUniform(
        _ shape: [Int], low: Scalar = 0, high: Scalar = 1, requiresGrad: Bool = false
    ) -> Tensor {
        Random.withGenerator { generator in
            randomUniform(shape, low: low, high: high, requiresGrad: requiresGrad, using: &generator)
        }
    }

    /// Samples uniformly from `[low, high)` with `generator`.
    public static func randomUniform(
        _ shape: [Int], low: Scalar = 0, high: Scalar = 1, requiresGrad: Bool = false,
        using generator: inout some RandomNumberGenerator
    ) -> Tensor {
        let scalars = (0..<shape.elementCount).map { _ in
            low + (high - low) * Scalar(Double.random(in: 0..<1, using: &generator))
        }
        return Tensor(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// Samples from a normal distribution with the library's default generator.
    public static func randomNormal(
        _ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, requiresGrad: Bool = false
    ) -> Tensor {
        Random.withGenerator { generator in
            randomNormal(
                shape, mean: mean, standardDeviation: standardDeviation, requiresGrad: requiresGrad,
                using: &generator)
        }
    }

    /// Samples from a normal distribution (Box-Muller) with `generator`.
    public static func randomNormal(
        _ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, requiresGrad: Bool = false,
        using generator: inout some RandomNumberGenerator
    ) -> Tensor {
        let scalars = (0..<shape.elementCount).map { _ in
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let standard = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
            return mean + standardDeviation * Scalar(standard)
        }
        return Tensor(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }
}

extension Tensor: CustomStringConvertible {
    /// `Tensor<Float> [2, 3]` followed by nested brackets of values; long
    /// dimensions show their first and last three entries.
    public var description: String {
        "Tensor<\(Scalar.self)> \(shapeText(shape))\n" + render(dimension: 0, offset: 0)
    }

    private func render(dimension: Int, offset: Int) -> String {
        if dimension == rank { return "\(scalars[offset])" }
        let extent = shape[dimension]
        let stride = shape[(dimension + 1)...].elementCount
        let shown: [Int?] =
            extent <= 6 ? Array(0..<extent) : [0, 1, 2, nil, extent - 3, extent - 2, extent - 1]
        let parts = shown.map { index in
            index.map { render(dimension: dimension + 1, offset: offset + $0 * stride) } ?? "..."
        }
        let separator = dimension == rank - 1 ? ", " : ",\n" + String(repeating: " ", count: dimension + 1)
        return "[" + parts.joined(separator: separator) + "]"
    }
}

extension Collection where Element == Int {
    /// The number of elements of a tensor with this shape.
    package var elementCount: Int { reduce(1, *) }
}
