#if os(Linux) && arch(x86_64)
import CXSMM
import Glibc
#endif

extension RecurrentProduct {
    /// The libxsmm kernels of a caller's last product, for a caller that
    /// runs the same product step after step (see ``RecurrentProduct/kernels``).
    ///
    /// Asking libxsmm for a kernel it has generated before is a hash lookup
    /// (`libxsmm_smmdispatch`): at one row per step, 2.6% of the samples of
    /// a plain build's `xlstm bench layer --batch 1 --steps 1024
    /// --input-size 128 --hidden-size 128 --heads 4 --threads 1` on a Zen 3,
    /// beside 19% in the kernels themselves; with the cache its forward took
    /// 3.20-3.36 ms against 3.31-3.58 (5 interleaved runs each). A product
    /// has at most two panel widths (see ``RecurrentProduct/xsmmPanelWidth``),
    /// so two entries.
    struct KernelCache {
        fileprivate struct Shape: Equatable {
            let panel, rows, depth, lda, ldy: Int
            let beta: Float
        }

        fileprivate var fullPanel: (shape: Shape, kernel: UnsafeRawPointer)?
        fileprivate var lastPanel: (shape: Shape, kernel: UnsafeRawPointer)?

        init() {}
    }
}

#if os(Linux) && arch(x86_64)

/// The per-step product through libxsmm's JIT kernels
/// (``RecurrentProduct/Engine/xsmm``), on M in panels of 32 columns (see
/// ``RecurrentProduct/xsmmPanelWidth``).
///
/// libxsmm is column-major: a panel of M (depth, p) row-major is the
/// column-major (p, depth) A, the rows a_r at stride s are the column-major
/// (depth, rows) B with ldb s, and y's rows at stride t the column-major
/// (p, rows) C with ldc t. So one kernel call per panel computes that
/// panel's columns of every row.
extension RecurrentProduct {
    func runThroughXSMM() {
        // Usually done already by Engine.prepare(); here for products made directly.
        _ = Self.xsmmInitialized
        runAsMatrixProducts(xsmmProduct)
    }

    /// libxsmm's initialization, run once before its first kernel, with the
    /// process's environment given back as it was.
    ///
    /// libxsmm 1.17 (Debian's) initializes on first use and then sets
    /// `OMP_PROC_BIND=TRUE` in the environment of the whole process when
    /// neither `OMP_PROC_BIND` nor `KMP_AFFINITY` is set. An OpenMP runtime
    /// that starts after that (oneDNN's, which the library opens for large
    /// products, or the host program's) binds the thread that starts it to
    /// one CPU, and the threads created later inherit the binding; child
    /// processes inherit the variable. A training step in such a process
    /// ran at 101-109 ms instead of 62-66 on a 2-core Zen 3, on one core.
    static let xsmmInitialized: Void = {
        let setBefore = getenv("OMP_PROC_BIND") != nil
        libxsmm_init()
        if !setBefore { unsetenv("OMP_PROC_BIND") }
    }()

    /// y (rows, width) = beta y + a (rows, depth) M, one kernel call per panel.
    private func xsmmProduct(
        _ rows: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int,
        _ beta: Float
    ) {
        // Without a caller's cache, one for this product's panels.
        var cache = kernels?.pointee ?? KernelCache()
        for first in stride(from: 0, to: width, by: Self.xsmmPanelWidth) {
            let panel = min(Self.xsmmPanelWidth, width - first)
            let shape = KernelCache.Shape(panel: panel, rows: rows, depth: depth, lda: lda, ldy: ldy, beta: beta)
            xlstm_xsmm_run(cache.kernel(shape), matrix + first * depth, a, y + first)
            if Self.xsmmKernelsUseAVX { xlstm_xsmm_clear_upper_state() }
        }
        kernels?.pointee = cache
    }

    /// Whether libxsmm's kernels use AVX on this CPU, and so return with the
    /// upper halves of the vector registers dirty (see `xlstm_xsmm_clear_upper_state`).
    static let xsmmKernelsUseAVX: Bool = {
        _ = xsmmInitialized
        return xlstm_xsmm_uses_avx() != 0
    }()

    /// libxsmm's kernel for `shape`, generated on the first request (libxsmm
    /// keeps every kernel it generated).
    @inline(never)
    fileprivate static func xsmmDispatch(_ shape: KernelCache.Shape) -> UnsafeRawPointer {
        guard
            let kernel = xlstm_xsmm_dispatch(
                Int32(shape.panel), Int32(shape.rows), Int32(shape.depth), Int32(shape.panel), Int32(shape.lda),
                Int32(shape.ldy), shape.beta)
        else {
            // libxsmm generates kernels for SSE3 and later, which every x86-64 CPU since 2005 has.
            fatalError("libxsmm generated no kernel for a \(shape.panel) x \(shape.rows) x \(shape.depth) product on this CPU")
        }
        return kernel
    }
}

extension RecurrentProduct.KernelCache {
    /// The kernel for `shape`: the one kept for its panel width when it was
    /// made for the same shape, else libxsmm's, which is then kept.
    @inline(__always)
    fileprivate mutating func kernel(_ shape: Shape) -> UnsafeRawPointer {
        let full = shape.panel == RecurrentProduct.xsmmPanelWidth
        if let cached = full ? fullPanel : lastPanel, cached.shape == shape { return cached.kernel }
        let kernel = RecurrentProduct.xsmmDispatch(shape)
        if full { fullPanel = (shape, kernel) } else { lastPanel = (shape, kernel) }
        return kernel
    }
}
#endif
