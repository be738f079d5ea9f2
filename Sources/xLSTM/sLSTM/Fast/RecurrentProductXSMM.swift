#if os(Linux) && arch(x86_64)
import CXSMM
import Glibc

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
        var kernel: (width: Int, pointer: UnsafeRawPointer)?
        for first in stride(from: 0, to: width, by: Self.xsmmPanelWidth) {
            let panel = min(Self.xsmmPanelWidth, width - first)
            if kernel?.width != panel {
                // libxsmm keeps every kernel it generated, so asking again per step costs a lookup.
                guard
                    let pointer = xlstm_xsmm_dispatch(
                        Int32(panel), Int32(rows), Int32(depth), Int32(panel), Int32(lda), Int32(ldy), beta)
                else {
                    // libxsmm generates kernels for SSE3 and later, which every x86-64 CPU since 2005 has.
                    fatalError("libxsmm generated no kernel for a \(panel) x \(rows) x \(depth) product on this CPU")
                }
                kernel = (panel, pointer)
            }
            xlstm_xsmm_run(kernel!.pointer, matrix + first * depth, a, y + first)
        }
    }
}
#endif
