import TestSupport
import Testing
@testable import xLSTMTensor

/// ``SplitProduct`` against a plain loop in Double: a product `A B^T` large
/// enough for oneDNN (``OneDNN/minimumMultiplyAdds``) in one band, the same
/// in two bands (each below the size, so OpenBLAS), and the other
/// transposes, each overwriting C (full of NaN, which a read would carry)
/// and adding onto it.
@Suite struct SplitProductTests {
    @Test(arguments: [false, true])
    func bandsEqualThePlainSum(accumulate: Bool) throws {
        #if os(Linux)
        // Without the library every band would run OpenBLAS and the oneDNN path would go untested.
        try #require(
            OneDNN.shared != nil, "\(OneDNN.libraryName) not found: scripts/ensure-dependencies.sh installs it")
        #endif
        let (m, n, k) = (96, 160, 80)
        #expect(m * n * k >= OneDNN.minimumMultiplyAdds && m / 2 * n * k < OneDNN.minimumMultiplyAdds)
        let a = random([m * k], seed: 3).scalars.map { Float($0) }
        for (transposeA, transposeB) in [(false, true), (false, false), (true, false)] {
            let b = random([k * n], seed: 4).scalars.map { Float($0) }
            let start = random([m * n], seed: 5).scalars.map { Float($0) }
            for pieces in [1, 2] {
                var c = accumulate ? start : [Float](repeating: .nan, count: m * n)
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        c.withUnsafeMutableBufferPointer { c in
                            let product = SplitProduct(
                                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a.baseAddress!,
                                lda: transposeA ? m : k, b: b.baseAddress!, ldb: transposeB ? k : n, c: c.baseAddress!,
                                ldc: n, accumulate: accumulate)
                            for piece in 0..<pieces { product.run(piece: piece, of: pieces) }
                        }
                    }
                }
                let expected = plainProduct(
                    a.map { Double($0) }, b.map { Double($0) }, m: m, n: n, k: k, transposeA: transposeA,
                    transposeB: transposeB, start: accumulate ? start.map { Double($0) } : nil)
                let worst = largestError(c.map { Double($0) }, expected)
                #expect(
                    worst < 1e-4,
                    "transposes \(transposeA) \(transposeB), \(pieces) bands, accumulate \(accumulate): \(worst)")
            }
        }
    }
}
