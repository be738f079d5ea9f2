import RealModule

#if canImport(Accelerate)
import Accelerate
#else
import CBLAS
#endif

/// The scalar types a ``Tensor`` can hold: `Float` (the fast paths) and
/// `Double` (tests and gradient checks).
///
/// Elementary functions come from swift-numerics' `Real`; the general matrix
/// product goes to the platform BLAS.
public protocol TensorScalar: BinaryFloatingPoint, Real, Sendable, LosslessStringConvertible
where RawSignificand: FixedWidthInteger {
    /// `C = alpha * op(A) * op(B) + beta * C` on row-major matrices, where
    /// `op(A)` is `m x k` and `op(B)` is `k x n`.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Self, a: UnsafePointer<Self>, lda: Int,
        b: UnsafePointer<Self>, ldb: Int,
        beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

@inline(__always)
private func blasTranspose(_ transposed: Bool) -> CBLAS_TRANSPOSE {
    transposed ? CblasTrans : CblasNoTrans
}

/// `Float`: the scalar of the fast kernels; products go to `cblas_sgemm`.
extension Float: TensorScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Float, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        if m == 1 {
            // One row (a decoding step): a matrix-vector product, which reads B
            // once instead of packing it as sgemm does on every call (measured:
            // packing was 52% of a 20M-parameter model's decoding time).
            cblas_sgemv(
                CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, Int32(transposeB ? n : k), Int32(transposeB ? k : n),
                alpha, b, Int32(ldb), a, Int32(transposeA ? lda : 1), beta, c, 1)
            return
        }
        cblas_sgemm(
            CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB),
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}

/// `Double`: the scalar of gradient checks and references; products go to `cblas_dgemm`.
extension Double: TensorScalar {
    public static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
        alpha: Double, a: UnsafePointer<Double>, lda: Int,
        b: UnsafePointer<Double>, ldb: Int,
        beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
    ) {
        guard m > 0, n > 0, k > 0 else { return }
        if m == 1 {
            // One row: a matrix-vector product (see the Float form).
            cblas_dgemv(
                CblasRowMajor, transposeB ? CblasNoTrans : CblasTrans, Int32(transposeB ? n : k), Int32(transposeB ? k : n),
                alpha, b, Int32(ldb), a, Int32(transposeA ? lda : 1), beta, c, 1)
            return
        }
        cblas_dgemm(
            CblasRowMajor, blasTranspose(transposeA), blasTranspose(transposeB),
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc))
    }
}

/// Controls of the platform BLAS.
public enum BLAS {
    /// Sets how many threads the BLAS may use for one call of the host
    /// program's own. The library's products run with one BLAS thread each,
    /// split over its own workers, and give this setting back when they
    /// return (the xLSTM module's Performance article says why). Accelerate
    /// manages its own threads; there the call does nothing.
    public static func setThreadCount(_ count: Int) {
        #if !canImport(Accelerate)
        openblas_set_num_threads(Int32(count))
        #endif
    }

    /// How many threads the BLAS may use for one call (OpenBLAS's setting);
    /// `nil` with Accelerate, which manages its own.
    public static var threadCount: Int? {
        #if canImport(Accelerate)
        return nil
        #else
        return Int(openblas_get_num_threads())
        #endif
    }
}
