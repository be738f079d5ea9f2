/// Elementwise arithmetic. Between two tensors the shapes broadcast by
/// NumPy's rule (see `broadcastShape`); anything else stops with an error
/// naming both shapes. Gradients of a repeated operand are summed back to its
/// own shape.
extension Tensor {
    /// Applies `operation` elementwise with broadcasting. Always inlined, so
    /// that both passes switch on `operation` outside their loops and each
    /// loop is straight-line code the compiler can vectorize (a stored
    /// closure would cost an indirect call per element).
    @inline(__always)
    static func broadcasting(_ a: Tensor, _ b: Tensor, _ operation: BinaryOperation) -> Tensor {
        let shape = orTrap { () throws(xLSTMError) in try broadcastShape(a.shape, b.shape) }
        let stridesA = broadcastStrides(a.shape, to: shape)
        let stridesB = broadcastStrides(b.shape, to: shape)
        let out = broadcastLoop(a.scalars, b.scalars, shape, stridesA, stridesB, operation)
        let result = Tensor(validatedShape: shape, scalars: out)
        recordOperation(outputs: [result], inputs: [a, b]) { grads in
            guard let upstream = grads[0] else { return [nil, nil] }
            // Only operands that take part in the graph get a gradient; a
            // repeated operand's gradient sums over its repeats.
            let (needA, needB) = (a.requiresGrad, b.requiresGrad)
            if a.shape == b.shape {
                let (gradA, gradB) = operation.sameShapeGradients(a.scalars, b.scalars, upstream.scalars, needA: needA, needB: needB)
                return [
                    gradA.map { Tensor(validatedShape: a.shape, scalars: $0) }, gradB.map { Tensor(validatedShape: b.shape, scalars: $0) },
                ]
            }
            var gradA = [Scalar](repeating: 0, count: needA ? a.count : 0)
            var gradB = [Scalar](repeating: 0, count: needB ? b.count : 0)
            let (x, y, g) = (a.scalars, b.scalars, upstream.scalars)
            switch operation {
            case .sum:
                accumulate(x, y, g, &gradA, &gradB, shape, stridesA, stridesB, { _, _ in 1 }, { _, _ in 1 })
            case .difference:
                accumulate(x, y, g, &gradA, &gradB, shape, stridesA, stridesB, { _, _ in 1 }, { _, _ in -1 })
            case .product:
                accumulate(x, y, g, &gradA, &gradB, shape, stridesA, stridesB, { _, y in y }, { x, _ in x })
            case .quotient:
                accumulate(x, y, g, &gradA, &gradB, shape, stridesA, stridesB, { _, y in 1 / y }, { x, y in -x / (y * y) })
            case .maximum:
                accumulate(x, y, g, &gradA, &gradB, shape, stridesA, stridesB, { x, y in x >= y ? 1 : 0 }, { x, y in x >= y ? 0 : 1 })
            }
            return [
                needA ? Tensor(validatedShape: a.shape, scalars: gradA) : nil,
                needB ? Tensor(validatedShape: b.shape, scalars: gradB) : nil,
            ]
        }
        return result
    }

    /// `operation` on the operands read with `stridesA` and `stridesB` over
    /// `shape`, one run at a time (along which each operand steps by 1 or
    /// repeats, step 0, so the loops read straight memory), the runs split
    /// over the workers for large results.
    @inline(__always)
    static func broadcastLoop(
        _ x: [Scalar], _ y: [Scalar], _ shape: [Int], _ stridesA: [Int], _ stridesB: [Int], _ operation: BinaryOperation
    ) -> [Scalar] {
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                [Scalar].fresh(count: shape.elementCount) { out in
                    let buffers = BroadcastBuffers(out: out.baseAddress, x: x.baseAddress, y: y.baseAddress)
                    forEachBroadcastRunConcurrently(shape, stridesA, stridesB) { start, offsetA, offsetB, count, stepA, stepB in
                        operation.run(buffers.out! + start, buffers.x! + offsetA, buffers.y! + offsetB, count, stepA, stepB)
                    }
                }
            }
        }
    }

    /// Adds `g * partialA(x, y)` into `gradA` and `g * partialB(x, y)` into
    /// `gradB` (each skipped when empty: that operand needs no gradient),
    /// summing over the elements a repeated operand stands for.
    @inline(__always)
    static func accumulate(
        _ x: [Scalar], _ y: [Scalar], _ g: [Scalar], _ gradA: inout [Scalar], _ gradB: inout [Scalar], _ shape: [Int],
        _ stridesA: [Int], _ stridesB: [Int], _ partialA: (Scalar, Scalar) -> Scalar, _ partialB: (Scalar, Scalar) -> Scalar
    ) {
        let (needA, needB) = (!gradA.isEmpty, !gradB.isEmpty)
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                g.withUnsafeBufferPointer { g in
                    gradA.withUnsafeMutableBufferPointer { gradA in
                        gradB.withUnsafeMutableBufferPointer { gradB in
                            forEachBroadcastRun(shape, stridesA, stridesB) { start, offsetA, offsetB, count, stepA, stepB in
                                let (g, x, y) = (g.baseAddress! + start, x.baseAddress! + offsetA, y.baseAddress! + offsetB)
                                if needA {
                                    let ga = gradA.baseAddress! + offsetA
                                    if stepA == 0 {
                                        var total: Scalar = 0
                                        for i in 0..<count { total += g[i] * partialA(x[0], y[i * stepB]) }
                                        ga[0] += total
                                    } else {
                                        for i in 0..<count { ga[i * stepA] += g[i] * partialA(x[i * stepA], y[i * stepB]) }
                                    }
                                }
                                if needB {
                                    let gb = gradB.baseAddress! + offsetB
                                    if stepB == 0 {
                                        var total: Scalar = 0
                                        for i in 0..<count { total += g[i] * partialB(x[i * stepA], y[0]) }
                                        gb[0] += total
                                    } else {
                                        for i in 0..<count { gb[i * stepB] += g[i] * partialB(x[i * stepA], y[i * stepB]) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Applies `function` to every element (for Float, `vectorized` instead,
    /// when given: the same function in SIMD, split over the workers for
    /// large tensors); `derivative(x, y)` is its derivative at input `x` with
    /// output `y`, applied over the workers (``ElementwiseLoops``).
    /// Always inlined, for the same reason as `broadcasting`.
    @inline(__always)
    func elementwise(
        _ function: (Scalar) -> Scalar, vectorized: VectorizedFunction? = nil,
        derivative: @escaping @Sendable (Scalar, Scalar) -> Scalar
    ) -> Tensor {
        let inputs = scalars
        let outputs = ElementwiseLoops.map(inputs, vectorized: vectorized, function)
        let result = Tensor(validatedShape: shape, scalars: outputs)
        // The backward captures arrays, not `result`: the result holds the
        // node, so capturing it would form a reference cycle.
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0] else { return [nil] }
            var grad = upstream.scalars
            ElementwiseLoops.update(&grad, inputs, outputs) { g, x, y in g * derivative(x, y) }
            return [Tensor(validatedShape: self.shape, scalars: grad)]
        }
        return result
    }

    /// Elementwise sum, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, .sum)
    }

    /// Elementwise difference, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, .difference)
    }

    /// Elementwise product, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, .product)
    }

    /// Elementwise quotient, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, .quotient)
    }

    /// Elementwise maximum, broadcasting, as `torch.maximum`; where the two
    /// are equal the gradient goes to `a`. A NaN in either gives NaN.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcasting(a, b, .maximum)
    }

    /// Adds a scalar to every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Tensor, b: Scalar) -> Tensor {
        a.elementwise({ $0 + b }, vectorized: .shift(Float(b)), derivative: { _, _ in 1 })
    }

    /// Adds a scalar to every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Scalar, b: Tensor) -> Tensor { b + a }

    /// Subtracts a scalar from every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (a: Tensor, b: Scalar) -> Tensor { a + (-b) }

    /// Subtracts every element from a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (a: Scalar, b: Tensor) -> Tensor {
        b.elementwise({ a - $0 }, vectorized: .subtractedFrom(Float(a)), derivative: { _, _ in -1 })
    }

    /// Multiplies every element by a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Tensor, b: Scalar) -> Tensor {
        a.elementwise({ $0 * b }, vectorized: .scale(Float(b)), derivative: { _, _ in b })
    }

    /// Multiplies every element by a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Scalar, b: Tensor) -> Tensor { b * a }

    /// Divides every element by a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (a: Tensor, b: Scalar) -> Tensor { a * (1 / b) }

    /// Negates every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// Elementwise square.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squared() -> Tensor {
        elementwise({ $0 * $0 }, vectorized: .square, derivative: { x, _ in 2 * x })
    }

    /// Elementwise square root.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squareRoot() -> Tensor {
        elementwise({ $0.squareRoot() }, derivative: { _, y in 1 / (2 * y) })
    }
}

/// A broadcasting binary operation: its value and its derivatives.
enum BinaryOperation {
    /// a + b: (1, 1).
    case sum
    /// a - b: (1, -1).
    case difference
    /// a * b: (b, a).
    case product
    /// a / b: (1 / b, -a / b²).
    case quotient
    /// max(a, b), NaN when either is NaN: the gradient goes to the larger
    /// operand (to a on a tie).
    case maximum

    /// Writes the operation on `x[i * stepA]` and `y[i * stepB]` to `out[i]`
    /// for `i` in `0..<count`. The switch sits outside the loops, so that each
    /// loop is straight-line code the compiler vectorizes (a stored closure
    /// would cost an indirect call per element).
    @inline(__always)
    func run<Scalar: TensorScalar>(
        _ out: UnsafeMutablePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>,
        _ count: Int, _ stepA: Int, _ stepB: Int
    ) {
        switch self {
        case .sum: combineRun(out, x, y, count, stepA, stepB) { $0 + $1 }
        case .difference: combineRun(out, x, y, count, stepA, stepB) { $0 - $1 }
        case .product: combineRun(out, x, y, count, stepA, stepB) { $0 * $1 }
        case .quotient: combineRun(out, x, y, count, stepA, stepB) { $0 / $1 }
        case .maximum: combineRun(out, x, y, count, stepA, stepB) { x, y in x.isNaN || y.isNaN ? .nan : Swift.max(x, y) }
        }
    }
}

extension BinaryOperation {
    /// The gradients of both operands when neither repeats: `g` times each
    /// partial derivative, elementwise, split over the workers (nil for an
    /// operand that needs none). A sum hands `g` itself on (arrays share
    /// their storage until written).
    func sameShapeGradients<Scalar: TensorScalar>(
        _ x: [Scalar], _ y: [Scalar], _ g: [Scalar], needA: Bool, needB: Bool
    ) -> ([Scalar]?, [Scalar]?) {
        let formulas: (a: GradientFormula?, b: GradientFormula?) =
            switch self {
            case .sum: (nil, nil)
            case .difference: (nil, .negated)
            case .product: (.timesSecond, .timesFirst)
            case .quotient: (.overSecond, .quotientBySecond)
            case .maximum: (.whereFirstIsLarger, .whereSecondIsLarger)
            }
        func gradient(_ formula: GradientFormula?) -> [Scalar] {
            formula.map { ElementwiseLoops.gradient($0, g, x, y) } ?? g
        }
        return (needA ? gradient(formulas.a) : nil, needB ? gradient(formulas.b) : nil)
    }
}

/// One run of a broadcast loop, with a loop per way the operands step.
@inline(__always)
private func combineRun<Scalar: TensorScalar>(
    _ out: UnsafeMutablePointer<Scalar>, _ x: UnsafePointer<Scalar>, _ y: UnsafePointer<Scalar>,
    _ count: Int, _ stepA: Int, _ stepB: Int, _ combine: (Scalar, Scalar) -> Scalar
) {
    switch (stepA, stepB) {
    case (1, 1): for i in 0..<count { (out + i).initialize(to: combine(x[i], y[i])) }
    case (1, 0): let v = y[0]; for i in 0..<count { (out + i).initialize(to: combine(x[i], v)) }
    case (0, 1): let u = x[0]; for i in 0..<count { (out + i).initialize(to: combine(u, y[i])) }
    default: for i in 0..<count { (out + i).initialize(to: combine(x[i * stepA], y[i * stepB])) }
    }
}

/// The buffers of a broadcast loop, shared with its workers. @unchecked: the
/// workers read `x` and `y` and write disjoint runs of `out`.
private struct BroadcastBuffers<Scalar>: @unchecked Sendable {
    let out: UnsafeMutablePointer<Scalar>?
    let x: UnsafePointer<Scalar>?
    let y: UnsafePointer<Scalar>?
}
