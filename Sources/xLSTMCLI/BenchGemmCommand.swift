import ArgumentParser
import Foundation
import xLSTM

/// `xlstm bench gemm`: the candidate single-precision matrix products on the
/// shapes the library multiplies, in GFLOP/s (see ``GemmComparison``).
struct BenchGemmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Compare the matrix products (OpenBLAS, BLIS, oneDNN, libxsmm, our micro-kernel) on the library's shapes, in GFLOP/s.")

    @Flag(help: "One small shape, one warm-up and one timed run (over --warmup and --runs): a smoke test, not a measurement.")
    var quick = false
    @OptionGroup var timing: TimingOptions

    func run() throws {
        let machine = BenchMachine.current
        print("CPU: \(machine.cpu); vector instructions: \(machine.instructionSets.joined(separator: ", "))")
        let comparison = GemmComparison(
            shapes: quick ? GemmShape.quick : GemmShape.library, threads: timing.threads,
            warmup: quick ? 1 : timing.warmup, runs: quick ? 1 : timing.runs)
        print(comparison.report())
    }
}

/// Each candidate library's single-precision product on each shape, split
/// by rows over `threads` single-threaded calls as the library splits its
/// own, and the largest disagreement between them. The libraries are opened
/// at run time, so one that is not installed is a line that says so.
struct GemmComparison {
    let shapes: [GemmShape]
    let threads: Int
    let warmup: Int
    let runs: Int

    /// The lines for missing libraries, then a Markdown table: GFLOP/s per
    /// library and shape, and the largest difference from the first
    /// library's result relative to its largest entry.
    func report() -> String {
        let candidates = GemmCandidate.all
        var lines = candidates.compactMap { candidate in candidate.failure.map { "\(candidate.name): not measured: \($0)" } }
        let available = candidates.filter { $0.product != nil }
        var rows: [[String]] = []
        for shape in shapes {
            let a = (0..<(shape.m * shape.k)).map { _ in Float.random(in: -1...1) }
            let b = (0..<(shape.k * shape.n)).map { _ in Float.random(in: -1...1) }
            var results: [[Float]] = []
            var row = [shape.label, "\(shape.m)x\(shape.n)x\(shape.k)\(shape.transposes)"]
            for candidate in available {
                var c = [Float](repeating: 0, count: shape.m * shape.n)
                let ms = Measurement.medianMilliseconds(warmup: warmup, runs: runs) {
                    candidate.multiply(shape, a, b, &c, threads: threads)
                }
                results.append(c)
                row.append(String(format: "%.1f", shape.flops / ms / 1e6))
            }
            let scale = results.first.map { $0.map(abs).max() ?? 1 } ?? 1
            let disagreement = results.dropFirst().map { other in
                zip(results[0], other).map { abs($0 - $1) }.max() ?? 0
            }.max() ?? 0
            row.append(String(format: "%.1e", disagreement / max(scale, .leastNormalMagnitude)))
            rows.append(row)
        }
        let header = ["product", "m x n x k"] + available.map { "\($0.name) GFLOP/s" } + ["max rel. difference"]
        lines.append("\(threads) threads, each a band of rows with a single-threaded call; median of \(runs) runs")
        lines.append(markdownTable(header, rows))
        return lines.joined(separator: "\n")
    }
}

/// One product shape the library computes: C (m, n) = op(A) op(B) over k.
struct GemmShape: Sendable {
    let label: String
    let m, n, k: Int
    var transposeA = false
    var transposeB = false
    /// Products per timed run, one after another on each worker: the
    /// recurrence's per-step products run in a time loop.
    var repeats = 1

    var flops: Double { 2 * Double(m) * Double(n) * Double(k) * Double(repeats) }
    var transposes: String { transposeA ? " (A^T)" : transposeB ? " (B^T)" : "" }

    /// The sLSTM kernel's whole-sequence products at the benchmark shapes
    /// (B, T, D = H, K), the language model's, and a large square one.
    static let library: [GemmShape] = [
        GemmShape(label: "sLSTM 8x256x256 K=4 projection (one head)", m: 2048, n: 256, k: 256, transposeB: true),
        GemmShape(label: "sLSTM 8x256x256 K=1 projection", m: 2048, n: 1024, k: 256, transposeB: true),
        GemmShape(label: "sLSTM 8x256x256 dx", m: 2048, n: 256, k: 1024),
        GemmShape(label: "sLSTM 8x256x256 dW", m: 1024, n: 256, k: 2048, transposeA: true),
        GemmShape(label: "sLSTM 8x256x256 K=1 dW and dR in one", m: 1024, n: 512, k: 2048, transposeA: true),
        GemmShape(label: "sLSTM 32x512x512 projection", m: 16384, n: 2048, k: 512, transposeB: true),
        GemmShape(label: "sLSTM 32x512x512 dx", m: 16384, n: 512, k: 2048),
        GemmShape(label: "sLSTM 32x512x512 dW", m: 2048, n: 512, k: 16384, transposeA: true),
        GemmShape(label: "xLSTM-Large D512 up-projection (4x512 tokens)", m: 2048, n: 1408, k: 512, transposeB: true),
        GemmShape(label: "square", m: 1536, n: 1536, k: 1536),
        // The recurrence's per-step products, R h_{t-1} for the whole batch (split by rows like the
        // kernel's batch chunks), a time loop of them: the library computes these with its micro-kernel
        // on weights packed once per pass, where a BLAS call packs them on every step.
        GemmShape(label: "sLSTM 8x256x256 K=1 recurrent steps", m: 8, n: 1024, k: 256, transposeB: true, repeats: 256),
        GemmShape(label: "sLSTM 8x256x256 K=4 recurrent steps (one head)", m: 8, n: 256, k: 64, transposeB: true, repeats: 256),
        GemmShape(label: "sLSTM 32x512x512 K=1 recurrent steps", m: 32, n: 2048, k: 512, transposeB: true, repeats: 64),
        // The backward's per-step product, dg~ R_k (R_k not transposed).
        GemmShape(label: "sLSTM 8x256x256 K=1 recurrent steps, backward", m: 8, n: 256, k: 1024, repeats: 256),
        GemmShape(label: "sLSTM 8x256x256 K=4 recurrent steps, backward (one head)", m: 8, n: 64, k: 256, repeats: 256),
        // One row, forward and backward: the rows cannot be split, so one worker computes them and the
        // other waits (at B = 1 the kernel gives each worker heads or parts of a head instead).
        GemmShape(label: "sLSTM 1x1024x128 K=1 recurrent steps (one worker)", m: 1, n: 512, k: 128, transposeB: true, repeats: 1024),
        GemmShape(label: "sLSTM 1x1024x128 K=1 recurrent steps, backward (one worker)", m: 1, n: 128, k: 512, repeats: 1024),
        GemmShape(
            label: "sLSTM 1x1024x128 K=4 recurrent steps (one head, one worker)", m: 1, n: 128, k: 32, transposeB: true,
            repeats: 1024),
        GemmShape(
            label: "sLSTM 1x1024x128 K=4 recurrent steps, backward (one head, one worker)", m: 1, n: 32, k: 128, repeats: 1024),
    ]

    /// One small product, for smoke tests.
    static let quick = [GemmShape(label: "small", m: 128, n: 112, k: 96, transposeB: true)]
}

/// A matrix-product implementation opened from its shared library.
struct GemmCandidate: Sendable {
    /// Row-major `C = op(A) op(B)` for rows `rows` of C, single-threaded,
    /// `shape.repeats` times over.
    typealias Product = @Sendable (_ shape: GemmShape, _ rows: Range<Int>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>) -> Void

    let name: String
    let product: Product?
    let failure: String?

    /// Runs the product split by rows over `threads` workers.
    func multiply(_ shape: GemmShape, _ a: [Float], _ b: [Float], _ c: inout [Float], threads: Int) {
        guard let product else { return }
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    let (a, b, c) = (SendablePointer(a.baseAddress!), SendablePointer(b.baseAddress!), SendableMutablePointer(c.baseAddress!))
                    DispatchQueue.concurrentPerform(iterations: threads) { worker in
                        let rows = (shape.m * worker / threads)..<(shape.m * (worker + 1) / threads)
                        product(shape, rows, a.pointer, b.pointer, c.pointer)
                    }
                }
            }
        }
    }

    static var all: [GemmCandidate] {
        #if os(Linux) && arch(x86_64)
        [openBLAS, blis, oneDNN(), packed("libxsmm (B packed once)", .xsmm), packed("xLSTM micro-kernel", .microKernel)]
        #else
        [openBLAS, blis, oneDNN(), packed("xLSTM micro-kernel", .microKernel)]
        #endif
    }

    /// Our own micro-kernel, or libxsmm (a plain x86-64 Linux build's per-step
    /// product): op(B) packed into the engine's panels once per timed run (as
    /// the sLSTM kernel packs R once per pass), where a BLAS call packs it on
    /// every call.
    private static func packed(_ name: String, _ engine: RecurrentProduct.Engine) -> GemmCandidate {
        GemmCandidate(name: name, product: { shape, rows, a, b, c in
            let lda = shape.transposeA ? shape.m : shape.k
            let panels = PackedMatrixProduct(
                k: shape.k, n: shape.n, b: b, ldb: shape.transposeB ? shape.k : shape.n,
                transposeB: shape.transposeB, engine: engine)
            for _ in 0..<shape.repeats {
                panels.multiply(
                    m: rows.count, a: shape.transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda, lda: lda,
                    transposeA: shape.transposeA, c: c + rows.lowerBound * shape.n, ldc: shape.n)
            }
        }, failure: nil)
    }

    /// `cblas_sgemm` from a CBLAS library, its threads set to one with `threadCall`.
    private static func cblas(_ name: String, library: String, threadCall: String) -> GemmCandidate {
        guard let handle = dlopen(library, RTLD_NOW) else { return GemmCandidate(name: name, product: nil, failure: "\(library) not found") }
        typealias CBLASSgemm = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>, Int32, UnsafePointer<Float>, Int32, Float, UnsafeMutablePointer<Float>, Int32) -> Void
        typealias SetThreads = @convention(c) (Int32) -> Void
        guard let symbol = dlsym(handle, "cblas_sgemm") else { return GemmCandidate(name: name, product: nil, failure: "no cblas_sgemm in \(library)") }
        let sgemm = unsafeBitCast(symbol, to: CBLASSgemm.self)
        if let set = dlsym(handle, threadCall) { unsafeBitCast(set, to: SetThreads.self)(1) }
        return GemmCandidate(name: name, product: { shape, rows, a, b, c in
            let (rowMajor, plain, transposed): (Int32, Int32, Int32) = (101, 111, 112)
            let lda = shape.transposeA ? shape.m : shape.k
            let ldb = shape.transposeB ? shape.k : shape.n
            let aStart = shape.transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            for _ in 0..<shape.repeats {
                sgemm(rowMajor, shape.transposeA ? transposed : plain, shape.transposeB ? transposed : plain,
                      Int32(rows.count), Int32(shape.n), Int32(shape.k), 1, aStart, Int32(lda), b, Int32(ldb), 0,
                      c + rows.lowerBound * shape.n, Int32(shape.n))
            }
        }, failure: nil)
    }

    static var openBLAS: GemmCandidate { cblas("OpenBLAS", library: "libopenblas.so.0", threadCall: "openblas_set_num_threads") }
    static var blis: GemmCandidate { cblas("BLIS", library: "libblis.so.4", threadCall: "bli_thread_set_num_threads") }

    /// oneDNN's `dnnl_sgemm` as the library opens it (``OneDNN``), one OpenMP thread per call.
    static func oneDNN() -> GemmCandidate {
        guard let oneDNN = OneDNN.shared else {
            return GemmCandidate(name: "oneDNN", product: nil, failure: "\(OneDNN.libraryName) not found")
        }
        return GemmCandidate(name: "oneDNN", product: { shape, rows, a, b, c in
            let lda = shape.transposeA ? shape.m : shape.k
            let aStart = shape.transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            for _ in 0..<shape.repeats {
                oneDNN.multiply(
                    transposeA: shape.transposeA, transposeB: shape.transposeB, m: rows.count, n: shape.n, k: shape.k,
                    alpha: 1, a: aStart, lda: lda, b: b, ldb: shape.transposeB ? shape.k : shape.n, beta: 0,
                    c: c + rows.lowerBound * shape.n, ldc: shape.n)
            }
        }, failure: nil)
    }
}

private struct SendablePointer: @unchecked Sendable { let pointer: UnsafePointer<Float>; init(_ p: UnsafePointer<Float>) { pointer = p } }
private struct SendableMutablePointer: @unchecked Sendable { let pointer: UnsafeMutablePointer<Float>; init(_ p: UnsafeMutablePointer<Float>) { pointer = p } }
