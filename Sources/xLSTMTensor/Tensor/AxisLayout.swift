/// A shape seen as `(outer, extent, inner)` around one axis: the view every
/// reduction and normalization along an axis iterates with.
struct AxisLayout {
    let outer: Int
    let extent: Int
    let inner: Int

    init(shape: [Int], axis: Int) {
        outer = shape[..<axis].elementCount
        extent = shape[axis]
        inner = shape[(axis + 1)...].elementCount
    }

    /// Calls `body(start, stride)` once per line along the axis: the line's
    /// elements sit at `start + k * stride` for `k` in `0..<extent`.
    func forEachLine(_ body: (Int, Int) -> Void) {
        for o in 0..<outer {
            for i in 0..<inner { body(o * extent * inner + i, inner) }
        }
    }

    /// The index of line `(o, i)` in the reduced result.
    func lineIndex(outer o: Int, inner i: Int) -> Int { o * inner + i }
}

extension Tensor {
    /// Maps a possibly negative axis (`-1` is the last) to `0..<rank`.
    ///
    /// - Precondition: `-rank <= axis < rank`.
    func normalizedAxis(_ axis: Int, rankOffset: Int = 0) -> Int {
        let effectiveRank = rank + rankOffset
        return orTrap { () throws(xLSTMError) in
            try require(
                axis >= -effectiveRank && axis < effectiveRank, "axis",
                expected: "a value in \(-effectiveRank)..<\(effectiveRank) for shape \(shapeText(shape))",
                received: "\(axis)")
            return axis < 0 ? axis + effectiveRank : axis
        }
    }
}
