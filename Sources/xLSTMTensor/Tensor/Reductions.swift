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
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean() -> Tensor {
        if count == 0 { trap(xLSTMError(argument: "tensor", expected: "at least one element", received: "none")) }
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
        scalars.withUnsafeBufferPointer { x in
            out.withUnsafeMutableBufferPointer { out in
                // Workers take bands of the outer index, so a line's sum does not depend on the thread count.
                let buffers = ReductionBuffers(out: out.baseAddress, x: x.baseAddress)
                let (extent, inner) = (layout.extent, layout.inner)
                ElementwiseLoops.forEachPiece(layout.outer, elementsEach: extent * inner) { band in
                    guard let out = buffers.out, let x = buffers.x else { return }
                    for o in band {
                        let target = out + o * inner
                        if inner == 1 {
                            // A contiguous line (the last axis): four running sums, not one chain of dependent additions.
                            target[0] = sumOfLine(x + o * extent, extent)
                            continue
                        }
                        for k in 0..<extent {
                            let source = x + (o * extent + k) * inner
                            for i in 0..<inner { target[i] += source[i] }
                        }
                    }
                }
            }
        }
        let result = Tensor(validatedShape: reducedShape(axis, keepingAxis), scalars: out)
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil] }
            // Every element of the line gets the line's upstream gradient; workers take bands of lines.
            let (extent, inner) = (layout.extent, layout.inner)
            var grad: [Scalar] = uninitializedArray(count: self.count)
            upstream.withUnsafeBufferPointer { upstream in
                grad.withUnsafeMutableBufferPointer { grad in
                    let buffers = ReductionBuffers(out: grad.baseAddress, x: upstream.baseAddress)
                    ElementwiseLoops.forEachPiece(layout.outer, elementsEach: extent * inner) { band in
                        guard let grad = buffers.out, let upstream = buffers.x else { return }
                        for o in band {
                            if inner == 1 {
                                (grad + o * extent).initialize(repeating: upstream[o], count: extent)
                                continue
                            }
                            for k in 0..<extent {
                                (grad + (o * extent + k) * inner).initialize(from: upstream + o * inner, count: inner)
                            }
                        }
                    }
                }
            }
            return [Tensor(validatedShape: self.shape, scalars: grad)]
        }
        return result
    }

    /// The mean along `axis`; see ``sum(alongAxis:keepingAxis:)``.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func mean(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let extent = shape[normalizedAxis(axis)]
        return sum(alongAxis: axis, keepingAxis: keepingAxis) / Scalar(extent)
    }

    /// The maximum along `axis` (negative counts from the end). The gradient
    /// goes to the first maximal element of each line. A NaN counts as the
    /// largest value, as in PyTorch, so it propagates.
    ///
    /// - Precondition: the axis is not empty.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func max(alongAxis axis: Int, keepingAxis: Bool = false) -> Tensor {
        let axis = normalizedAxis(axis)
        let winners = maximalElements(alongAxis: axis)
        let result = Tensor(validatedShape: reducedShape(axis, keepingAxis), scalars: winners.map { scalars[$0] })
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil] }
            var grad = [Scalar](repeating: 0, count: self.count)
            for (line, winner) in winners.enumerated() { grad[winner] += upstream[line] }
            return [Tensor(validatedShape: self.shape, scalars: grad)]
        }
        return result
    }

    /// The position of the maximum along `axis` (negative counts from the
    /// end), as `torch.argmax(dim=axis)`: the first maximal element of each
    /// line, a NaN counting as the largest value.
    ///
    ///     let logits = try Tensor<Float>(shape: [2, 3], scalars: [0, 5, 1, 7, 2, 3])
    ///     logits.argmax(alongAxis: -1)    // [1, 0]
    ///
    /// - Returns: one index in `0..<shape[axis]` per line, row-major over the
    ///   other axes (the shape without `axis`).
    /// - Precondition: the axis is not empty.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func argmax(alongAxis axis: Int) -> [Int] {
        let axis = normalizedAxis(axis)
        let layout = AxisLayout(shape: shape, axis: axis)
        return maximalElements(alongAxis: axis).map { ($0 / layout.inner) % layout.extent }
    }

    /// The flat index of the first maximal element of each line along `axis`
    /// (a NaN beats every number), in the order of the reduced shape.
    private func maximalElements(alongAxis axis: Int) -> [Int] {
        let layout = AxisLayout(shape: shape, axis: axis)
        if layout.extent == 0 {
            trap(xLSTMError(argument: "axis", expected: "a non-empty axis", received: "extent 0 in shape \(shapeText(shape))"))
        }
        var winners = [Int](repeating: 0, count: layout.outer * layout.inner)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner {
                var best = o * layout.extent * layout.inner + i
                for k in 1..<layout.extent where !scalars[best].isNaN {
                    let index = (o * layout.extent + k) * layout.inner + i
                    if scalars[index] > scalars[best] || scalars[index].isNaN { best = index }
                }
                winners[layout.lineIndex(outer: o, inner: i)] = best
            }
        }
        return winners
    }

    private func reducedShape(_ axis: Int, _ keepingAxis: Bool) -> [Int] {
        var reduced = shape
        if keepingAxis { reduced[axis] = 1 } else { reduced.remove(at: axis) }
        return reduced
    }
}

/// The buffers of a reduction or its backward, shared with its workers.
/// @unchecked: the workers read `x` and write disjoint bands of `out`.
private struct ReductionBuffers<Scalar>: @unchecked Sendable {
    let out: UnsafeMutablePointer<Scalar>?
    let x: UnsafePointer<Scalar>?
}

/// The sum of `count` contiguous elements, in four interleaved partial sums.
@inline(__always)
private func sumOfLine<Scalar: TensorScalar>(_ x: UnsafePointer<Scalar>, _ count: Int) -> Scalar {
    var (s0, s1, s2, s3): (Scalar, Scalar, Scalar, Scalar) = (0, 0, 0, 0)
    var k = 0
    while k + 4 <= count {
        s0 += x[k]
        s1 += x[k + 1]
        s2 += x[k + 2]
        s3 += x[k + 3]
        k += 4
    }
    while k < count {
        s0 += x[k]
        k += 1
    }
    return (s0 + s1) + (s2 + s3)
}

extension Tensor {
    /// The flat index of the first element that is infinite or NaN, or nil.
    ///
    /// The common answer, nil, comes from summing `x - x` (0, or NaN for an
    /// infinity or a NaN) in four running sums, without a branch per element
    /// (a search that stops at the first hit tests one element at a time: it
    /// was 2% of a decoding step, which checks every block's state).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    package func firstNonFiniteIndex() -> Int? {
        scalars.withUnsafeBufferPointer { buffer in
            var (s0, s1, s2, s3): (Scalar, Scalar, Scalar, Scalar) = (0, 0, 0, 0)
            var k = 0
            while k + 4 <= buffer.count {
                s0 += buffer[k] - buffer[k]
                s1 += buffer[k + 1] - buffer[k + 1]
                s2 += buffer[k + 2] - buffer[k + 2]
                s3 += buffer[k + 3] - buffer[k + 3]
                k += 4
            }
            while k < buffer.count {
                s0 += buffer[k] - buffer[k]
                k += 1
            }
            return (s0 + s1) + (s2 + s3) == 0 ? nil : buffer.firstIndex { !$0.isFinite }
        }
    }
}
