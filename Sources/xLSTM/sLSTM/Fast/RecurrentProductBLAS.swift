import xLSTMTensor

/// The per-step product through a library (``RecurrentProduct/Engine/blas``
/// and ``RecurrentProduct/Engine/oneDNN``), on M row-major (depth, width),
/// and how the library engines split a step into matrix products.
extension RecurrentProduct {
    /// The product through OpenBLAS, or oneDNN for large ones on the oneDNN engine.
    func runThroughBLAS() {
        runAsMatrixProducts(product)
    }

    /// Copies `start` into every row of y, then calls
    /// `product(rows, a, lda, y, ldy, beta)`, which adds a M to y (beta 1)
    /// or overwrites y with it (beta 0, when there is no start): once for
    /// all rows when the rows of a and of y lie at constant strides, as they
    /// do while every row of a batch chunk is running; otherwise (some
    /// sequences have ended) once per row.
    func runAsMatrixProducts(
        _ product: (
            _ rows: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
            _ beta: Float
        ) -> Void
    ) {
        if let start {
            for row in 0..<count { copyVectors(width, from: start, to: y[row]) }
        }
        let beta: Float = start == nil ? 0 : 1
        let aStride = count > 1 ? a[1] - a[0] : depth
        let yStride = count > 1 ? y[1] - y[0] : width
        let regular =
            aStride >= depth && yStride >= width
            && (0..<count).allSatisfy { a[$0] == a[0] + $0 * aStride && y[$0] == y[0] + $0 * yStride }
        if regular {
            product(count, a[0], aStride, y[0], yStride, beta)
        } else {
            for row in 0..<count { product(1, a[row], depth, y[row], width, beta) }
        }
    }

    /// y (rows, width) = beta y + a (rows, depth) M.
    private func product(
        _ rows: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
        _ beta: Float
    ) {
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
