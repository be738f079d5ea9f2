import TestSupport
import Testing
@testable import xLSTMTensor

/// The toolkit's products write into uninitialized buffers (`productBuffer`),
/// which is right only if the BLAS keeps its promise that with beta 0 it
/// never reads C. Here C starts full of NaN, which a read would carry into
/// the result: one-row products (gemv) and matrix products, each transpose,
/// against a plain loop in Double.
@Suite struct OverwritingProductTests {
    @Test(arguments: [(1, 7, 5), (2, 7, 5), (5, 3, 9), (1, 300, 40)])
    func productsWithBetaZeroNeverReadC(m: Int, n: Int, k: Int) {
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = random([m * k], seed: 1).scalars.map { Float($0) }
            let b = random([k * n], seed: 2).scalars.map { Float($0) }
            var c = [Float](repeating: .nan, count: m * n)
            Float.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: transposeA ? m : k,
                b: b, ldb: transposeB ? k : n, beta: 0, c: &c, ldc: n)
            var worst = 0.0
            for row in 0..<m {
                for column in 0..<n {
                    var expected = 0.0
                    for inner in 0..<k {
                        let left = Double(transposeA ? a[inner * m + row] : a[row * k + inner])
                        let right = Double(transposeB ? b[column * k + inner] : b[inner * n + column])
                        expected += left * right
                    }
                    let error = abs(Double(c[row * n + column]) - expected)
                    worst = error.isNaN ? .infinity : max(worst, error)
                }
            }
            #expect(worst < 1e-4, "m \(m) n \(n) k \(k) transposes \(transposeA) \(transposeB): \(worst)")
        }
    }
}
