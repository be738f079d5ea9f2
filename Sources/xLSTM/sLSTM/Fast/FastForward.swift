import xLSTMNN
import xLSTMTensor

/// The forward pass of the fast kernel and everything it keeps for the
/// backward (in ``FastLayout``: head-major buffers, rows `time * B + row`).
///
/// 1. the input projection for all steps as BLAS matrix products,
///    gates_k (T * B, 4dp) = X W'_k^T (see ``run(_:partition:threads:)``
///    for who computes which part);
/// 2. the recurrence, one work item per (batch chunk, head, part) (see
///    ``WorkPartition``), each with its own time loop: R_k h_{t-1}
///    (``RecurrentProduct``), then the fused pointwise step
///    (``FastPointwise/Forward``).
///
/// A pass that will never be differentiated (inference, `withoutGradients`)
/// keeps only the gates, which it needs as its workspace.
final class FastForward {
    let layout: FastLayout
    let geometry: sLSTMLayerGeometry
    /// The input (T * B, D), with padded steps zeroed when lengths differ:
    /// padding is never read, and the backward's dW = dG^T X must not see it.
    let x: [Float]
    /// W' (K * 4dp, D) and b' (K * 4dp), packed.
    let inputWeights: FloatBuffer
    let bias: FloatBuffer
    /// The initial h, c, n, m, padded to (B, K * dp).
    let initial: [FloatBuffer]
    /// (K, T * B, 4dp): the input projection, then (when saving) i', f', z, o
    /// of every step; unused at padded steps.
    let gates: FloatBuffer
    /// What the backward needs besides the gates; `nil` when not saving.
    let saved: Saved?
    /// Who computes the recurrent products of this pass and of its backward.
    let engine: RecurrentProduct.Engine

    /// Per-step results kept for the backward, each (K, T * B, dp).
    struct Saved {
        /// c_t and n_t after the step that read time t.
        let c: FloatBuffer
        let n: FloatBuffer
        /// sigmoid(-f~), only for the sigmoid forget gate.
        let forgetSlope: FloatBuffer?
        /// The h_{t-1} that the step at time t read, zero at padded steps:
        /// (K, T * B, dp), or with one head rows `[x | h_{t-1}]` (T * B, D + dp)
        /// (see ``FastLayout/savesInputsBesideStates``).
        let previousH: FloatBuffer
    }

    /// - Parameters:
    ///   - saving: keep what the backward needs.
    ///   - engine: who computes the recurrent products.
    init(
        _ geometry: sLSTMLayerGeometry, _ inputs: sLSTMLayerInputs<Float>, saving: Bool,
        engine: RecurrentProduct.Engine
    ) {
        let layout = FastLayout(geometry)
        self.layout = layout
        self.geometry = geometry
        self.engine = engine
        engine.prepare()
        x = Self.maskPadding(inputs.x, geometry)
        let inputWeights = FloatBuffer(count: layout.gateWidth * layout.inputSize)
        inputs.inputWeights.withUnsafeBufferPointer {
            layout.packInputWeights($0.baseAddress!, into: inputWeights.pointer)
        }
        self.inputWeights = inputWeights
        let bias = FloatBuffer(count: layout.gateWidth)
        inputs.bias.withUnsafeBufferPointer { layout.packBias($0.baseAddress!, into: bias.pointer) }
        self.bias = bias
        initial = [inputs.initial.h, inputs.initial.c, inputs.initial.n, inputs.initial.m].map { state in
            let padded = FloatBuffer(count: layout.batch * layout.paddedHiddenSize)
            state.withUnsafeBufferPointer { layout.padState($0.baseAddress!, into: padded.pointer) }
            return padded
        }
        gates = FloatBuffer(count: layout.rows * layout.gateWidth)
        let units = layout.rows * layout.paddedHiddenSize
        saved =
            saving
            ? Saved(
                c: FloatBuffer(count: units), n: FloatBuffer(count: units),
                forgetSlope: geometry.forgetGate == .sigmoid ? FloatBuffer(count: units) : nil,
                previousH: layout.savesInputsBesideStates
                    ? Self.inputsBesideStates(x, layout) : FloatBuffer(count: units))
            : nil
    }

    /// A (T * B, D + dp) buffer with x in each row's first D columns; the
    /// time loop fills in the rest.
    private static func inputsBesideStates(_ x: [Float], _ layout: FastLayout) -> FloatBuffer {
        let (D, width) = (layout.inputSize, layout.previousHRowStride)
        let buffer = FloatBuffer(count: layout.rows * width)
        x.withUnsafeBufferPointer { x in
            for row in 0..<layout.rows {
                (buffer.pointer + row * width).initialize(from: x.baseAddress! + row * D, count: D)
            }
        }
        return buffer
    }

    private static func maskPadding(_ x: [Float], _ geometry: sLSTMLayerGeometry) -> [Float] {
        guard geometry.lengths.contains(where: { $0 < geometry.steps }) else { return x }
        var masked = x
        let (B, D) = (geometry.batch, geometry.inputSize)
        for (row, length) in geometry.lengths.enumerated() {
            for time in length..<geometry.steps {
                let start = (time * B + row) * D
                masked.replaceSubrange(start..<(start + D), with: repeatElement(0, count: D))
            }
        }
        return masked
    }

    /// Runs the pass with `threads` workers.
    ///
    /// - Parameter recurrentWeights: R (K, 4d, d).
    /// - Returns: the outputs (T, B, H) and the final state.
    func run(threads: Int, recurrentWeights: [Float]) -> (outputs: [Float], final: sLSTMLayerState<Float>) {
        let layout = self.layout
        let (B, H) = (layout.batch, layout.hiddenSize)
        let partition = WorkPartition(layout, threads: threads, forwardEngine: engine)
        let recurrent = FloatBuffer(count: layout.heads * layout.headSize * layout.headGateWidth)
        recurrentWeights.withUnsafeBufferPointer {
            layout.packRecurrentForward(
                $0.baseAddress!, parts: partition.parts, engine: engine, into: recurrent.pointer)
        }
        let final = (0..<4).map { _ in FloatBuffer(count: B * H) }
        // A split head's workers exchange h_{t-1} through a (2, B, dp) buffer per head, one half per step parity.
        let sharedH = partition.parts > 1 ? FloatBuffer(count: layout.heads * 2 * B * layout.paddedHeadSize) : nil
        let outputs = withSingleThreadedBLAS { [Float].fresh(count: layout.rows * H) { outputs in
            x.withUnsafeBufferPointer { x in
                geometry.lengths.withUnsafeBufferPointer { lengths in
                    let context = Context(
                        layout: layout, parts: partition.parts, barriers: partition.makeBarriers(),
                        sigmoidForgetGate: geometry.forgetGate == .sigmoid, reverse: geometry.reverse,
                        lengths: lengths.baseAddress!, x: x.baseAddress!, inputWeights: inputWeights.pointer,
                        bias: bias.pointer, recurrent: recurrent.pointer, engine: engine,
                        initial: initial.map { UnsafePointer($0.pointer) }, gates: gates.pointer,
                        saved: saved.map {
                            SavedPointers(
                                c: $0.c.pointer, n: $0.n.pointer, forgetSlope: $0.forgetSlope?.pointer,
                                previousH: $0.previousH.pointer)
                        }, sharedH: sharedH?.pointer, outputs: outputs.baseAddress!, final: final.map(\.pointer))
                    Self.run(context, partition: partition, threads: threads)
                }
            }
        } }
        let state = final.map(\.array)
        return (outputs, sLSTMLayerState(h: state[0], c: state[1], n: state[2], m: state[3]))
    }

    /// The projection and the recurrence. When the work items divide evenly
    /// among the workers, each item projects its own (chunk, head, part)
    /// just before its time loop: one dispatch, no wait between the phases,
    /// and the projection is still in cache when the loop reads it.
    /// Otherwise (fewer items than workers) all workers first share the
    /// projection by rows.
    private static func run(_ context: Context, partition: WorkPartition, threads: Int) {
        let layout = context.layout
        let projectInItems = partition.itemCount % threads == 0
        if !projectInItems {
            runWorkers(threads) { worker in
                for head in 0..<layout.heads { project(context, head: head, band: (worker, threads)) }
            }
        }
        partition.runItems(threads: threads) { rows, head, part in
            if projectInItems { project(context, rows: rows, head: head, part: part) }
            runItem(context, rows: rows, head: head, part: part)
        }
    }

    /// What one work item reads and writes. @unchecked Sendable: raw
    /// pointers; the items write disjoint (row, head, unit) slices of every
    /// buffer, except a split head's shared h, which its team orders with
    /// its barrier.
    private struct Context: @unchecked Sendable {
        let layout: FastLayout
        let parts: Int
        /// One per head when heads are split, else empty.
        let barriers: [any TeamBarrier]
        let sigmoidForgetGate: Bool
        let reverse: Bool
        let lengths: UnsafePointer<Int>
        /// X (T * B, D) and W' (K * 4dp, D).
        let x: UnsafePointer<Float>
        let inputWeights: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
        /// (K, d, 4dp), see ``FastLayout/packRecurrentForward(_:parts:engine:into:)``.
        let recurrent: UnsafePointer<Float>
        let engine: RecurrentProduct.Engine
        let initial: [UnsafePointer<Float>]
        let gates: UnsafeMutablePointer<Float>
        let saved: SavedPointers?
        /// (K, 2, B, dp) when heads are split.
        let sharedH: UnsafeMutablePointer<Float>?
        /// (T, B, H).
        let outputs: UnsafeMutablePointer<Float>
        /// Final h, c, n, m, (B, H) each.
        let final: [UnsafeMutablePointer<Float>]
    }

    private struct SavedPointers {
        let c: UnsafeMutablePointer<Float>
        let n: UnsafeMutablePointer<Float>
        let forgetSlope: UnsafeMutablePointer<Float>?
        let previousH: UnsafeMutablePointer<Float>
    }

    /// The input projection of one work item for all steps: gates_k[t * B + b]
    /// = W'_k x[t * B + b] for the chunk's rows b and the part's units.
    /// One product per gate of a split head's part (its columns are 4 runs of
    /// units), else one for the head's 4 gates together; and per row when the
    /// chunk is not the whole batch (its steps are B rows apart).
    private static func project(_ context: Context, rows: Range<Int>, head: Int, part: Int) {
        let layout = context.layout
        if rows.count == layout.batch && context.parts == 1 {
            project(context, head: head, band: (0, 1))
            return
        }
        let (B, D, dp, width) = (layout.batch, layout.inputSize, layout.paddedHeadSize, layout.headGateWidth)
        let units = layout.units(part: part, of: context.parts)
        // (first column, width) of each product: the 4 gates' runs are one run when the part is the whole head.
        let runs = context.parts == 1 ? [(0, width)] : (0..<4).map { ($0 * dp + units.lowerBound, units.count) }
        // Rows of X (and of the gates) for all steps: either all T * B, or T rows B apart per batch row.
        let bands = rows.count == B ? [(0, layout.rows, 1)] : rows.map { ($0, layout.steps, B) }
        for (first, count, stride) in bands {
            for (column, n) in runs {
                SplitProduct(
                    transposeB: true, m: count, n: n, k: D, a: context.x + first * D, lda: stride * D,
                    b: context.inputWeights + (head * width + column) * D, ldb: D,
                    c: context.gates + layout.gateOffset(head: head, at: first) + column, ldc: stride * width
                ).run(piece: 0, of: 1)
            }
        }
    }

    /// Band `band.piece` of `band.pieces` of the rows of one head's whole projection.
    private static func project(_ context: Context, head: Int, band: (piece: Int, pieces: Int)) {
        let layout = context.layout
        let (D, width) = (layout.inputSize, layout.headGateWidth)
        SplitProduct(
            transposeB: true, m: layout.rows, n: width, k: D, a: context.x, lda: D,
            b: context.inputWeights + head * width * D, ldb: D, c: context.gates + layout.gateOffset(head: head, at: 0),
            ldc: width
        ).run(piece: band.piece, of: band.pieces)
    }

    /// The whole time loop of one (batch chunk, head, part).
    @inline(never)
    private static func runItem(_ context: Context, rows: Range<Int>, head: Int, part: Int) {
        let layout = context.layout
        let (T, B, H) = (layout.steps, layout.batch, layout.hiddenSize)
        let (d, dp, paddedH) = (layout.headSize, layout.paddedHeadSize, layout.paddedHiddenSize)
        let units = layout.units(part: part, of: context.parts)
        let (first, width, realUnits) = (units.lowerBound, units.count, min(units.count, d - units.lowerBound))
        let count = rows.count
        let split = context.parts > 1
        // The running c, n, m of the part (count, width) each, R_k h_{t-1} + b (count, 4 width),
        // the part's bias (4 width), and, unless the head is split (then h is shared), h (count, dp).
        let state = allocateAligned(count * (7 * width + (split ? 0 : dp)) + 4 * width)
        defer { UnsafeMutableRawPointer(state).deallocate() }
        let (c, n, m) = (state, state + count * width, state + 2 * count * width)
        let recurrentPart = state + 3 * count * width
        let ownH = state + 7 * count * width
        let bias = ownH + (split ? 0 : count * dp)
        for gate in 0..<4 {
            (bias + gate * width).initialize(
                from: context.bias + head * layout.headGateWidth + gate * dp + first, count: width)
        }
        // h_{t-1} of local row r at loop step s, and where step s writes h_t.
        let sharedH = context.sharedH.map { $0 + head * 2 * B * dp }
        func previousH(_ local: Int, _ step: Int) -> UnsafeMutablePointer<Float> {
            sharedH.map { $0 + (((step + 1) % 2) * B + local) * dp } ?? ownH + local * dp
        }
        func nextH(_ local: Int, _ step: Int) -> UnsafeMutablePointer<Float> {
            sharedH.map { $0 + ((step % 2) * B + local) * dp } ?? ownH + local * dp
        }
        for (local, row) in rows.enumerated() {
            let start = row * paddedH + head * dp + first
            (previousH(local, 0) + first).update(from: context.initial[0] + start, count: width)
            for (index, target) in [c, n, m].enumerated() {
                (target + local * width).initialize(from: context.initial[index + 1] + start, count: width)
            }
        }
        if split { context.barriers[head].wait() }
        // Per step: the rows still running, their h_{t-1} and R_k h_{t-1}.
        let active = UnsafeMutablePointer<(local: Int, at: Int)>.allocate(capacity: count)
        let a = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: count)
        let y = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: count)
        let kernels = UnsafeMutablePointer<RecurrentProduct.KernelCache>.allocate(capacity: 1)
        kernels.initialize(to: .init())
        defer {
            active.deallocate()
            a.deallocate()
            y.deallocate()
            kernels.deallocate()
        }
        let recurrent = context.recurrent + (head * layout.headGateWidth + 4 * first) * d
        for step in 0..<T {
            var activeCount = 0
            for (local, row) in rows.enumerated() where step < context.lengths[row] {
                let time = context.reverse ? context.lengths[row] - 1 - step : step
                let at = time * B + row
                active[activeCount] = (local, at)
                a[activeCount] = UnsafePointer(previousH(local, step))
                y[activeCount] = recurrentPart + local * 4 * width
                if let saved = context.saved {
                    copyVectors(
                        width, from: previousH(local, step) + first,
                        to: saved.previousH + layout.previousHOffset(head: head, at: at) + first)
                }
                activeCount += 1
            }
            if activeCount == 0 { break }
            RecurrentProduct(
                a: a, y: y, count: activeCount, matrix: recurrent, depth: d, width: 4 * width, start: bias,
                engine: context.engine, kernels: kernels
            ).run()
            for index in 0..<activeCount {
                let (local, at) = active[index]
                let unit = layout.unitOffset(head: head, at: at) + first
                FastPointwise.Forward(
                    gates: context.gates + layout.gateOffset(head: head, at: at) + first, gateStride: dp,
                    recurrent: y[index], h: nextH(local, step) + first, c: c + local * width,
                    n: n + local * width, m: m + local * width, sigmoidForgetGate: context.sigmoidForgetGate,
                    savedC: context.saved.map { $0.c + unit }, savedN: context.saved.map { $0.n + unit },
                    forgetSlope: context.saved?.forgetSlope.map { $0 + unit },
                    output: context.outputs + at * H + head * d + first
                ).run(width: width, realUnits: realUnits)
            }
            if split { context.barriers[head].wait() }
        }
        for (local, row) in rows.enumerated() {
            // Padded steps: zero outputs, and a zero h_{t-1} so that dR = dG^T H_{t-1} reads no garbage.
            for time in context.lengths[row]..<T {
                (context.outputs + (time * B + row) * H + head * d + first).update(repeating: 0, count: realUnits)
                if let saved = context.saved {
                    (saved.previousH + layout.previousHOffset(head: head, at: time * B + row) + first).update(
                        repeating: 0, count: width)
                }
            }
            let finalH = nextH(local, context.lengths[row] - 1) + first
            for (index, source) in [finalH, c + local * width, n + local * width, m + local * width].enumerated() {
                (context.final[index] + row * H + head * d + first).update(from: source, count: realUnits)
            }
        }
    }
}
