#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// oneDNN's single-precision matrix product (`dnnl_sgemm`), opened at run
/// time when the system has the library (Debian's `libdnnl2`), else `nil`.
///
/// oneDNN picks its kernels for the CPU when it runs, as OpenBLAS does. The
/// library uses it where it measured faster than OpenBLAS on a 2-core
/// Zen 4 (AVX-512; OpenBLAS picks its Cooperlake kernels there), and only
/// on products of at least ``minimumMultiplyAdds``:
///
/// - The per-step recurrent product of a plain x86-64 build (see
///   `RecurrentProduct.Engine` in the xLSTM module): on a few rows by a
///   large matrix, one call per time step, oneDNN was 2 to 3 times as fast
///   as OpenBLAS, which packs the whole matrix again on every call.
/// - x W^T over many rows, every input projection and `linear` (see
///   ``SplitProduct``): GFLOP/s in three runs of `xlstm bench gemm` (2
///   threads, each a band of rows with a single-threaded call), OpenBLAS
///   against oneDNN, 2048x1024x256 189 / 220, 191 / 203, 182 / 207;
///   16384x2048x512 200 / 220, 194 / 212, 185 / 208.
///
/// Below that size OpenBLAS's unpacked small-matrix kernels lead. The
/// other shapes (plain and transposed-A products) stay on OpenBLAS: there
/// neither led in every run.
///
/// It is opened with `dlopen` rather than linked so that the package
/// needs it only where it is used: without it every product runs on
/// OpenBLAS, as before.
package struct OneDNN: Sendable {
    /// The library, opened on first use; `nil` when it is not installed.
    package static let shared = OneDNN()

    private typealias Sgemm = @convention(c) (
        CChar, CChar, Int64, Int64, Int64, Float, UnsafePointer<Float>, Int64, UnsafePointer<Float>, Int64, Float,
        UnsafeMutablePointer<Float>, Int64
    ) -> Int32
    private typealias GetThreads = @convention(c) () -> Int32
    private typealias SetThreads = @convention(c) (Int32) -> Void

    private let sgemm: Sgemm
    private let getThreads: GetThreads
    private let setThreads: SetThreads

    /// The smallest product (m x n x k multiply-adds) the library hands to oneDNN.
    package static let minimumMultiplyAdds = 1 << 20

    /// The file `dlopen` looks for: oneDNN 2's shared library.
    package static let libraryName = {
        #if canImport(Darwin)
        "libdnnl.2.dylib"
        #else
        "libdnnl.so.2"
        #endif
    }()

    private init?() {
        let callerAffinity = ThreadAffinity.current()
        // Debian's oneDNN loads GNU OpenMP, which on loading binds the loading thread to one CPU when
        // OMP_PROC_BIND is set, and every thread that thread creates later inherits that CPU (a training
        // step ran at 101-109 ms instead of 62-66 on a 2-core Zen 3). The library only borrows oneDNN's
        // sgemm, so the thread gets back the CPUs it had.
        defer { callerAffinity?.restore() }
        guard let handle = dlopen(Self.libraryName, RTLD_NOW | RTLD_LOCAL),
            let sgemm = dlsym(handle, "dnnl_sgemm"),
            // Debian's oneDNN runs on OpenMP; these come from the runtime it loads.
            let getThreads = dlsym(handle, "omp_get_max_threads"),
            let setThreads = dlsym(handle, "omp_set_num_threads")
        else { return nil }
        self.sgemm = unsafeBitCast(sgemm, to: Sgemm.self)
        self.getThreads = unsafeBitCast(getThreads, to: GetThreads.self)
        self.setThreads = unsafeBitCast(setThreads, to: SetThreads.self)
    }

    /// Row-major C (m, n) = alpha op(A) op(B) + beta C, op(A) (m, k) and
    /// op(B) (k, n), in the calling thread alone.
    ///
    /// OpenMP keeps a thread count per calling thread; this one's is set to
    /// one for the call and given back after it, so the library's workers
    /// never start teams of their own and the host's setting is unchanged.
    package func multiply(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let (plain, transposed) = (CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "T")))
        let callerThreads = getThreads()
        if callerThreads != 1 { setThreads(1) }
        let status = sgemm(
            transposeA ? transposed : plain, transposeB ? transposed : plain, Int64(m), Int64(n), Int64(k), alpha,
            a, Int64(lda), b, Int64(ldb), beta, c, Int64(ldc))
        if callerThreads != 1 { setThreads(callerThreads) }
        // dnnl_sgemm fails only on invalid arguments (a leading dimension
        // smaller than a row), which the callers never pass.
        precondition(status == 0, "dnnl_sgemm returned status \(status) for m \(m), n \(n), k \(k)")
    }
}
