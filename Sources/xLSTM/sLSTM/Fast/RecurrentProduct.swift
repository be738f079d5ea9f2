import CTargetFeatures
import xLSTMNN
import xLSTMTensor

/// The recurrent product of one head for a few batch rows at once, a small
/// matrix product written as a SIMD micro-kernel:
///
///     y_r[0 ..< width] = start + sum over e < depth of a_r[e] * M[e * width ..< (e + 1) * width]
///
/// for rows r of a group. Forward: a_r = h_{t-1} (d), M = R_k^T (d, 4dp),
/// start = the bias, y_r = R_k h_{t-1} + b (4dp). Backward: a_r = dg~
/// (4dp), M = R_k (4dp, dp), start = 0, y_r = dh_{t-1} (dp).
///
/// y is meant to be a small buffer that stays in the L1 cache: writing onto
/// the input projection in place (a large buffer, in L3 by then) exposed a
/// cache miss at the start of every block of columns.
///
/// Rows are taken in groups; each load of M serves every row of the group.
/// How many rows and columns a group has depends on the vector registers
/// the build may use (see ``Blocking``): the sums of a group must stay in
/// registers.
///
/// M is stored in panels of 16 columns, each panel (depth, 16) contiguous
/// (see ``panelIndex(row:column:depth:)``): a pass over one block of columns
/// then streams through consecutive memory. With M row-major the same pass
/// strides by a whole row, and once M outgrows the L1 cache (d = 128 or
/// more) the kernel ran at half the speed.
///
/// A build for the x86-64 baseline (SSE2 only) hands the product to a
/// library that picks its kernels at run time instead (see ``Engine``), and
/// M is then stored as that library reads it.
package struct RecurrentProduct {
    /// Row r's a_r and y_r, for `count` rows.
    let a: UnsafePointer<UnsafePointer<Float>>
    let y: UnsafePointer<UnsafeMutablePointer<Float>>
    let count: Int
    /// M, (depth, width) stored for `engine`, width a multiple of 16.
    let matrix: UnsafePointer<Float>
    let depth: Int
    let width: Int
    /// (width) where every row's sum starts, or `nil` for 0.
    var start: UnsafePointer<Float>? = nil
    /// The build's register blocking; tests run every one.
    var blocking = Blocking.target
    /// Who computes the product; M must be stored for it (see
    /// ``matrixIndex(row:column:depth:width:engine:)``). Tests run each.
    var engine = Engine.target
    /// Where the xsmm engine keeps the kernels it looked up, for a caller
    /// that runs the same product step after step; `nil` to look them up on
    /// every run. The other engines need no lookup.
    var kernels: UnsafeMutablePointer<KernelCache>? = nil

    /// Who computes the per-step product.
    ///
    /// A plain `swift build -c release` on x86-64 targets SSE2, where the
    /// micro-kernel has half of AVX2's vector width and no FMA, while
    /// OpenBLAS and oneDNN pick their kernels for the CPU at run time.
    /// Measured on a 2-core Zen 3 (AVX2), medians of 8 interleaved runs of
    /// `xlstm bench layer`, forward ms, SSE2 build: (B, T, D = H, K) =
    /// (8, 256, 256, 1) 39.1 with the micro-kernel, 36.0 with OpenBLAS;
    /// (8, 256, 256, 4) 19.3, 17.2; (1, 1024, 128, 1) 6.8, 4.8;
    /// (32, 512, 512, 1) 1150 against 690 in two pairs. In a
    /// `-target-cpu native` build the micro-kernel was faster:
    /// (8, 256, 256, 1) 22.2 against 34.0, since it packs R once per pass
    /// where each library call packs it again. On a 2-core Zen 4 (AVX-512),
    /// SSE2 build, interleaved pairs, forward / forward and backward ms:
    /// (8, 256, 256, 1) 34.0 / 77.4 and 30.2 / 68.8 with OpenBLAS, 19.0 /
    /// 47.3 and 18.8 / 49.0 with oneDNN (``Engine/oneDNN``); (32, 512, 512, 1) 558 / 1551
    /// and 587 / 1529 against 433 / 1264 and 415 / 1257.
    ///
    /// On x86-64 Linux such a build uses libxsmm, whose kernels are
    /// generated at run time for the CPU and for each product's shape
    /// (``xsmm``). `xlstm bench gemm` in such a build on a 2-core Zen 3
    /// (AVX2), 2 threads each taking half the rows, GFLOP/s, rows x width x
    /// depth: 8x1024x256 130 through libxsmm, 78 through oneDNN, 54 through
    /// OpenBLAS, 62 through the SSE2 micro-kernel; 8x256x64 123, 68, 44,
    /// 54; 32x2048x512 154, 139, 112, 62. The micro-kernel of a `-target-cpu
    /// native` build ran them at 165, 135 and 151.
    package enum Engine: CaseIterable, Sendable {
        /// ``RecurrentProduct/run()``'s own SIMD loops; M in panels of 16 columns.
        case microKernel
        /// One single-threaded OpenBLAS product per step (``runThroughBLAS()``); M row-major.
        case blas
        /// As ``blas``, but products of at least `OneDNN.minimumMultiplyAdds`
        /// (rows x width x depth) go to oneDNN (``OneDNN``); M row-major.
        ///
        /// OpenBLAS packs the whole of M again on every call, and on a large
        /// M oneDNN was 2 to 3 times as fast; on small products OpenBLAS's
        /// small-matrix kernels (in its AVX-512 builds) lead. Single-threaded
        /// GFLOP/s, OpenBLAS against oneDNN, M row-major, one M again and
        /// again, on a 2-core Zen 4 (AVX-512; OpenBLAS picks its Cooperlake
        /// kernels), rows x width x depth: 4x1024x256 18.5 / 57.1, 4x256x1024
        /// 38.6 / 106.2, 16x512x128 65.3 / 109.1, 16x2048x512 48.3 / 92.2 at
        /// 2^20 multiply-adds and more; 8x512x128 113.7 / 110.4, 8x256x64
        /// 112.4 / 100.3, 1x128x32 53.3 / 35.2 below.
        case oneDNN
        /// One libxsmm kernel per panel of M (``runThroughXSMM()``, x86-64
        /// Linux only); M in panels of ``RecurrentProduct/xsmmPanelWidth``
        /// columns, the last one 16 wide when width is not a multiple of 32.
        case xsmm

        /// The micro-kernel, but when the build may use no more than SSE2's
        /// sixteen 16-byte registers (``Blocking/narrow``): then libxsmm on
        /// x86-64 Linux, elsewhere oneDNN if the system has it, else the BLAS.
        static let target: Engine = {
            guard Blocking.target == .narrow else { return .microKernel }
            #if os(Linux) && arch(x86_64)
            return .xsmm
            #else
            return OneDNN.shared != nil ? .oneDNN : .blas
            #endif
        }()

        /// Done once per process on the calling thread, before workers run the
        /// engine: libxsmm initializes here rather than in one worker while
        /// another may read the environment, which its initialization edits
        /// (see ``RecurrentProduct/xsmmInitialized``).
        func prepare() {
            #if os(Linux) && arch(x86_64)
            if self == .xsmm { _ = RecurrentProduct.xsmmInitialized }
            #endif
        }

        /// The engines this platform can run: libxsmm is linked on x86-64 Linux only.
        package static var available: [Engine] {
            #if os(Linux) && arch(x86_64)
            allCases
            #else
            allCases.filter { $0 != .xsmm }
            #endif
        }
    }

    /// Columns per panel of M for ``Engine/xsmm``: in a single-threaded
    /// probe on a Zen 3, 8x1024x256 ran at 81 GFLOP/s with panels of 32
    /// columns, 60 with 16, 64 with 64, and 35 to 46 with M row-major.
    static let xsmmPanelWidth = 32

    /// Groups of rows and columns whose sums fit the vector registers of the
    /// build's instruction set. A SIMD16<Float> sum takes four 16-byte SSE
    /// or NEON registers, two AVX2 ones or one AVX-512 register; a group
    /// needs about eight independent sums in flight to cover the latency of
    /// the adds, plus registers for the loads of M and of a_r.
    enum Blocking {
        /// 2 rows x 16 columns, and 1 x 32: 8 of the 16 SSE registers of a
        /// plain x86-64 build, where the standard groups' 16 spilled to the
        /// stack (measured: the recurrence ran at a quarter of the AVX2 speed).
        case narrow
        /// 4 rows x 16 columns, 2 x 32, 1 x 64: 8 of the 16 AVX2 registers
        /// (16 of the 32 NEON ones).
        case standard
        /// 4 rows x 32 columns, then as standard: 8 of the 32 AVX-512
        /// registers, where 4 x 16 would be only 4 sums in flight.
        case wide

        /// The blocking for the registers this build targets (from the
        /// compiler's own target macros, `CTargetFeatures`).
        static let target = Blocking(registerFileBytes: Int(XLSTM_VECTOR_REGISTER_BYTES))

        /// The blocking for a vector register file of `registerFileBytes`.
        init(registerFileBytes: Int) {
            self = registerFileBytes >= 2048 ? .wide : registerFileBytes >= 512 ? .standard : .narrow
        }
    }

    /// Where M[row][column] lives in the panel layout.
    @inline(__always)
    static func panelIndex(row: Int, column: Int, depth: Int) -> Int {
        (column / 16) * depth * 16 + row * 16 + column % 16
    }

    /// Where M[row][column] of a (depth, width) M lives for `engine`: in
    /// panels of 16 columns for the micro-kernel, of 32 (the last maybe 16)
    /// for libxsmm, row-major for the BLAS libraries.
    @inline(__always)
    static func matrixIndex(row: Int, column: Int, depth: Int, width: Int, engine: Engine) -> Int {
        switch engine {
        case .microKernel: return panelIndex(row: row, column: column, depth: depth)
        case .blas, .oneDNN: return row * width + column
        case .xsmm:
            let first = column / xsmmPanelWidth * xsmmPanelWidth
            return first * depth + row * min(xsmmPanelWidth, width - first) + column - first
        }
    }

    @inline(__always)
    func initial(_ column: Int) -> SIMD16<Float> {
        start.map { loadVector($0 + column) } ?? SIMD16(repeating: 0)
    }

    @inline(never)
    func run() {
        switch engine {
        case .microKernel: break
        case .blas, .oneDNN:
            runThroughBLAS()
            return
        case .xsmm:
            #if os(Linux) && arch(x86_64)
            runThroughXSMM()
            return
            #else
            fatalError("the xsmm engine runs on x86-64 Linux only")
            #endif
        }
        // Columns in tiles of about 128 KB of M, each used by every row group
        // before the next is read: a tile stays in the L2 cache, where with
        // row groups outermost a large M (one head of 512 units is 4 MB) came
        // from L3 once per group of rows.
        let tile = max(64, (32 * 1024 / depth) / 64 * 64)
        var columns = 0..<min(width, tile)
        while !columns.isEmpty {
            var row = 0
            switch blocking {
            case .narrow:
                while row + 2 <= count {
                    twoRowsNarrow(row, columns)
                    row += 2
                }
                if row < count { oneRowNarrow(row, columns) }
            case .standard, .wide:
                while row + 4 <= count {
                    if blocking == .wide { fourRowsWide(row, columns) } else { fourRows(row, columns) }
                    row += 4
                }
                if row + 2 <= count {
                    twoRows(row, columns)
                    row += 2
                }
                if row < count { oneRow(row, columns) }
            }
            columns = columns.upperBound..<min(width, columns.upperBound + tile)
        }
    }
}

/// 16 Floats from `pointer` (any alignment).
@inline(__always)
func loadVector(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func loadVector(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

/// Stores 16 Floats at `pointer` (any alignment).
@inline(__always)
func storeVector(_ vector: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD16<Float>.self)
}

/// Stores the first `count` (1...16) lanes of `vector` at `pointer`.
@inline(__always)
func storeVector(_ vector: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>, count: Int) {
    if count == 16 {
        storeVector(vector, pointer)
    } else {
        for lane in 0..<count { pointer[lane] = vector[lane] }
    }
}

/// Copies `count` Floats, a multiple of 16, with vector loads and stores.
///
/// For the short copies of every time step (a bias row, a part's h_{t-1}):
/// `update(from:count:)` calls `memmove`, whose call and size dispatch cost
/// more than such a copy. In a plain build (SSE2) on a 2-core Zen 3,
/// `memmove` was 4.9% of the samples of `xlstm bench layer --batch 1
/// --steps 1024 --input-size 128 --hidden-size 128 --heads 4`, 0.4% after.
@inline(__always)
func copyVectors(_ count: Int, from source: UnsafePointer<Float>, to target: UnsafeMutablePointer<Float>) {
    for j in stride(from: 0, to: count, by: 16) { storeVector(loadVector(source + j), target + j) }
}
