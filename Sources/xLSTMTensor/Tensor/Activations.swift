import RealModule

/// Elementwise functions and the normalized exponentials, each with its
/// derivative for the gradient engine.
///
/// On `Float` tensors, `exp`, `tanh`, `sigmoid`, `logSigmoid` and `silu`
/// run in SIMD (the fast sLSTM kernel's own functions, within 4 ulp of the
/// correctly rounded result, a result below about 2^-124 flushed to 0), split over
/// the workers for large tensors; `Double` tensors use swift-numerics' functions.
extension Tensor {
    /// Elementwise `exp`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func exp() -> Tensor {
        elementwise({ Scalar.exp($0) }, vectorized: .exp, derivative: { _, y in y })
    }

    /// Elementwise natural logarithm.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func log() -> Tensor {
        elementwise({ Scalar.log($0) }, derivative: { x, _ in 1 / x })
    }

    /// Elementwise hyperbolic tangent.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tanh() -> Tensor {
        elementwise({ Scalar.tanh($0) }, vectorized: .tanh, derivative: { _, y in 1 - y * y })
    }

    /// Elementwise `1 / (1 + exp(-x))`, computed without overflow.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sigmoid() -> Tensor {
        elementwise({ Scalar.sigmoid($0) }, vectorized: .sigmoid, derivative: { _, y in y * (1 - y) })
    }

    /// `log(sigmoid(x))`, stable for large |x|; its derivative is `sigmoid(-x)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logSigmoid() -> Tensor {
        elementwise({ Scalar.logSigmoid($0) }, vectorized: .logSigmoid, derivative: { x, _ in Scalar.sigmoid(-x) })
    }

    /// Elementwise `|x|`; the derivative at 0 is taken as 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func magnitude() -> Tensor {
        elementwise({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) })
    }

    /// Elementwise `max(x, 0)`; the derivative at 0 is taken as 0.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func relu() -> Tensor {
        elementwise({ Swift.max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
    }

    /// The exact GELU, `x * Phi(x)` (PyTorch's default, not the tanh form).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gelu() -> Tensor {
        elementwise(
            { $0 * Scalar.normalCDF($0) },
            derivative: { x, _ in
                Scalar.normalCDF(x) + x * Scalar.exp(-x * x / 2) / Scalar.sqrt(2 * Scalar.pi)
            })
    }

    /// `x * sigmoid(x)`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func silu() -> Tensor {
        elementwise(
            { $0 * Scalar.sigmoid($0) }, vectorized: .silu,
            derivative: { x, _ in
                let s = Scalar.sigmoid(x)
                return s * (1 + x * (1 - s))
            })
    }

    /// `exp(x) / sum(exp(x))` along `axis` (negative counts from the end),
    /// computed after subtracting the maximum.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        normalizedExponential(alongAxis: axis, logarithm: false)
    }

    /// `x - log(sum(exp(x)))` along `axis`, computed after subtracting the maximum.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        normalizedExponential(alongAxis: axis, logarithm: true)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func normalizedExponential(alongAxis axis: Int, logarithm: Bool) -> Tensor {
        let layout = AxisLayout(shape: shape, axis: normalizedAxis(axis))
        var out = scalars
        layout.forEachLine { start, stride in
            var maximum = -Scalar.infinity
            for k in 0..<layout.extent { maximum = Swift.max(maximum, out[start + k * stride]) }
            var total: Scalar = 0
            for k in 0..<layout.extent { total += Scalar.exp(out[start + k * stride] - maximum) }
            let logTotal = Scalar.log(total) + maximum
            for k in 0..<layout.extent {
                let shifted = out[start + k * stride] - logTotal
                out[start + k * stride] = logarithm ? shifted : Scalar.exp(shifted)
            }
        }
        let outputs = out
        let result = Tensor(validatedShape: shape, scalars: outputs)
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil] }
            var grad = upstream
            layout.forEachLine { start, stride in
                var total: Scalar = 0
                for k in 0..<layout.extent {
                    let index = start + k * stride
                    total += logarithm ? upstream[index] : upstream[index] * outputs[index]
                }
                for k in 0..<layout.extent {
                    let index = start + k * stride
                    grad[index] =
                        logarithm
                        ? upstream[index] - Scalar.exp(outputs[index]) * total
                        : outputs[index] * (upstream[index] - total)
                }
            }
            return [Tensor(validatedShape: self.shape, scalars: grad)]
        }
        return result
    }
}
