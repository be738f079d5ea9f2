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
        Self.check(Float.self, m: m, n: n, k: k, tolerance: 1e-4)
        Self.check(Double.self, m: m, n: n, k: k, tolerance: 1e-12)
    }

    static func check<Scalar: TensorScalar>(_: Scalar.Type, m: Int, n: Int, k: Int, tolerance: Double) {
        for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = random([m * k], seed: 1).scalars.map { Scalar($0) }
            let b = random([k * n], seed: 2).scalars.map { Scalar($0) }
            var c = [Scalar](repeating: .nan, count: m * n)
            Scalar.gemm(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1, a: a, lda: transposeA ? m : k,
                b: b, ldb: transposeB ? k : n, beta: 0, c: &c, ldc: n)
            let expected = plainProduct(
                a.map { Double($0) }, b.map { Double($0) }, m: m, n: n, k: k, transposeA: transposeA,
                transposeB: transposeB)
            let worst = largestError(c.map { Double($0) }, expected)
            #expect(worst < tolerance, "\(Scalar.self) m \(m) n \(n) k \(k) transposes \(transposeA) \(transposeB): \(worst)")
        }
    }

    /// With an inner extent of 0 nothing is multiplied: the products are
    /// zeros of the full shape (the BLAS is not called, so the buffer must
    /// not be left uninitialized), plus the bias for `linear`.
    @Test func emptyInnerExtentsGiveZeros() {
        let x = Tensor<Double>.zeros([3, 0], requiresGrad: true)
        let product = Tensor.matmul(x, .zeros([0, 4]))
        #expect(product.shape == [3, 4] && product.scalars == [Double](repeating: 0, count: 12))
        let batched = Tensor.matmul(Tensor<Double>.zeros([2, 3, 0]), .zeros([2, 0, 4]))
        #expect(batched.shape == [2, 3, 4] && batched.scalars == [Double](repeating: 0, count: 24))
        let bias = Tensor<Double>([1, 2, 3, 4])
        let linear = Tensor.linear(x, weight: .zeros([4, 0]), bias: bias)
        #expect(linear.shape == [3, 4] && linear.scalars == Array([[Double]](repeating: [1, 2, 3, 4], count: 3).joined()))
        linear.sum().backward()
        #expect(x.grad?.shape == [3, 0])
    }
}
