import xLSTMNN
import xLSTMTensor

/// The backward pass of the fast kernel (BPTT with every m_t frozen):
///
/// 1. per (batch chunk, head, part) work item (see ``WorkPartition``), a
///    reversed time loop: the pointwise derivative (``FastPointwise/Backward``)
///    gives dG~ (T * B, K * 4dp), and dh_{t-1} = R_k^T dg~ (``RecurrentProduct``);
/// 2. after the loop, whole-sequence matrix products split over the workers:
///    dx = dG~ W', dW' = dG~^T X, dR'_k = dG~_k^T H_{t-1,k},
///    db' = column sums of dG~; with one head, [dW' | dR'] = dG~^T [X | H_{t-1}]
///    is one product (see ``Products``);
/// 3. the packed gradients are put back in the library's layout.
enum FastBackward {
    /// - Parameters:
    ///   - forward: a pass run with `saving: true`.
    ///   - recurrentWeights: R (K, 4d, d).
    static func run(
        _ forward: FastForward, recurrentWeights: [Float], upstream: sLSTMLayerUpstream<Float>, threads: Int
    ) -> sLSTMLayerGradients<Float> {
        guard let saved = forward.saved else { fatalError("the fast sLSTM forward pass kept nothing for its backward") }
        let layout = forward.layout
        let (B, D, H, K) = (layout.batch, layout.inputSize, layout.hiddenSize, layout.heads)
        let (d, dp, width) = (layout.headSize, layout.paddedHeadSize, layout.headGateWidth)
        let partition = WorkPartition(layout, threads: threads)
        let recurrent = FloatBuffer(count: K * width * dp)
        recurrentWeights.withUnsafeBufferPointer {
            layout.packRecurrentBackward(
                $0.baseAddress!, parts: partition.parts, engine: forward.engine, into: recurrent.pointer)
        }
        // A split head's workers add up their parts of dh_{t-1} through a (2, parts, B, dp)
        // buffer per head, one half per step parity.
        let partialDH = partition.parts > 1 ? FloatBuffer(count: K * 2 * partition.parts * B * dp) : nil
        let dGates = FloatBuffer(count: layout.rows * layout.gateWidth)
        let dInitial = (0..<4).map { _ in FloatBuffer(count: B * H) }
        let targets = ProductTargets(layout)
        let packedBias = FloatBuffer(count: layout.gateWidth)
        let dx = withSingleThreadedBLAS { [Float].fresh(count: layout.rows * D) { dx in
            withUpstream(upstream) { upstream in
                forward.geometry.lengths.withUnsafeBufferPointer { lengths in
                    let context = Context(
                        layout: layout, parts: partition.parts, barriers: partition.makeBarriers(),
                        reverse: forward.geometry.reverse, lengths: lengths.baseAddress!,
                        recurrent: recurrent.pointer, engine: forward.engine, gates: forward.gates.pointer, c: saved.c.pointer,
                        n: saved.n.pointer, forgetSlope: saved.forgetSlope?.pointer,
                        initialC: forward.initial[1].pointer, initialN: forward.initial[2].pointer,
                        upstream: upstream, partialDH: partialDH?.pointer, dGates: dGates.pointer,
                        dInitial: dInitial.map(\.pointer))
                    partition.runItems(threads: threads) { rows, head, part in
                        runItem(context, rows: rows, head: head, part: part)
                    }
                }
            }
            forward.x.withUnsafeBufferPointer { x in
                // With one head, X is the first D columns of the saved [x | h_{t-1}] rows.
                let beside = layout.savesInputsBesideStates
                let products = Products(
                    layout: layout, dGates: dGates.pointer,
                    x: beside ? UnsafePointer(saved.previousH.pointer) : x.baseAddress!,
                    xStride: beside ? layout.previousHRowStride : D, previousH: saved.previousH.pointer,
                    inputWeights: forward.inputWeights.pointer, dx: dx.baseAddress!, targets: targets,
                    dBias: packedBias.pointer)
                runWorkers(threads) { products.run(worker: $0, of: threads) }
            }
        } }
        // Back to the library's layout: rows of W and entries of b by gate row; R_k's rows
        // g * d + j from the packed g * dp + j. Each copy writes every entry of its array.
        let dW = [Float](unsafeUninitializedCapacity: 4 * H * D) { dW, initialized in
            layout.forEachGateRow { library, kernel in
                (dW.baseAddress! + library * D).initialize(from: targets.dW + kernel * targets.dWStride, count: D)
            }
            initialized = 4 * H * D
        }
        let db = [Float](unsafeUninitializedCapacity: 4 * H) { db, initialized in
            layout.forEachGateRow { library, kernel in
                (db.baseAddress! + library).initialize(to: packedBias.pointer[kernel])
            }
            initialized = 4 * H
        }
        let dR = [Float](unsafeUninitializedCapacity: K * 4 * d * d) { dR, initialized in
            for head in 0..<K {
                for row in 0..<(4 * d) {
                    let (gate, j) = row.quotientAndRemainder(dividingBy: d)
                    (dR.baseAddress! + (head * 4 * d + row) * d).initialize(
                        from: targets.dR + (head * width + gate * dp + j) * targets.dRStride, count: d)
                }
            }
            initialized = K * 4 * d * d
        }
        return sLSTMLayerGradients(
            x: dx, inputWeights: dW, recurrentWeights: dR, bias: db,
            initial: sLSTMLayerState(
                h: dInitial[0].array, c: dInitial[1].array, n: dInitial[2].array, m: dInitial[3].array))
    }

    /// The upstream gradients as pointers, `nil` where none flowed.
    private static func withUpstream<Result>(
        _ upstream: sLSTMLayerUpstream<Float>, _ body: (Upstream) -> Result
    ) -> Result {
        func pointer(_ array: [Float]?, _ next: (UnsafePointer<Float>?) -> Result) -> Result {
            guard let array else { return next(nil) }
            return array.withUnsafeBufferPointer { next($0.baseAddress!) }
        }
        return pointer(upstream.outputs) { outputs in
            pointer(upstream.h) { h in
                pointer(upstream.c) { c in
                    pointer(upstream.n) { n in body(Upstream(outputs: outputs, h: h, c: c, n: n)) }
                }
            }
        }
    }

    /// Upstream gradients: outputs (T, B, H), final h, c, n (B, H); `nil` for zeros.
    private struct Upstream {
        let outputs: UnsafePointer<Float>?
        let h: UnsafePointer<Float>?
        let c: UnsafePointer<Float>?
        let n: UnsafePointer<Float>?
    }

    /// What one work item reads and writes. @unchecked Sendable: raw
    /// pointers; the items write disjoint (row, head, unit) slices of every
    /// buffer, except a split head's partial dh, which its team orders with
    /// its barrier.
    private struct Context: @unchecked Sendable {
        let layout: FastLayout
        let parts: Int
        /// One per head when heads are split, else empty.
        let barriers: [any TeamBarrier]
        let reverse: Bool
        let lengths: UnsafePointer<Int>
        /// (K, 4dp, dp), see ``FastLayout/packRecurrentBackward(_:parts:engine:into:)``.
        let recurrent: UnsafePointer<Float>
        let engine: RecurrentProduct.Engine
        /// The forward's saved (K, T * B, ...) buffers.
        let gates: UnsafePointer<Float>
        let c: UnsafePointer<Float>
        let n: UnsafePointer<Float>
        let forgetSlope: UnsafePointer<Float>?
        /// (B, K * dp).
        let initialC: UnsafePointer<Float>
        let initialN: UnsafePointer<Float>
        let upstream: Upstream
        /// (K, 2, parts, B, dp) when heads are split.
        let partialDH: UnsafeMutablePointer<Float>?
        /// (T * B, K * 4dp), see ``FastLayout/gradientOffset(head:at:)``; zero at padded steps.
        let dGates: UnsafeMutablePointer<Float>
        /// Gradients of the initial h, c, n, m, (B, H) each.
        let dInitial: [UnsafeMutablePointer<Float>]
    }

    /// The whole reversed time loop of one (batch chunk, head, part).
    @inline(never)
    private static func runItem(_ context: Context, rows: Range<Int>, head: Int, part: Int) {
        let layout = context.layout
        let (T, B, H) = (layout.steps, layout.batch, layout.hiddenSize)
        let (d, dp, paddedH) = (layout.headSize, layout.paddedHeadSize, layout.paddedHiddenSize)
        let units = layout.units(part: part, of: context.parts)
        let (first, width, realUnits) = (units.lowerBound, units.count, min(units.count, d - units.lowerBound))
        let count = rows.count
        let split = context.parts > 1
        // The running dh, dc, dn of the part and the gradient of m_0, (count, width) each,
        // and, when the head is split, the part's dg~ with its gates side by side (count, 4 width).
        let state = allocateAligned(count * (4 + (split ? 4 : 0)) * width)
        defer { UnsafeMutableRawPointer(state).deallocate() }
        state.initialize(repeating: 0, count: 4 * count * width)
        let (dh, dc, dn, dm) = (state, state + count * width, state + 2 * count * width, state + 3 * count * width)
        let contiguousDGates = state + 4 * count * width
        for (local, row) in rows.enumerated() {
            for (source, target) in [(context.upstream.h, dh), (context.upstream.c, dc), (context.upstream.n, dn)] {
                guard let source else { continue }
                (target + local * width).update(from: source + row * H + head * d + first, count: realUnits)
            }
        }
        // The part's contribution to dh_{t-1} of local row r at loop step s (the whole head's units).
        let partialDH = context.partialDH.map { $0 + head * 2 * context.parts * B * dp }
        func partial(_ local: Int, _ step: Int, _ part: Int) -> UnsafeMutablePointer<Float> {
            partialDH! + (((step % 2) * context.parts + part) * B + local) * dp
        }
        let active = UnsafeMutablePointer<Int>.allocate(capacity: count)
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
        let recurrent = context.recurrent + (head * layout.headGateWidth + 4 * first) * dp
        for step in (0..<T).reversed() {
            var activeCount = 0
            for (local, row) in rows.enumerated() where step < context.lengths[row] {
                let length = context.lengths[row]
                let time = context.reverse ? length - 1 - step : step
                let at = time * B + row
                let unit = layout.unitOffset(head: head, at: at) + first
                // c_{t-1}, n_{t-1}: saved by the previous loop step, or the initial state.
                let previous =
                    step == 0
                    ? row * paddedH + head * dp + first
                    : layout.unitOffset(head: head, at: (context.reverse ? length - step : step - 1) * B + row) + first
                let dGates = context.dGates + layout.gradientOffset(head: head, at: at) + first
                FastPointwise.Backward(
                    gates: context.gates + layout.gateOffset(head: head, at: at) + first, gateStride: dp,
                    c: context.c + unit, n: context.n + unit,
                    previousC: (step == 0 ? context.initialC : context.c) + previous,
                    previousN: (step == 0 ? context.initialN : context.n) + previous,
                    forgetSlope: context.forgetSlope.map { $0 + unit },
                    outputGradient: context.upstream.outputs.map { $0 + at * H + head * d + first },
                    dh: dh + local * width, dc: dc + local * width, dn: dn + local * width, dGates: dGates,
                    contiguousDGates: split ? contiguousDGates + local * 4 * width : nil,
                    dm: step == 0 ? dm + local * width : nil
                ).run(width: width, realUnits: realUnits)
                active[activeCount] = local
                a[activeCount] = UnsafePointer(split ? contiguousDGates + local * 4 * width : dGates)
                y[activeCount] = split ? partial(local, step, part) : dh + local * width
                activeCount += 1
            }
            guard activeCount > 0 else { continue }
            // dh_{t-1} = R_k^T dg~ (the upstream part of dh_{t-1} joins at step t-1); a split
            // head's parts each contribute theirs, and each part then adds up its own units.
            RecurrentProduct(
                a: a, y: y, count: activeCount, matrix: recurrent, depth: 4 * width, width: dp, engine: context.engine,
                kernels: kernels
            ).run()
            guard split else { continue }
            context.barriers[head].wait()
            for index in 0..<activeCount {
                let local = active[index]
                let target = dh + local * width
                copyVectors(width, from: partial(local, step, 0) + first, to: target)
                for other in 1..<context.parts {
                    let source = partial(local, step, other) + first
                    for j in stride(from: 0, to: width, by: 16) {
                        storeVector(loadVector(target + j) + loadVector(source + j), target + j)
                    }
                }
            }
        }
        for (local, row) in rows.enumerated() {
            for time in context.lengths[row]..<T {
                for gate in 0..<4 {
                    (context.dGates + layout.gradientOffset(head: head, at: time * B + row) + gate * dp + first).update(
                        repeating: 0, count: width)
                }
            }
            for (index, source) in [dh, dc, dn, dm].enumerated() {
                (context.dInitial[index] + row * H + head * d + first).update(
                    from: source + local * width, count: realUnits)
            }
        }
    }

    /// Where the products put the packed dW' (K * 4dp rows of D) and dR'
    /// (K * 4dp rows of d), and how far apart their rows are. With one head
    /// (``FastLayout/savesInputsBesideStates``), dR' sits beside dW' in the
    /// rows of one (4dp, D + dp) result.
    private struct ProductTargets: @unchecked Sendable {
        // @unchecked: raw pointers into the buffers; workers write disjoint rows.
        private let weights: FloatBuffer
        private let recurrent: FloatBuffer?
        private let inputSize: Int
        let dWStride: Int
        let dRStride: Int

        init(_ layout: FastLayout) {
            let (D, dp, d) = (layout.inputSize, layout.paddedHeadSize, layout.headSize)
            inputSize = D
            if layout.savesInputsBesideStates {
                (weights, recurrent) = (FloatBuffer(count: layout.gateWidth * (D + dp)), nil)
                (dWStride, dRStride) = (D + dp, D + dp)
            } else {
                weights = FloatBuffer(count: layout.gateWidth * D)
                recurrent = FloatBuffer(count: layout.gateWidth * d)
                (dWStride, dRStride) = (D, d)
            }
        }

        var dW: UnsafeMutablePointer<Float> { weights.pointer }
        var dR: UnsafeMutablePointer<Float> { recurrent?.pointer ?? weights.pointer + inputSize }
    }

    /// The whole-sequence products after the loop. @unchecked Sendable:
    /// raw pointers; workers write disjoint bands or heads.
    private struct Products: @unchecked Sendable {
        let layout: FastLayout
        /// (T * B, K * 4dp).
        let dGates: UnsafePointer<Float>
        /// X (T * B, D), rows `xStride` apart.
        let x: UnsafePointer<Float>
        let xStride: Int
        /// The saved h_{t-1}, see ``FastLayout/previousHOffset(head:at:)``.
        let previousH: UnsafePointer<Float>
        let inputWeights: UnsafePointer<Float>
        /// (T * B, D).
        let dx: UnsafeMutablePointer<Float>
        let targets: ProductTargets
        /// Packed (K * 4dp).
        let dBias: UnsafeMutablePointer<Float>

        /// dx by bands of rows and dW' by bands of its (gate) rows, all heads
        /// in one product each. With one head, dR' = dG~^T H_{t-1} shares
        /// dW''s left operand and H_{t-1} lies beside X, so one product of
        /// width D + dp makes both (OpenBLAS then packs dG~^T once, not twice).
        /// On a 2-core Zen 3, five runs of `xlstm bench gemm` gave a median
        /// of 118 GFLOP/s for "K=1 dW and dR in one" against 90 for "dW", and
        /// the backward's products at (B, T, D = H) = (8, 256, 256) took 29.3
        /// instead of 32.3 ms (medians of 33 passes each).
        ///
        /// With more heads, dR'_k by whole heads when the heads divide evenly
        /// among the workers (each product then packs its operands once),
        /// else by bands of rows.
        func run(worker: Int, of workers: Int) {
            let (rows, D, d) = (layout.rows, layout.inputSize, layout.headSize)
            let (width, gateWidth) = (layout.headGateWidth, layout.gateWidth)
            SplitProduct(
                m: rows, n: D, k: gateWidth, a: dGates, lda: gateWidth, b: inputWeights, ldb: D, c: dx, ldc: D
            ).run(piece: worker, of: workers)
            // n: the whole width of the result's rows, D, or D + dp with dR' beside dW'.
            SplitProduct(
                transposeA: true, m: gateWidth, n: targets.dWStride, k: rows, a: dGates, lda: gateWidth,
                b: x, ldb: xStride, c: targets.dW, ldc: targets.dWStride
            ).run(piece: worker, of: workers)
            if layout.heads > 1 {
                let byHead = layout.heads % workers == 0
                let heads =
                    byHead ? Array(evenPiece(worker, of: workers, total: layout.heads)) : Array(0..<layout.heads)
                for head in heads {
                    let (piece, pieces) = byHead ? (0, 1) : (worker, workers)
                    SplitProduct(
                        transposeA: true, m: width, n: d, k: rows, a: dGates + head * width, lda: gateWidth,
                        b: previousH + layout.previousHOffset(head: head, at: 0), ldb: layout.previousHRowStride,
                        c: targets.dR + head * width * d, ldc: d
                    ).run(piece: piece, of: pieces)
                }
            }
            columnSums(evenPiece(worker, of: workers, total: gateWidth / 16))
        }

        /// db' for the 16-column blocks `blocks` of the packed (K * 4dp) bias,
        /// row by row (the rows are consecutive memory).
        private func columnSums(_ blocks: Range<Int>) {
            guard !blocks.isEmpty else { return }
            let gateWidth = layout.gateWidth
            let (first, count) = (blocks.lowerBound * 16, blocks.count * 16)
            let sums = dBias + first
            sums.update(repeating: 0, count: count)
            var row = dGates + first
            for _ in 0..<layout.rows {
                for column in stride(from: 0, to: count, by: 16) {
                    storeVector(loadVector(sums + column) + loadVector(row + column), sums + column)
                }
                row += gateWidth
            }
        }
    }
}
