#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
import Foundation
#endif

/// One row-major matrix product `C (m, n) (+)= op(A) (m, k) * op(B) (k, n)`
/// that several workers compute together, each a band of C's rows with a
/// single-threaded BLAS call (oneDNN's for large Float products `A B^T`
/// when the system has it, see ``OneDNN``; else OpenBLAS or Accelerate).
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
        if Scalar.self == Float.self, transposeB, !transposeA, band.count >= 8,
            band.count * n * k >= OneDNN.minimumMultiplyAdds, let oneDNN = OneDNN.shared
        {
            // x W^T, the shape of every input projection and `linear`: oneDNN led OpenBLAS there
            // (see ``OneDNN``). Scalar is Float, so the pointers are rebound, not converted.
            oneDNN.multiply(
                transposeA: false, transposeB: true, m: band.count, n: n, k: k, alpha: 1,
                a: UnsafeRawPointer(aStart).assumingMemoryBound(to: Float.self), lda: lda,
                b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb, beta: accumulate ? 1 : 0,
                c: UnsafeMutableRawPointer(c + band.lowerBound * ldc).assumingMemoryBound(to: Float.self), ldc: ldc)
            return
        }
        Scalar.gemm(
            transposeA: transposeA, transposeB: transposeB, m: band.count, n: n, k: k,
            alpha: 1, a: aStart, lda: lda, b: b, ldb: ldb, beta: accumulate ? 1 : 0,
            c: c + band.lowerBound * ldc, ldc: ldc)
    }
}

extension SplitProduct {
    /// The same product on matrices `a`, `b` and `c` elements further on
    /// (the next product of a batch).
    func advanced(a aOffset: Int, b bOffset: Int, c cOffset: Int) -> SplitProduct {
        SplitProduct(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, a: a + aOffset, lda: lda, b: b + bOffset,
            ldb: ldb, c: c + cOffset, ldc: ldc, accumulate: accumulate)
    }

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

/// Runs `body` with the BLAS single-threaded, and gives the host program
/// its own setting back afterwards.
///
/// Why one thread: the library splits its products over its own workers.
/// Inside a product, OpenBLAS's own threads would compete with those
/// workers, and after a multi-threaded call they spin for about 0.1 s
/// (2^28 cycles): on a two-core machine that took a whole core from the
/// sLSTM's workers (measured: a 2-thread pass ran at single-thread speed in
/// that window). Single-threaded calls never wake them.
///
/// The setting is process-wide, so nested and concurrent uses share one
/// count: the first to enter saves the host's setting and the last to leave
/// restores it. Accelerate manages its own threads; there this only runs `body`.
package func withSingleThreadedBLAS<Result>(_ body: () throws -> Result) rethrows -> Result {
    #if canImport(Accelerate)
    return try body()
    #else
    SingleThreadedBLAS.enter()
    defer { SingleThreadedBLAS.leave() }
    return try body()
    #endif
}

#if !canImport(Accelerate)
/// The count of ``withSingleThreadedBLAS(_:)`` scopes running now and the
/// host's thread count they replaced, under a lock.
private enum SingleThreadedBLAS {
    nonisolated(unsafe) private static var scopes = 0
    nonisolated(unsafe) private static var hostThreads: Int32 = 1
    private static let lock = NSLock()

    static func enter() {
        lock.withLock {
            if scopes == 0 {
                hostThreads = openblas_get_num_threads()
                if hostThreads != 1 { openblas_set_num_threads(1) }
            }
            scopes += 1
        }
    }

    static func leave() {
        lock.withLock {
            scopes -= 1
            if scopes == 0 && hostThreads != 1 { openblas_set_num_threads(hostThreads) }
        }
    }
}
#endif
