import TestSupport

// The plain Double loops the product tests compare against.

/// op(A) op(B), (m, n) row-major, as a plain loop in Double.
func plainProduct(
    _ a: [Double], _ b: [Double], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, start: [Double]? = nil
) -> [Double] {
    var c = start ?? [Double](repeating: 0, count: m * n)
    for row in 0..<m {
        for column in 0..<n {
            for inner in 0..<k {
                let left = transposeA ? a[inner * m + row] : a[row * k + inner]
                let right = transposeB ? b[column * k + inner] : b[inner * n + column]
                c[row * n + column] += left * right
            }
        }
    }
    return c
}

/// The largest absolute difference, infinite if `computed` has a NaN.
func largestError(_ computed: [Double], _ expected: [Double]) -> Double {
    zip(computed, expected).reduce(0.0) { worstError($0, abs($1.0 - $1.1)) }
}
