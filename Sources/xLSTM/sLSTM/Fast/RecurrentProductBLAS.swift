import xLSTMTensor

/// The per-step product through a library (``RecurrentProduct/Engine/blas``
/// and ``RecurrentProduct/Engine/oneDNN``), on M row-major (depth, width).
extension RecurrentProduct {
    /// One matrix product when the rows of a and of y lie at constant
    /// strides, as they do while every row of a batch chunk is running;
    /// otherwise (some sequences have ended) one matrix-vector product per row.
    func runThroughBLAS() {
        let aStride = count > 1 ? a[1] - a[0] : depth
        let yStride = count > 1 ? y[1] - y[0] : width
        let regular =
            aStride >= depth && yStride >= width
            && (0..<count).allSatisfy { a[$0] == a[0] + $0 * aStride && y[$0] == y[0] + $0 * yStride }
        if regular {
            product(rows: count, a: a[0], lda: aStride, y: y[0], ldy: yStride)
        } else {
            for row in 0..<count { product(rows: 1, a: a[row], lda: depth, y: y[row], ldy: width) }
        }
    }

    /// y (rows, width) = start + a (rows, depth) M.
    private func product(rows: Int, a: UnsafePointer<Float>, lda: Int, y: UnsafeMutablePointer<Float>, ldy: Int) {
        if let start {
            for row in 0..<rows { (y + row * ldy).update(from: start, count: width) }
        }
        let beta: Float = start == nil ? 0 : 1
        if engine == .oneDNN, rows * width * depth >= OneDNN.minimumMultiplyAdds, let oneDNN = OneDNN.shared {
            oneDNN.multiply(
                transposeA: false, transposeB: false, m: rows, n: width, k: depth, alpha: 1, a: a, lda: lda,
                b: matrix, ldb: width, beta: beta, c: y, ldc: ldy)
        } else {
            Float.gemm(
                transposeA: false, transposeB: false, m: rows, n: width, k: depth, alpha: 1, a: a, lda: lda,
                b: matrix, ldb: width, beta: beta, c: y, ldc: ldy)
        }
    }
}
