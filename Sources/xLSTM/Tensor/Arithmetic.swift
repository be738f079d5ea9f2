/// Elementwise arithmetic. Between two tensors the shapes broadcast by
/// NumPy's rule (see `broadcastShape`); anything else stops with an error
/// naming both shapes. Gradients of a repeated operand are summed back to its
/// own shape.
extension Tensor {
    /// Applies `combine` elementwise with broadcasting. `partials` gives the
    /// derivatives of `combine` with respect to each operand at `(a, b)`.
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
            for index in out.indices { out[index] = combine(a.scalars[index], b.scalars[index]) }
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
        let result = Tensor(shape: shape, scalars: out)
        recordOperation(outputs: [result], inputs: [a, b]) { grads in
            guard let upstream = grads[0] else { return [nil, nil] }
            var gradA = [Scalar](repeating: 0, count: a.count)
            var gradB = [Scalar](repeating: 0, count: b.count)
            forEachBroadcastOffset(shape, stridesA, stridesB) { index, offsetA, offsetB in
                let (partialA, partialB) = partials(a.scalars[offsetA], b.scalars[offsetB])
                gradA[offsetA] += upstream.scalars[index] * partialA
                gradB[offsetB] += upstream.scalars[index] * partialB
            }
            return [Tensor(shape: a.shape, scalars: gradA), Tensor(shape: b.shape, scalars: gradB)]
        }
        return result
    }

    /// Applies `function` to every element; `derivative(x, y)` is its
    /// derivative at input `x` with output `y`.
    func elementwise(
        _ function: (Scalar) -> Scalar, derivative: @escaping (Scalar, Scalar) -> Scalar
    ) -> Tensor {
        let inputs = scalars
        let outputs = inputs.map(function)
        let result = Tensor(shape: shape, scalars: outputs)
        // The backward captures arrays, not `result`: the result holds the
        // node, so capturing it would form a reference cycle.
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0] else { return [nil] }
            var grad = upstream.scalars
            for index in grad.indices {
                grad[index] *= derivative(inputs[index], outputs[index])
            }
            return [Tensor(shape: self.shape, scalars: grad)]
        }
        return result
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, +) { _, _ in (1, 1) }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, -) { _, _ in (1, -1) }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, *) { x, y in (y, x) }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        broadcasting(a, b, /) { x, y in (1 / y, -x / (y * y)) }
    }

    public static func + (a: Tensor, b: Scalar) -> Tensor {
        a.elementwise({ $0 + b }, derivative: { _, _ in 1 })
    }

    public static func + (a: Scalar, b: Tensor) -> Tensor { b + a }

    public static func - (a: Tensor, b: Scalar) -> Tensor { a + (-b) }

    public static func - (a: Scalar, b: Tensor) -> Tensor {
        b.elementwise({ a - $0 }, derivative: { _, _ in -1 })
    }

    public static func * (a: Tensor, b: Scalar) -> Tensor {
        a.elementwise({ $0 * b }, derivative: { _, _ in b })
    }

    public static func * (a: Scalar, b: Tensor) -> Tensor { b * a }

    public static func / (a: Tensor, b: Scalar) -> Tensor { a * (1 / b) }

    public static prefix func - (a: Tensor) -> Tensor { a * -1 }

    /// Elementwise square.
    public func squared() -> Tensor {
        elementwise({ $0 * $0 }, derivative: { x, _ in 2 * x })
    }

    /// Elementwise square root.
    public func squareRoot() -> Tensor {
        elementwise({ $0.squareRoot() }, derivative: { _, y in 1 / (2 * y) })
    }
}
