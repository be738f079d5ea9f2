/// Sums, means and maxima, over everything or along one axis.
extension Tensor {
    /// The sum of all elements, as a scalar tensor.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum() -> Tensor {
        let result = Tensor(scalar: scalars.reduce(0, +))
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0] else { return [nil] }
            return [Tensor.full(upstream.scalar, shape: self.shape)]
        }
        return result
    }

    /// The mean of all elements, as a scalar tensor.
    ///
    /// - Precondition: the tensor is not empty.
    public func mean() -> Tensor {
        precondition(
            count > 0, xLSTMError(argument: "tensor", expected: "at least one element", received: "none").description)
        return sum() / Scalar(count)
    }

    /// Sums along `axis` (negative counts from the end). The axis is removed
    /// unless `keepingAxis` is true, in which case it stays with extent 1.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func sum(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis)
        let layout = AxisLayout(shape: shape, axis: axis)
        var out = [Scalar](repeating: 0, count: layout.outer * layout.inner)
        for o in 0..<layout.outer {
            for k in 0..<layout.extent {
                let source = (o * layout.extent + k) * layout.inner
                let target = o * layout.inner
                for i in 0..<layout.inner { out[target + i] += scalars[source + i] }
            }
        }
        let result = Tensor(shape: reducedShape(axis, keepingAxis), scalars: out)
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil] }
            var grad = [Scalar](repeating: 0, count: self.count)
            for o in 0..<layout.outer {
                for k in 0..<layout.extent {
                    let target = (o * layout.extent + k) * layout.inner
                    for i in 0..<layout.inner { grad[target + i] = upstream[o * layout.inner + i] }
                }
            }
            return [Tensor(shape: self.shape, scalars: grad)]
        }
        return result
    }

    /// The mean along `axis`; see ``sum(alongAxis:keepingAxis:)``.
    public func mean(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let extent = shape[normalizedAxis(axis)]
        return sum(alongAxis: axis, keepingAxis: keepingAxis) / Scalar(extent)
    }

    /// The maximum along `axis`. The gradient goes to the first maximal
    /// element of each line.
    ///
    /// - Precondition: the axis is not empty.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis)
        let layout = AxisLayout(shape: shape, axis: axis)
        precondition(
            layout.extent > 0,
            xLSTMError(argument: "axis", expected: "a non-empty axis", received: "extent 0").description)
        var out = [Scalar](repeating: 0, count: layout.outer * layout.inner)
        var winners = [Int](repeating: 0, count: out.count)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner {
                var best = o * layout.extent * layout.inner + i
                for k in 1..<Swift.max(layout.extent, 1) {
                    let index = (o * layout.extent + k) * layout.inner + i
                    if scalars[index] > scalars[best] { best = index }
                }
                out[layout.lineIndex(outer: o, inner: i)] = scalars[best]
                winners[layout.lineIndex(outer: o, inner: i)] = best
            }
        }
        let result = Tensor(shape: reducedShape(axis, keepingAxis), scalars: out)
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil] }
            var grad = [Scalar](repeating: 0, count: self.count)
            for (line, winner) in winners.enumerated() { grad[winner] += upstream[line] }
            return [Tensor(shape: self.shape, scalars: grad)]
        }
        return result
    }

    private func reducedShape(_ axis: Int, _ keepingAxis: Bool) -> [Int] {
        var reduced = shape
        if keepingAxis { reduced[axis] = 1 } else { reduced.remove(at: axis) }
        return reduced
    }
}
