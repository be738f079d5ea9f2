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
/// the cores our recurrence workers need next.
struct SplitProduct: @unchecked Sendable {
    // @unchecked: raw pointers; the workers write disjoint row bands of C.
    var transposeA = false
    var transposeB = false
    let m: Int
    let n: Int
    let k: Int
    let a: UnsafePointer<Float>
    let lda: Int
    let b: UnsafePointer<Float>
    let ldb: Int
    let c: UnsafeMutablePointer<Float>
    let ldc: Int
    /// Add onto C instead of overwriting it.
    var accumulate = false

    /// Computes band `piece` of `pieces` of C's rows.
    func run(piece: Int, of pieces: Int) {
        let band = evenPiece(piece, of: pieces, total: m)
        guard !band.isEmpty else { return }
        // Row r of op(A) is row r of A, or column r of A when transposed.
        let aStart = transposeA ? a + band.lowerBound : a + band.lowerBound * lda
        Float.gemm(
            transposeA: transposeA, transposeB: transposeB, m: band.count, n: n, k: k,
            alpha: 1, a: aStart, lda: lda, b: b, ldb: ldb, beta: accumulate ? 1 : 0,
            c: c + band.lowerBound * ldc, ldc: ldc)
    }
}

/// Makes the BLAS single-threaded, process-wide, before a kernel splits its
/// products over its own workers.
///
/// Not restored afterwards, on purpose: after every multi-threaded call
/// OpenBLAS's threads spin for about 0.1 s (2^28 cycles), and on a
/// two-core machine that spinning took a whole core from the sLSTM's
/// workers (measured: a 2-thread pass ran at single-thread speed in that
/// window). Call `BLAS.setThreadCount(_:)` to give other BLAS work threads again.
/// Accelerate manages its own threads; there this does nothing.
func useSingleThreadedBLAS() {
    #if !canImport(Accelerate)
    if openblas_get_num_threads() != 1 { BLAS.setThreadCount(1) }
    #endif
}
