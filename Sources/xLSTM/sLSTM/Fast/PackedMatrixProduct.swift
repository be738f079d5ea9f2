import xLSTMNN
import xLSTMTensor

/// Whole matrix products through one of the recurrent product's engines,
/// single-threaded: `C (m, n) = op(A) (m, k) op(B) (k, n)`, row-major with
/// leading dimensions as in BLAS. `xlstm bench gemm` measures the
/// micro-kernel and libxsmm this way beside the BLAS libraries; the
/// library's whole-sequence products use BLAS, which measured faster (see
/// the Performance article).
///
/// op(B) is packed once into the engine's layout of M (zero-padded to a
/// multiple of 16 columns), as the sLSTM kernel packs R once per pass; each
/// ``multiply(m:a:lda:transposeA:c:ldc:)`` then runs rows of op(A) in
/// blocks of 64, so that a block stays in cache while the kernel streams
/// through M.
package struct PackedMatrixProduct {
    let panels: FloatBuffer
    let k: Int
    let n: Int
    /// n rounded up to a multiple of 16.
    let width: Int
    let engine: RecurrentProduct.Engine

    /// Packs op(B) (k, n) for `engine`.
    package init(
        k: Int, n: Int, b: UnsafePointer<Float>, ldb: Int, transposeB: Bool, engine: RecurrentProduct.Engine
    ) {
        (self.k, self.n, self.engine) = (k, n, engine)
        engine.prepare()
        width = (n + 15) / 16 * 16
        panels = FloatBuffer(count: k * width)
        for e in 0..<k {
            for column in 0..<width {
                let value = column < n ? (transposeB ? b[column * ldb + e] : b[e * ldb + column]) : 0
                let at = RecurrentProduct.matrixIndex(row: e, column: column, depth: k, width: width, engine: engine)
                panels.pointer[at] = value
            }
        }
    }

    /// C (m, n) = op(A) (m, k) times the packed op(B).
    package func multiply(
        m: Int, a: UnsafePointer<Float>, lda: Int, transposeA: Bool, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let block = 64
        let rows = FloatBuffer(count: transposeA ? block * k : 0)
        let sums = FloatBuffer(count: width == n ? 0 : block * width)
        let aRows = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: block)
        let yRows = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: block)
        defer {
            aRows.deallocate()
            yRows.deallocate()
        }
        for first in stride(from: 0, to: m, by: block) {
            let count = min(block, m - first)
            for r in 0..<count {
                let row = first + r
                if transposeA {
                    for e in 0..<k { rows.pointer[r * k + e] = a[e * lda + row] }
                    aRows[r] = UnsafePointer(rows.pointer + r * k)
                } else {
                    aRows[r] = a + row * lda
                }
                // Straight into C when no padding columns would spill into the next row.
                yRows[r] = width == n ? c + row * ldc : sums.pointer + r * width
            }
            RecurrentProduct(
                a: aRows, y: yRows, count: count, matrix: panels.pointer, depth: k, width: width, engine: engine
            ).run()
            if width != n {
                for r in 0..<count { (c + (first + r) * ldc).update(from: yRows[r], count: n) }
            }
        }
    }
}
