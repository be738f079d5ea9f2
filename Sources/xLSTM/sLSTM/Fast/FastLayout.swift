import xLSTMNN
import xLSTMTensor

/// The fast kernel's memory layout: every head's four gates side by side,
/// each padded to whole 16-lane vectors, and every per-step buffer head-major.
///
/// The library's layout (see ``sLSTMLayerGeometry``) is gate-major: gate `g`
/// of unit `u` is column `g * H + u`. The kernel instead keeps the pre-
/// activations of one head together, so that the recurrent micro-kernel and
/// the pointwise step read one contiguous block per (time, row, head):
///
///     kernel column of (head k, gate g, j) = k * 4dp + g * dp + j,   dp = d rounded up to 16
///
/// Buffers with one entry per step and batch row are head-major: (K, T * B,
/// 4dp) for gates, (K, T * B, dp) for units, with rows `time * B + row` like
/// the input (the backward's gate gradients are the exception, see
/// ``gradientOffset(head:at:)``). A work item (one head) then streams
/// through consecutive memory as its time loop advances; with all heads side
/// by side in each row, its rows were 4 KiB apart, and the single-threaded
/// forward loop at B = 8, T = 256, H = 256, K = 4 took 8.5 instead of 6.4 ms.
///
/// Padding lanes hold exact zeros in the packed weights, so they compute
/// finite values that are never written out.
struct FastLayout: Sendable {
    let steps: Int
    let batch: Int
    let inputSize: Int
    let hiddenSize: Int
    let heads: Int
    /// d = H / K.
    let headSize: Int
    /// dp: d rounded up to a multiple of 16.
    let paddedHeadSize: Int

    init(_ geometry: sLSTMLayerGeometry) {
        steps = geometry.steps
        batch = geometry.batch
        inputSize = geometry.inputSize
        hiddenSize = geometry.hiddenSize
        heads = geometry.heads
        headSize = geometry.headSize
        paddedHeadSize = (headSize + 15) / 16 * 16
    }

    /// T * B, the rows of the input projection.
    var rows: Int { steps * batch }
    /// 4dp: one head's four gates.
    var headGateWidth: Int { 4 * paddedHeadSize }
    /// K * 4dp: all gates of one (time, row).
    var gateWidth: Int { heads * headGateWidth }
    /// K * dp: all units of one (time, row), padded.
    var paddedHiddenSize: Int { heads * paddedHeadSize }

    /// Where (head, row `at` = time * B + b) starts in a (K, T * B, 4dp) gate buffer.
    @inline(__always)
    func gateOffset(head: Int, at: Int) -> Int { (head * rows + at) * headGateWidth }

    /// Where (row `at`, head) starts in the backward's (T * B, K * 4dp) gate
    /// gradients. Unlike the forward's buffers these are row-major: the
    /// whole-sequence products after the backward loop then take all heads
    /// at once (dx = dG W' with k = K * 4dp, dW' = dG^T X), where head-major
    /// gradients needed one product per head and each packed X again. The
    /// loop writes one contiguous (at, head) block per step either way.
    @inline(__always)
    func gradientOffset(head: Int, at: Int) -> Int { at * gateWidth + head * headGateWidth }

    /// Whether the forward saves each h_{t-1} beside a copy of x, in rows
    /// `[x | h_{t-1}]` of D + dp: with one head, the backward's dW' = dG~^T X
    /// and dR' = dG~^T H_{t-1} then are one product (see ``FastBackward``).
    /// With more heads the copy buys nothing, and h_{t-1} is (K, T * B, dp)
    /// like the other unit buffers.
    var savesInputsBesideStates: Bool { heads == 1 }

    /// How far apart the saved h_{t-1} of consecutive rows `at` are.
    var previousHRowStride: Int { savesInputsBesideStates ? inputSize + paddedHeadSize : paddedHeadSize }

    /// Where the saved h_{t-1} of (head, row `at`) starts.
    @inline(__always)
    func previousHOffset(head: Int, at: Int) -> Int {
        savesInputsBesideStates ? at * previousHRowStride + inputSize : unitOffset(head: head, at: at)
    }

    /// Where (head, row `at`) starts in a (K, T * B, dp) unit buffer.
    @inline(__always)
    func unitOffset(head: Int, at: Int) -> Int { (head * rows + at) * paddedHeadSize }

    /// The kernel column of gate `gate` of unit `unit` (library index `gate * H + unit`).
    @inline(__always)
    func kernelColumn(gate: Int, unit: Int) -> Int {
        let (head, j) = unit.quotientAndRemainder(dividingBy: headSize)
        return head * headGateWidth + gate * paddedHeadSize + j
    }

    /// Calls `body(library, kernel)` for the index pair of every gate row of
    /// every unit: `library = gate * H + unit`, `kernel = kernelColumn(...)`.
    func forEachGateRow(_ body: (_ library: Int, _ kernel: Int) -> Void) {
        for gate in 0..<4 {
            for unit in 0..<hiddenSize {
                body(gate * hiddenSize + unit, kernelColumn(gate: gate, unit: unit))
            }
        }
    }

    /// W' (K * 4dp, D): the input weights (4H, D) with rows in kernel order, zero padding rows.
    func packInputWeights(_ weights: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>) {
        let D = inputSize
        packed.initialize(repeating: 0, count: gateWidth * D)
        forEachGateRow { library, kernel in
            (packed + kernel * D).update(from: weights + library * D, count: D)
        }
    }

    /// b' (K * 4dp): the bias (4H) in kernel order, zero padding.
    func packBias(_ bias: UnsafePointer<Float>, into packed: UnsafeMutablePointer<Float>) {
        packed.initialize(repeating: 0, count: gateWidth)
        forEachGateRow { library, kernel in packed[kernel] = bias[library] }
    }

    /// The padded units of part `part` when a head is split among `parts`
    /// workers: a whole number of 16-lane vectors.
    func units(part: Int, of parts: Int) -> Range<Int> {
        let blocks = evenPiece(part, of: parts, total: paddedHeadSize / 16)
        return (blocks.lowerBound * 16)..<(blocks.upperBound * 16)
    }

    /// The recurrent weights for the forward product, per head and part
    /// (units U, w = |U|): R_k^T restricted to the part's gates, (d, 4w)
    /// stored for `engine` (see ``RecurrentProduct/matrixIndex(row:column:depth:width:engine:)``),
    /// column `g * w + j'` for unit U[j'] of gate g. Part p of head k starts
    /// at `(k * 4dp + 4 * U.lowerBound) * d`.
    func packRecurrentForward(
        _ weights: UnsafePointer<Float>, parts: Int, engine: RecurrentProduct.Engine,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let d = headSize
        packed.initialize(repeating: 0, count: heads * d * headGateWidth)
        for head in 0..<heads {
            let source = weights + head * 4 * d * d
            for part in 0..<parts {
                let units = units(part: part, of: parts)
                let target = packed + (head * headGateWidth + 4 * units.lowerBound) * d
                let width = 4 * units.count
                for gate in 0..<4 {
                    for (column, j) in units.enumerated() where j < d {
                        // Row j of R_k's gate block is column j of R_k^T.
                        let from = source + (gate * d + j) * d
                        for e in 0..<d {
                            let at = RecurrentProduct.matrixIndex(
                                row: e, column: gate * units.count + column, depth: d, width: width, engine: engine)
                            target[at] = from[e]
                        }
                    }
                }
            }
        }
    }

    /// The recurrent weights for the backward product, per head and part:
    /// R_k restricted to the part's gates, (4w, dp) stored for `engine`,
    /// row `g * w + j'` holding what gate g of unit U[j'] sends back to h.
    /// Part p of head k starts at `(k * 4dp + 4 * U.lowerBound) * dp`.
    func packRecurrentBackward(
        _ weights: UnsafePointer<Float>, parts: Int, engine: RecurrentProduct.Engine,
        into packed: UnsafeMutablePointer<Float>
    ) {
        let (d, dp) = (headSize, paddedHeadSize)
        packed.initialize(repeating: 0, count: heads * headGateWidth * dp)
        for head in 0..<heads {
            let source = weights + head * 4 * d * d
            for part in 0..<parts {
                let units = units(part: part, of: parts)
                let target = packed + (head * headGateWidth + 4 * units.lowerBound) * dp
                for gate in 0..<4 {
                    for (row, j) in units.enumerated() where j < d {
                        // 16 consecutive columns of a row are consecutive memory in either storage.
                        let from = source + (gate * d + j) * d
                        for column in stride(from: 0, to: d, by: 16) {
                            let at = RecurrentProduct.matrixIndex(
                                row: gate * units.count + row, column: column, depth: 4 * units.count, width: dp,
                                engine: engine)
                            (target + at).update(from: from + column, count: min(16, d - column))
                        }
                    }
                }
            }
        }
    }

    /// Copies a (B, H) state into (B, K * dp) with zero padding lanes.
    func padState(_ state: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let (d, dp) = (headSize, paddedHeadSize)
        padded.initialize(repeating: 0, count: batch * paddedHiddenSize)
        for row in 0..<batch {
            for head in 0..<heads {
                (padded + row * paddedHiddenSize + head * dp).update(
                    from: state + row * hiddenSize + head * d, count: d)
            }
        }
    }
}
