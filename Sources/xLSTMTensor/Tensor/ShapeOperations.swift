/// Reshaping, axis permutation, slicing, concatenation and stacking. All
/// return contiguous tensors (there are no strided views).
extension Tensor {
    /// The same elements with a new shape; one extent may be `-1` and is then
    /// inferred.
    ///
    /// - Precondition: the element counts agree.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let resolved = orTrap { () throws(xLSTMError) -> [Int] in
            let inferred = newShape.filter { $0 == -1 }.count
            try require(
                inferred <= 1 && newShape.allSatisfy({ $0 >= -1 }), "shape",
                expected: "non-negative extents and at most one -1", received: shapeText(newShape))
            var resolved = newShape
            if let hole = newShape.firstIndex(of: -1) {
                let known = newShape.filter { $0 != -1 }.elementCount
                try require(
                    known > 0 && count % known == 0, "shape",
                    expected: "a shape with \(count) elements", received: shapeText(newShape))
                resolved[hole] = count / known
            }
            try require(
                resolved.elementCount == count, "shape",
                expected: "a shape with \(count) elements (from \(shapeText(shape)))",
                received: shapeText(newShape))
            return resolved
        }
        let result = Tensor(validatedShape: resolved, scalars: scalars)
        recordOperation(outputs: [result], inputs: [self]) { grads in
            [grads[0].map { Tensor(validatedShape: self.shape, scalars: $0.scalars) }]
        }
        return result
    }

    /// Reorders the axes: axis `k` of the result is axis `axes[k]` of `self`.
    ///
    /// - Precondition: `axes` is a permutation of `0..<rank`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func permuted(_ axes: [Int]) -> Tensor {
        orTrap { () throws(xLSTMError) in
            try require(
                axes.sorted() == Array(0..<rank), "axes",
                expected: "a permutation of 0..<\(rank)", received: "\(axes)")
        }
        let permutedShape = axes.map { shape[$0] }
        let result = Tensor(validatedShape: permutedShape, scalars: gatherPermuted(scalars, shape, axes))
        var inverse = axes
        for (position, axis) in axes.enumerated() { inverse[axis] = position }
        recordOperation(outputs: [result], inputs: [self]) { grads in
            [grads[0].map { Tensor(validatedShape: self.shape, scalars: gatherPermuted($0.scalars, permutedShape, inverse)) }]
        }
        return result
    }

    /// Swaps two axes.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func transposed(_ first: Int = -2, _ second: Int = -1) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(normalizedAxis(first), normalizedAxis(second))
        return permuted(axes)
    }

    /// The elements whose index along `axis` lies in `range`.
    ///
    /// - Precondition: `range` lies within the axis.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func slice(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = normalizedAxis(axis)
        orTrap { () throws(xLSTMError) in
            try require(
                range.lowerBound >= 0 && range.upperBound <= shape[axis], "range",
                expected: "a range within 0..<\(shape[axis]) (axis \(axis) of \(shapeText(shape)))",
                received: "\(range)")
        }
        let layout = AxisLayout(shape: shape, axis: axis)
        let width = range.count * layout.inner
        var out = [Scalar]()
        out.reserveCapacity(layout.outer * width)
        for o in 0..<layout.outer {
            let start = (o * layout.extent + range.lowerBound) * layout.inner
            out.append(contentsOf: scalars[start..<(start + width)])
        }
        var newShape = shape
        newShape[axis] = range.count
        let result = Tensor(validatedShape: newShape, scalars: out)
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil] }
            var grad = [Scalar](repeating: 0, count: self.count)
            for o in 0..<layout.outer {
                let start = (o * layout.extent + range.lowerBound) * layout.inner
                grad.replaceSubrange(start..<(start + width), with: upstream[(o * width)..<((o + 1) * width)])
            }
            return [Tensor(validatedShape: self.shape, scalars: grad)]
        }
        return result
    }

    /// Joins tensors along an existing axis.
    ///
    /// - Precondition: at least one tensor; all shapes agree except along `axis`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        if tensors.isEmpty { trap(xLSTMError(argument: "tensors", expected: "at least one tensor", received: "none")) }
        let first = tensors[0]
        let axis = first.normalizedAxis(axis)
        for (index, tensor) in tensors.enumerated() {
            var expected = first.shape
            var received = tensor.shape
            if tensor.rank == first.rank {
                expected[axis] = 0
                received[axis] = 0
            }
            orTrap { () throws(xLSTMError) in
                try require(
                    expected == received, "tensors[\(index)]",
                    expected: "shape \(shapeText(first.shape)) except along axis \(axis)",
                    received: "shape \(shapeText(tensor.shape))")
            }
        }
        let layouts = tensors.map { AxisLayout(shape: $0.shape, axis: axis) }
        let outer = layouts[0].outer
        var out = [Scalar]()
        out.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        for o in 0..<outer {
            for (tensor, layout) in zip(tensors, layouts) {
                let width = layout.extent * layout.inner
                out.append(contentsOf: tensor.scalars[(o * width)..<((o + 1) * width)])
            }
        }
        var shape = first.shape
        shape[axis] = tensors.reduce(0) { $0 + $1.shape[axis] }
        let result = Tensor(validatedShape: shape, scalars: out)
        recordOperation(outputs: [result], inputs: tensors) { grads in
            guard let upstream = grads[0] else { return tensors.map { _ in nil } }
            var start = 0
            return tensors.map { tensor in
                defer { start += tensor.shape[axis] }
                return withoutGradients { upstream.slice(alongAxis: axis, start..<(start + tensor.shape[axis])) }
            }
        }
        return result
    }

    /// Joins equally shaped tensors along a new axis.
    ///
    /// - Precondition: at least one tensor; all shapes are equal.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        if tensors.isEmpty { trap(xLSTMError(argument: "tensors", expected: "at least one tensor", received: "none")) }
        let first = tensors[0]
        let axis = first.normalizedAxis(axis, rankOffset: 1)
        for (index, tensor) in tensors.enumerated() {
            orTrap { () throws(xLSTMError) in
                try require(
                    tensor.shape == first.shape, "tensors[\(index)]",
                    expected: "shape \(shapeText(first.shape))", received: "shape \(shapeText(tensor.shape))")
            }
        }
        var expanded = first.shape
        expanded.insert(1, at: axis)
        return concatenate(tensors.map { $0.reshaped(expanded) }, alongAxis: axis)
    }
}

/// Reads `source` (of `shape`) with its axes reordered by `axes`.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
private func gatherPermuted<Scalar>(_ source: [Scalar], _ shape: [Int], _ axes: [Int]) -> [Scalar] {
    let sourceStrides = contiguousStrides(shape)
    let outShape = axes.map { shape[$0] }
    let readStrides = axes.map { sourceStrides[$0] }
    guard !source.isEmpty else { return [] }
    // Runs along the output's innermost (merged) axis: a straight copy when
    // the permutation keeps the last axis, a strided gather otherwise.
    return [Scalar].fresh(count: source.count) { out in
        source.withUnsafeBufferPointer { source in
            forEachBroadcastRun(outShape, readStrides, readStrides) { start, offset, _, count, step, _ in
                let (o, x) = (out.baseAddress! + start, source.baseAddress! + offset)
                if step == 1 {
                    o.initialize(from: x, count: count)
                } else {
                    for i in 0..<count { (o + i).initialize(to: x[i * step]) }
                }
            }
        }
    }
}
