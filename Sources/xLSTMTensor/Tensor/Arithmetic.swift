/// Elementwise arithmetic. Between two tensors the shapes broadcast by
/// NumPy's rule (see `broadcastShape`); anything else stops with an error
/// naming both shapes. Gradients of a repeated operand are summed back to its
/// own shape.
extension Tensor {
    /// Applies `combine` elementwise with broadcasting. `partials` gives the
    /// derivatives of `combine` with respect to each operand at `(a, b)`.
    /// Always inlined, so that each operator's `combine` and `partials`
    /// become straight-line code in a loop the compiler can vectorize.
    @inline(__always)
    static func broadcasting(
        _ a: Tensor, _ b: Tensor,
        _ combine: (Scalar, Scalar) -> Scalar,
        partials: @escaping (Scalar, Scalar) -> (Scalar, Scalar)
    ) -> Tensor {
        let shape = orTrap { () throws(xLSTMError) in try broadcastShape(a.shape, b.shape) }
        let stridesA = broadcastStrides(a.shape, to: shape)
        let stridesB = broadcastStrides(b.shape, to: shape)
        var out = [Scalar](repeating: 0, count: shape.elementCount)
        if a.shape == b.shape {
            let (x, y) = (a.scalars, b.scalars)
            for index in out.indices { out[index] = combine(x[index], y[index]) }
        } else {
            a.scalars.withUnsafeBufferPointer { x in
                b.scalars.withUnsafeBufferPointer { y in
                    out.withUnsafeMutableBufferPointer { out in
                        forEachBroadcastOffset(shape, stridesA, stridesB) { index, offsetA, offsetB in
                            out[index] = combine(x[offsetA], y[offsetB])
                        }
                    }
                }
            }
        }
        let result = Tensor(validatedShape: shape, scalars: out)
        recordOperation(outputs: [result], inputs: [a, b]) { grads in
            guard let upstream = grads[0] else { return [nil, nil] }
            // Only operands that take part in the graph get a gradient.
            let (needA, needB) = (a.requiresGrad, b.requiresGrad)
            var gradA = [Scalar](repeating: 0, count: needA ? a.count : 0)
            var gradB = [Scalar](repeating: 0, count: needB ? b.count : 0)
            let (x, y, g) = (a.scalars, b.scalars, upstream.scalars)
            if a.shape == b.shape {
                if needA { for index in g.indices { gradA[index] = g[index] * partials(x[index], y[index]).0 } }
                if needB { for index in g.indices { gradB[index] = g[index] * partials(x[index], y[index]).1 } }
            } else {
                forEachBroadcastOffset(shape, stridesA, stridesB) { index, offsetA, offsetB in
                    let (partialA, partialB) = partials(x[offsetA], y[offsetB])
                    if needA { gradA[offsetA] += g[index] * partialA }
                    if needB { gradB[offsetB] += g[index] * partialB }
                }
            }
            return [
                needA ? Tensor(validatedShape: a.shape, scalars: gradA) : nil,
                needB ? Tensor(validatedShape: b.shape, scalars: gradB) : nil,
            ]
        }
        return result
    }

    /// Applies `function` to every element; `derivative(x, y)` is its
    /// derivative at input `x` with output `y`.
    /// Always inlined, for the same reason as `broadcasting`.
    @inline(__always)
    func elementwise(
        _ function: (Scalar) -> Scalar, derivative: @escaping (Scalar, Scalar) -> Scalar
    ) -> Tensor {
        let inputs = scalars
        let outputs = inputs.map(function)
        let result = Tensor(validatedShape: shape, scalars: outputs)
        // The backward captures arrays, not `result`: the result holds the
        // node, so capturing it would form a reference cycle.
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0] else { return [nil] }
            var grad = upstream.scalars
            for index in grad.indices {
                grad[index] *= derivative(inputs[index], outputs[index])
            }
            return [Tensor(validatedShape: self.shape, scalars: grad)]
        }
        return result
    }

    /// Elementwise sum, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, +) { _, _ in (1, 1) }
    }

    /// Elementwise difference, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, -) { _, _ in (1, -1) }
    }

    /// Elementwise product, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, *) { x, y in (y, x) }
    }

    /// Elementwise quotient, broadcasting.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, /) { x, y in (1 / y, -x / (y * y)) }
    }

    /// Elementwise maximum, broadcasting, as `torch.maximum`; where the two
    /// are equal the gradient goes to `a`. A NaN in either gives NaN.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        broadcasting(a, b, { x, y in x.isNaN || y.isNaN ? .nan : Swift.max(x, y) }) { x, y in x >= y ? (1, 0) : (0, 1) }
    }

    /// Adds a scalar to every element.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func + (a: Tensor, b: Scalar) -> Tensor {
        a.elementwise({ $0 + b }, derivative: { _, _ in 1 })
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
        b.elementwise({ a - $0 }, derivative: { _, _ in -1 })
    }

    /// Multiplies every element by a scalar.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func * (a: Tensor, b: Scalar) -> Tensor {
        a.elementwise({ $0 * b }, derivative: { _, _ in b })
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
        elementwise({ $0 * $0 }, derivative: { x, _ in 2 * x })
    }

    /// Elementwise square root.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func squareRoot() -> Tensor {
        elementwise({ $0.squareRoot() }, derivative: { _, y in 1 / (2 * y) })
    }
}
