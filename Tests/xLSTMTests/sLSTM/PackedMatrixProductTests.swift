import Testing
@testable import xLSTM

/// Every engine of the recurrent product as a whole matrix product (the
/// micro-kernel and libxsmm are `xlstm bench gemm`'s own candidates) against
/// a plain Double loop: every transpose, n not a multiple of 16 (padded
/// panels), more rows than one block of 64, leading dimensions wider than
/// the matrices.
@Suite struct PackedMatrixProductTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)], RecurrentProduct.Engine.available)
    func productEqualsThePlainSum(transposes: (a: Bool, b: Bool), engine: RecurrentProduct.Engine) throws {
        let (transposeA, transposeB) = transposes
        var generator = Xoshiro256(seed: 21)
        let (m, n, k, pad) = (70, 37, 45, 3)
        // Stored A is (m, k), or (k, m) when transposed; B (k, n) or (n, k); each row `pad` longer.
        let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
        let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
        let (lda, ldb, ldc) = (aColumns + pad, bColumns + pad, n + pad)
        let a = (0..<(aRows * lda)).map { _ in Float.random(in: -1...1, using: &generator) }
        let b = (0..<(bRows * ldb)).map { _ in Float.random(in: -1...1, using: &generator) }
        var c = [Float](repeating: .nan, count: m * ldc)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    PackedMatrixProduct(
                        k: k, n: n, b: b.baseAddress!, ldb: ldb, transposeB: transposeB, engine: engine
                    ).multiply(
                        m: m, a: a.baseAddress!, lda: lda, transposeA: transposeA, c: c.baseAddress!, ldc: ldc)
                }
            }
        }
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for e in 0..<k {
                    let left = transposeA ? a[e * lda + i] : a[i * lda + e]
                    let right = transposeB ? b[j * ldb + e] : b[e * ldb + j]
                    sum += Double(left) * Double(right)
                }
                let actual = Double(c[i * ldc + j])
                #expect(abs(actual - sum) <= 1e-5 * Double(k), "\(engine): C[\(i)][\(j)] = \(actual), expected \(sum)")
            }
            let padding = c[(i * ldc + n)..<((i + 1) * ldc)]
            #expect(padding.allSatisfy { $0.isNaN }, "row \(i)'s padding is not written")
        }
    }
}
