import RealModule

extension TensorScalar {
    /// `1 / (1 + exp(-x))`, evaluated so that no exponential overflows.
    @inlinable
    package static func sigmoid(_ x: Self) -> Self {
        if x >= 0 { return 1 / (1 + exp(-x)) }
        let e = exp(x)
        return e / (1 + e)
    }

    /// `log(sigmoid(x))` computed directly as `-log(1 + exp(-x))` (never as
    /// the log of a rounded sigmoid, which is `-inf` for very negative x).
    @inlinable
    package static func logSigmoid(_ x: Self) -> Self {
        x >= 0 ? -log(onePlus: exp(-x)) : x - log(onePlus: exp(x))
    }

    /// The standard normal cumulative distribution function.
    @inlinable
    package static func normalCDF(_ x: Self) -> Self {
        (1 + erf(x / sqrt(2))) / 2
    }
}
