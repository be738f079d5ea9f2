#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// One row-major matrix product `C (m, n) (+)= op(A) (m, k) * op(B) (k, n)`
/// that several workers compute together, each a band of C's rows with a
/// single-threaded BLAS call.
///
/// Splitting the big products ourselves (rather than letting OpenBLAS start
/// its own threads) keeps exactly `Parallelism.threadCount` threads busy:
/// OpenBLAS's threads spin after each call and, on a small machine, steal
/// the cores the recurrence workers need next. The toolkit's `matmul` and
/// `linear` and the fast sLSTM kernel all go through this one helper.
package struct SplitProduct<Scalar: TensorScalar>: @unchecked Sendable {
    // @unchecked: raw pointers; the workers write disjoint row bands of C.
    package var transposeA = false
    package var transposeB = false
    package let m: Int
    package let n: Int
    package let k: Int
    package let a: UnsafePointer<Scalar>
    package let lda: Int
    package let b: UnsafePointer<Scalar>
    package let ldb: Int
    package let c: UnsafeMutablePointer<Scalar>
    package let ldc: Int
    /// Add onto C instead of overwriting it.
    package var accumulate = false

    package init(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        a: UnsafePointer<Scalar>, lda: Int, b: UnsafePointer<Scalar>, ldb: Int,
        c: UnsafeMutablePointer<Scalar>, ldc: Int, accumulate: Bool = false
    ) {
        self.transposeA = transposeA
        self.transposeB = transposeB
        self.m = m
        self.n = n
        self.k = k
        self.a = a
        self.lda = lda
        self.b = b
        self.ldb = ldb
        self.c = c
        self.ldc = ldc
        self.accumulate = accumulate
    }

    /// Computes band `piece` of `pieces` of C's rows.
    package func run(piece: Int, of pieces: Int) {
        let band = evenPiece(piece, of: pieces, total: m)
        guard !band.isEmpty else { return }
        // Row r of op(A) is row r of A, or column r of A when transposed.
        let aStart = transposeA ? a + band.lowerBound : a + band.lowerBound * lda
        Scalar.gemm(
            transposeA: transposeA, transposeB: transposeB, m: band.count, n: n, k: k,
            alpha: 1, a: aStart, lda: lda, b: b, ldb: ldb, beta: accumulate ? 1 : 0,
            c: c + band.lowerBound * ldc, ldc: ldc)
    }
}

extension SplitProduct {
    /// Computes band `piece` of `pieces` of C's columns: how a one-row
    /// product (a decoding step, which reads a whole weight matrix for one
    /// vector) is shared, since it has no rows to split.
    package func runColumns(piece: Int, of pieces: Int) {
        let band = evenPiece(piece, of: pieces, total: n)
        guard !band.isEmpty else { return }
        // Column j of op(B) is column j of B, or row j of B when transposed.
        let bStart = transposeB ? b + band.lowerBound * ldb : b + band.lowerBound
        Scalar.gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: band.count, k: k,
            alpha: 1, a: a, lda: lda, b: bStart, ldb: ldb, beta: accumulate ? 1 : 0,
            c: c + band.lowerBound, ldc: ldc)
    }
}

/// Makes the BLAS single-threaded, process-wide, before the library splits
/// its products over its own workers.
///
/// Not restored afterwards, on purpose: after every multi-threaded call
/// OpenBLAS's threads spin for about 0.1 s (2^28 cycles), and on a
/// two-core machine that spinning took a whole core from the sLSTM's
/// workers (measured: a 2-thread pass ran at single-thread speed in that
/// window). Call `BLAS.setThreadCount(_:)` to give other BLAS work threads again.
/// Accelerate manages its own threads; there this does nothing.
package func useSingleThreadedBLAS() {
    #if !canImport(Accelerate)
    if openblas_get_num_threads() != 1 { BLAS.setThreadCount(1) }
    #endif
}
