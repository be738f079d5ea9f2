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
    /// Set them with ``assign(_:)-(Tensor<Scalar>)`` or the subscript.
    public package(set) var scalars: [Scalar] {
        // Every change of the values counts, so that a backward pass can tell
        // that a tensor it saved was changed after the forward (see `version`).
        didSet { version &+= 1 }
    }
    /// Whether `backward()` computes a gradient for this tensor. Set it on
    /// leaves (parameters, inputs); results of operations inherit it.
    public var requiresGrad: Bool
    /// The accumulated gradient, same shape as `self`; `nil` until a backward
    /// pass reaches this leaf.
    public package(set) var grad: Tensor<Scalar>?
    /// How many times the values have changed (an assignment, an optimizer
    /// step), as PyTorch's `_version`. The gradient engine records it when an
    /// operation reads this tensor, and `backward()` stops with an error when
    /// it has moved since: the gradient would be computed from values the
    /// forward pass never saw.
    public private(set) var version = 0
    /// The operation that produced this tensor and which of its outputs it is;
    /// `nil` for leaves and for results computed without gradients.
    package var producer: (node: GradientNode<Scalar>, output: Int)?

    /// A tensor whose element count the caller has already matched to `shape`
    /// (the library's own results).
    package init(validatedShape shape: [Int], scalars: [Scalar], requiresGrad: Bool = false) {
        self.shape = shape
        self.scalars = scalars
        self.requiresGrad = requiresGrad
    }

    /// Creates a tensor of any rank from row-major scalars.
    ///
    ///     let x = try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    ///
    /// - Throws: ``xLSTMError`` when an extent is negative or `scalars.count`
    ///   is not the product of `shape`.
    public convenience init(shape: [Int], scalars: [Scalar], requiresGrad: Bool = false) throws(xLSTMError) {
        try require(
            shape.allSatisfy { $0 >= 0 }, "shape", expected: "non-negative extents", received: shapeText(shape))
        try require(
            scalars.count == shape.elementCount, "scalars",
            expected: "\(shape.elementCount) elements for shape \(shapeText(shape))", received: "\(scalars.count)")
        self.init(validatedShape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A one-dimensional tensor holding `scalars`.
    public convenience init(_ scalars: [Scalar], requiresGrad: Bool = false) {
        self.init(validatedShape: [scalars.count], scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A scalar (rank-0) tensor.
    public convenience init(scalar: Scalar, requiresGrad: Bool = false) {
        self.init(validatedShape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// A two-dimensional tensor (rows.count, width) from equally long rows.
    ///
    /// - Throws: ``xLSTMError`` naming the first row whose length differs from the first row's.
    public convenience init(rows: [[Scalar]], requiresGrad: Bool = false) throws(xLSTMError) {
        let width = rows.first?.count ?? 0
        for (index, row) in rows.enumerated() {
            try require(row.count == width, "rows[\(index)]", expected: "\(width) elements", received: "\(row.count)")
        }
        self.init(validatedShape: [rows.count, width], scalars: rows.flatMap { $0 }, requiresGrad: requiresGrad)
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The only element of a one-element tensor (any rank), as PyTorch's `item()`.
    ///
    /// - Precondition: the tensor has exactly one element.
    public var scalar: Scalar {
        if scalars.count != 1 {
            trap(xLSTMError(argument: "tensor", expected: "one element", received: "shape \(shapeText(shape))"))
        }
        return scalars[0]
    }

    /// The element at `indices`, one index per dimension: `t[i, j]`.
    /// Setting it counts as a change of the values (see ``version``).
    ///
    /// - Precondition: `rank` indices, each in `0..<shape[axis]`.
    public subscript(indices: Int...) -> Scalar {
        get { scalars[offset(of: indices)] }
        set { scalars[offset(of: indices)] = newValue }
    }

    /// The row-major position of `indices`, or a trap naming the bad index.
    private func offset(of indices: [Int]) -> Int {
        orTrap { () throws(xLSTMError) -> Int in
            try require(
                indices.count == rank, "indices", expected: "\(rank) indices for shape \(shapeText(shape))",
                received: "\(indices.count)")
            var offset = 0
            for (axis, index) in indices.enumerated() {
                try require(
                    index >= 0 && index < shape[axis], "indices[\(axis)]",
                    expected: "an index in 0..<\(shape[axis]) for shape \(shapeText(shape))", received: "\(index)")
                offset = offset * shape[axis] + index
            }
            return offset
        }
    }

    /// Replaces the values with `values` (row-major), keeping the shape.
    ///
    /// - Throws: ``xLSTMError`` when `values.count != count`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func assign(_ values: [Scalar]) throws(xLSTMError) {
        try require(
            values.count == count, "values", expected: "\(count) elements for shape \(shapeText(shape))",
            received: "\(values.count)")
        scalars = values
    }

    /// Copies the values of `other`, which must have this tensor's shape, as
    /// PyTorch's `copy_` (without broadcasting).
    ///
    /// - Throws: ``xLSTMError`` when the shapes differ.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func assign(_ other: Tensor) throws(xLSTMError) {
        try require(
            other.shape == shape, "values", expected: "shape \(shapeText(shape))",
            received: "shape \(shapeText(other.shape))")
        scalars = other.scalars
    }

    /// A new leaf holding the same values, outside any recorded graph.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func detached() -> Tensor {
        Tensor(validatedShape: shape, scalars: scalars)
    }

    /// Clears the accumulated gradient.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func zeroGrad() {
        grad = nil
    }
}

extension Tensor {
    /// A tensor of `shape` filled with `value`.
    ///
    /// - Precondition: no extent is negative (likewise for every factory below).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func full(_ value: Scalar, shape: [Int], requiresGrad: Bool = false) -> Tensor {
        requireExtents(shape)
        var scalars: [Scalar] = uninitializedArray(count: shape.elementCount)
        scalars.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
        return Tensor(validatedShape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A tensor of zeros.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(0, shape: shape, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(1, shape: shape, requiresGrad: requiresGrad)
    }

    /// Samples uniformly from `[low, high)` with the library's default
    /// generator (see ``Random``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func randomUniform(
        _ shape: [Int], low: Scalar = 0, high: Scalar = 1, requiresGrad: Bool = false
    ) -> Tensor {
        Random.withGenerator { generator in
            randomUniform(shape, low: low, high: high, requiresGrad: requiresGrad, using: &generator)
        }
    }

    /// Samples uniformly from `[low, high)` with `generator`.
    // Specialized for the library's generator: unspecialized generic code,
    // which another module's call would otherwise run, took 0.6 µs per element.
    @_specialize(where Scalar == Float, Generator == Xoshiro256)
    @_specialize(where Scalar == Double, Generator == Xoshiro256)
    public static func randomUniform<Generator: RandomNumberGenerator>(
        _ shape: [Int], low: Scalar = 0, high: Scalar = 1, requiresGrad: Bool = false,
        using generator: inout Generator
    ) -> Tensor {
        requireExtents(shape)
        let scalars = (0..<shape.elementCount).map { _ in
            low + (high - low) * Scalar(Double.random(in: 0..<1, using: &generator))
        }
        return Tensor(validatedShape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// Samples from a normal distribution with the library's default generator.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
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
    @_specialize(where Scalar == Float, Generator == Xoshiro256)
    @_specialize(where Scalar == Double, Generator == Xoshiro256)
    public static func randomNormal<Generator: RandomNumberGenerator>(
        _ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, requiresGrad: Bool = false,
        using generator: inout Generator
    ) -> Tensor {
        requireExtents(shape)
        let scalars = (0..<shape.elementCount).map { _ in
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let standard = (-2 * Double.log(u1)).squareRoot() * Double.cos(2 * Double.pi * u2)
            return mean + standardDeviation * Scalar(standard)
        }
        return Tensor(validatedShape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }
}

/// Stops with a message naming `shape` when an extent is negative.
private func requireExtents(_ shape: [Int]) {
    orTrap { () throws(xLSTMError) in
        try require(shape.allSatisfy { $0 >= 0 }, "shape", expected: "non-negative extents", received: shapeText(shape))
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
