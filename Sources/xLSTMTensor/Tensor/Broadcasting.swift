/// NumPy's broadcasting rule, the one `+ - * /` between tensors follow:
/// align the shapes at their last dimension; two extents agree when they are
/// equal or one of them is 1 (it is repeated); a missing leading dimension
/// counts as 1. Any other pair of extents is an error.
func broadcastShape(_ a: [Int], _ b: [Int]) throws(xLSTMError) -> [Int] {
    let rank = max(a.count, b.count)
    var result = [Int](repeating: 1, count: rank)
    for position in 0..<rank {
        let extentA = position < rank - a.count ? 1 : a[position - (rank - a.count)]
        let extentB = position < rank - b.count ? 1 : b[position - (rank - b.count)]
        try require(
            extentA == extentB || extentA == 1 || extentB == 1, "operands",
            expected: "broadcastable shapes (equal extents or 1, aligned at the last dimension)",
            received: "\(shapeText(a)) and \(shapeText(b))")
        result[position] = extentA == 1 ? extentB : extentA
    }
    return result
}

/// Row-major strides of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var stride = 1
    for axis in shape.indices.reversed() {
        strides[axis] = stride
        stride *= shape[axis]
    }
    return strides
}

/// Strides that read an operand of `shape` as if it had `target`'s shape:
/// 0 along repeated dimensions.
func broadcastStrides(_ shape: [Int], to target: [Int]) -> [Int] {
    let own = contiguousStrides(shape)
    let offset = target.count - shape.count
    return target.indices.map { axis in
        axis < offset || shape[axis - offset] == 1 ? 0 : own[axis - offset]
    }
}

/// Visits `shape` in row-major order one innermost run at a time:
/// `body(start, offsetA, offsetB, count, stepA, stepB)` covers the `count`
/// elements from `start`, read from the operands at `offsetA + i * stepA`
/// and `offsetB + i * stepB`. Axes that step through memory together are
/// merged first and extents of 1 dropped, so the runs are as long as the
/// operands allow (a whole tensor when neither repeats).
@inline(__always)
func forEachBroadcastRun(
    _ shape: [Int], _ stridesA: [Int], _ stridesB: [Int], _ body: (Int, Int, Int, Int, Int, Int) -> Void
) {
    let total = shape.elementCount
    guard total > 0 else { return }
    // Neither operand repeats and both are row-major: one run, and no
    // bookkeeping (small tensors, such as one decoding step's, are common).
    var extent = 1
    var contiguous = true
    for axis in shape.indices.reversed() where shape[axis] != 1 {
        if stridesA[axis] != extent || stridesB[axis] != extent {
            contiguous = false
            break
        }
        extent *= shape[axis]
    }
    if contiguous {
        body(0, 0, 0, total, 1, 1)
        return
    }
    // Coalesce, innermost first: an axis joins the run inside it when both
    // operands step over that whole run (stride == inner stride * inner extent).
    var runs: [(extent: Int, a: Int, b: Int)] = []
    for axis in shape.indices.reversed() where shape[axis] != 1 {
        if let inner = runs.last, stridesA[axis] == inner.a * inner.extent, stridesB[axis] == inner.b * inner.extent {
            runs[runs.count - 1].extent *= shape[axis]
        } else {
            runs.append((shape[axis], stridesA[axis], stridesB[axis]))
        }
    }
    runs.reverse()
    guard let run = runs.last else {
        body(0, 0, 0, 1, 0, 0)
        return
    }
    let outer = Array(runs.dropLast())
    var counter = [Int](repeating: 0, count: outer.count)
    var (offsetA, offsetB, start) = (0, 0, 0)
    while true {
        body(start, offsetA, offsetB, run.extent, run.a, run.b)
        start += run.extent
        var axis = outer.count - 1
        while axis >= 0 {
            counter[axis] += 1
            offsetA += outer[axis].a
            offsetB += outer[axis].b
            if counter[axis] < outer[axis].extent { break }
            offsetA -= outer[axis].a * outer[axis].extent
            offsetB -= outer[axis].b * outer[axis].extent
            counter[axis] = 0
            axis -= 1
        }
        if axis < 0 { return }
    }
}

/// ``forEachBroadcastRun(_:_:_:_:)`` split over the workers when the result
/// is large: each takes a band of the outermost axis longer than 1 (the
/// axes before it have extent 1), so their runs never overlap.
@inline(__always)
func forEachBroadcastRunConcurrently(
    _ shape: [Int], _ stridesA: [Int], _ stridesB: [Int], _ body: @Sendable (Int, Int, Int, Int, Int, Int) -> Void
) {
    guard let axis = shape.firstIndex(where: { $0 > 1 }) else {
        forEachBroadcastRun(shape, stridesA, stridesB, body)
        return
    }
    let pieces = Swift.min(ElementwiseLoops.workers(for: shape.elementCount), shape[axis])
    guard pieces > 1 else {
        forEachBroadcastRun(shape, stridesA, stridesB, body)
        return
    }
    let inner = shape[(axis + 1)...].elementCount
    runWorkers(pieces) { piece in
        let band = evenPiece(piece, of: pieces, total: shape[axis])
        var bandShape = shape
        bandShape[axis] = band.count
        let (start, offsetA, offsetB) = (band.lowerBound * inner, band.lowerBound * stridesA[axis], band.lowerBound * stridesB[axis])
        forEachBroadcastRun(bandShape, stridesA, stridesB) { runStart, runA, runB, count, stepA, stepB in
            body(start + runStart, offsetA + runA, offsetB + runB, count, stepA, stepB)
        }
    }
}
