/// Vectorized elementary functions on 16 Floats: range reduction plus a
/// polynomial, a few ulp from the correctly rounded result over the whole
/// Float range, for the fast sLSTM kernel's pointwise step (where glibc's
/// scalar calls would cost more than everything else together).
///
/// Written on the concrete `SIMD16<Float>`, not generic `SIMD`: generic code
/// lowers comparisons and `replacing(with:where:)` to per-lane loops. The
/// polynomials' multiply-adds go through ``multiplyAdd(_:_:_:)``: fused
/// where the build has FMA, a multiply and an add elsewhere. Rounding to an
/// integer uses the 1.5 * 2^23 trick (`.rounded()` compiles to a call).
///
/// Accuracy (checked by VectorMathTests against Double): `exp` within 2 ulp,
/// `tanh`, `sigmoid` and `logSigmoid` within 3 ulp, NaN in gives NaN out.
/// No subnormal number is ever produced (see ``exp(_:)``): results below
/// 2^-124 are 0, an absolute error under 5e-38.
extension SIMD16 where Scalar == Float {
    /// `e^x`; +inf above about 88.72, and 0 below -86 (where e^x < 2^-124),
    /// so that no subnormal number is ever computed: subnormal results cost
    /// a microcode assist, which made the sLSTM's pointwise step several
    /// times slower whenever a gate sat far below the stabilizer.
    @inline(always)
    package static func exp(_ x: Self) -> Self {
        // Inside the clamp n = round(x / ln 2) is in [-124, 129], so 2^n is built
        // as two normal factors 2^(n/2) * 2^(n - n/2) and every intermediate is normal.
        let underflows = x .< -86
        var x = x.replacing(with: -86, where: underflows)
        x.replace(with: 89, where: x .> 89)
        let (expR, n) = reduced(x)
        let half = n &>> 1
        return (expR * power2(half) * power2(n &- half)).replacing(with: 0, where: underflows)
    }

    /// `e^x` for x <= 0 (a positive x counts as 0): what the sLSTM needs,
    /// since its stabilizer keeps every exponent at or below 0. Cheaper than
    /// ``exp(_:)``: 2^n is a single normal factor. 0 below -86, like `exp`.
    @inline(always)
    package static func expOfNonPositive(_ x: Self) -> Self {
        let underflows = x .< -86
        var x = x.replacing(with: -86, where: underflows)
        x.replace(with: 0, where: x .> 0)
        let (expR, n) = reduced(x)
        return (expR * power2(n)).replacing(with: 0, where: underflows)
    }

    /// e^x = e^r * 2^n with n = round(x / ln 2), for |x| < 2^21: returns e^r and n.
    @inline(always)
    package static func reduced(_ x: Self) -> (expR: Self, n: SIMD16<Int32>) {
        // n with the magic-number trick: adding 1.5 * 2^23 leaves the integer n in the low mantissa bits.
        let magic: Float = 12_582_912
        let shifted = multiplyAdd(x, Self(repeating: 1.442_695_04), Self(repeating: magic))
        let n = shifted - Self(repeating: magic)
        // r = x - n ln 2 in two parts (Cody-Waite); n * 0.693359375 is exact.
        let r = multiplyAdd(n, Self(repeating: 2.121_944_4e-4), multiplyAdd(n, Self(repeating: -0.693_359_375), x))
        // exp(r) on |r| <= ln(2) / 2 (Cephes expf, about 1 ulp).
        var p = Self(repeating: 1.987_569_15e-4)
        p = multiplyAdd(p, r, Self(repeating: 1.398_199_950_7e-3))
        p = multiplyAdd(p, r, Self(repeating: 8.333_451_907_3e-3))
        p = multiplyAdd(p, r, Self(repeating: 4.166_579_589_4e-2))
        p = multiplyAdd(p, r, Self(repeating: 1.666_666_545_9e-1))
        p = multiplyAdd(p, r, Self(repeating: 5.000_000_120_1e-1))
        let integer = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- Int32(bitPattern: magic.bitPattern)
        return (multiplyAdd(p, r * r, r) + 1, integer)
    }

    /// 2^n for n in -126...127, built from the exponent bits.
    @inline(always)
    package static func power2(_ n: SIMD16<Int32>) -> Self {
        unsafeBitCast((n &+ 127) &<< 23, to: Self.self)
    }

    /// `tanh(x)`.
    @inline(always)
    package static func tanh(_ x: Self) -> Self {
        let magnitude = abs(x)
        // Near 0 an odd polynomial (Cephes tanhf); elsewhere (1 - e) / (1 + e)
        // with e = e^-2|x| <= 0.29, which loses no digits and is exactly 1 once e underflows.
        let z = x * x
        var p = Self(repeating: -5.704_988_727_45e-3)
        p = multiplyAdd(p, z, Self(repeating: 2.063_908_879_54e-2))
        p = multiplyAdd(p, z, Self(repeating: -5.373_971_555_31e-2))
        p = multiplyAdd(p, z, Self(repeating: 1.333_144_220_36e-1))
        p = multiplyAdd(p, z, Self(repeating: -3.333_328_194_22e-1))
        // Both forms on |x|, then x's sign: tanh is odd, and so tanh(-0) is -0
        // (p z x + x would round -0 to +0).
        let near = multiplyAdd(p * z, magnitude, magnitude)
        let e = expOfNonPositive(-(magnitude + magnitude))
        let far = (1 - e) / (1 + e)
        let unsigned = far.replacing(with: near, where: magnitude .< 0.625)
        return unsafeBitCast(
            unsafeBitCast(unsigned, to: SIMD16<UInt32>.self) | (unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x8000_0000),
            to: Self.self)
    }

    /// `1 / (1 + e^-x)`, evaluated through e^-|x| so that nothing overflows
    /// and very negative x keep their relative accuracy.
    @inline(always)
    package static func sigmoid(_ x: Self) -> Self {
        let (numerator, denominator) = sigmoidFraction(x)
        return numerator / denominator
    }

    /// `sigmoid(x)` as a fraction: with e = e^-|x|, 1 / (1 + e) for x >= 0
    /// and e / (1 + e) below. For a caller that divides the sigmoid by
    /// something anyway, so that one division serves both.
    @inline(always)
    package static func sigmoidFraction(_ x: Self) -> (numerator: Self, denominator: Self) {
        let e = expOfNonPositive(-abs(x))
        return (Self(repeating: 1).replacing(with: e, where: x .< 0), 1 + e)
    }

    /// `log(sigmoid(x)) = min(x, 0) - log(1 + e^-|x|)`, never the log of a
    /// rounded sigmoid (which would be -inf for very negative x).
    @inline(always)
    package static func logSigmoid(_ x: Self) -> Self {
        logSigmoidWithDerivative(x).value
    }

    /// `logSigmoid(x)` and its derivative `sigmoid(-x)`, sharing one
    /// exponential and one division.
    @inline(always)
    package static func logSigmoidWithDerivative(_ x: Self) -> (value: Self, derivative: Self) {
        let e = expOfNonPositive(-abs(x))
        let onePlusE = 1 + e
        let reciprocal = 1 / onePlusE
        let value = x.replacing(with: 0, where: x .> 0) - logOnePlus(e, onePlusU: onePlusE, reciprocal: reciprocal)
        return (value, (e * reciprocal).replacing(with: reciprocal, where: x .< 0))
    }

    /// `log(1 + u)` for u in [0, 1] (all `logSigmoid` needs), given
    /// `onePlusU = 1 + u` (rounded) and its reciprocal.
    @inline(always)
    package static func logOnePlus(_ u: Self, onePlusU y: Self, reciprocal: Self) -> Self {
        // `correction` is the exact rounding error of y = 1 + u, so
        // log1p(u) = log(y) + correction / y to first order.
        let correction = u - (y - 1)
        // log(y) = k ln 2 + log(1 + f), with 1 + f in [sqrt(1/2), sqrt(2)); both forms of f are exact.
        let large = y .> 1.414_213_56
        let f = (y - 1).replacing(with: y * 0.5 - 1, where: large)
        let k = Self(repeating: 0).replacing(with: 1, where: large)
        // log(1 + f) (Cephes logf, about 1 ulp).
        var p = Self(repeating: 7.037_683_629_2e-2)
        p = multiplyAdd(p, f, Self(repeating: -1.151_461_031_0e-1))
        p = multiplyAdd(p, f, Self(repeating: 1.167_699_874_0e-1))
        p = multiplyAdd(p, f, Self(repeating: -1.242_014_084_6e-1))
        p = multiplyAdd(p, f, Self(repeating: 1.424_932_278_7e-1))
        p = multiplyAdd(p, f, Self(repeating: -1.666_805_766_5e-1))
        p = multiplyAdd(p, f, Self(repeating: 2.000_071_476_5e-1))
        p = multiplyAdd(p, f, Self(repeating: -2.499_999_399_3e-1))
        p = multiplyAdd(p, f, Self(repeating: 3.333_333_117_4e-1))
        let z = f * f
        let tail = f * z * p - 0.5 * z - k * 2.121_944_4e-4 + correction * reciprocal
        return (f + tail) + k * 0.693_359_375
    }

    /// |x|, by clearing the sign bit.
    @inline(always)
    package static func abs(_ x: Self) -> Self {
        unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & 0x7FFF_FFFF, to: Self.self)
    }
}
