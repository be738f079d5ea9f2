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

/// Visits every element of `shape` in row-major order together with the
/// matching offsets into two operands read with `stridesA` and `stridesB`.
@inline(__always)
func forEachBroadcastOffset(
    _ shape: [Int], _ stridesA: [Int], _ stridesB: [Int], _ body: (Int, Int, Int) -> Void
) {
    let total = shape.elementCount
    guard total > 0 else { return }
    var counter = [Int](repeating: 0, count: shape.count)
    var offsetA = 0
    var offsetB = 0
    for index in 0..<total {
        body(index, offsetA, offsetB)
        var axis = shape.count - 1
        while axis >= 0 {
            counter[axis] += 1
            offsetA += stridesA[axis]
            offsetB += stridesB[axis]
            if counter[axis] < shape[axis] { break }
            offsetA -= stridesA[axis] * shape[axis]
            offsetB -= stridesB[axis] * shape[axis]
            counter[axis] = 0
            axis -= 1
        }
    }
}
