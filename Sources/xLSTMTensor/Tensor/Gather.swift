extension Tensor {
    /// Rows of a matrix picked by index: `self` (rows, width) gives
    /// `shape + [width]`. The gradient is scattered back, adding where an
    /// index repeats.
    ///
    /// - Precondition: `self` has rank 2, every index is a valid row and
    ///   `indices.count` equals the product of `shape`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func gatherRows(_ indices: [Int], shape indexShape: [Int]) -> Tensor {
        let width = orTrap { () throws(xLSTMError) -> Int in
            try require(rank == 2, "table", expected: "rank 2", received: "shape \(shapeText(shape))")
            try require(
                indices.count == indexShape.elementCount, "indices",
                expected: "\(indexShape.elementCount) indices for shape \(shapeText(indexShape))",
                received: "\(indices.count)")
            for (position, index) in indices.enumerated() {
                try require(
                    index >= 0 && index < shape[0], "indices[\(position)]",
                    expected: "an index in 0..<\(shape[0])", received: "\(index)")
            }
            return shape[1]
        }
        var out = [Scalar](repeating: 0, count: indices.count * width)
        for (position, index) in indices.enumerated() {
            out.replaceSubrange((position * width)..<((position + 1) * width), with: scalars[(index * width)..<((index + 1) * width)])
        }
        let result = Tensor(validatedShape: indexShape + [width], scalars: out)
        recordOperation(outputs: [result], inputs: [self]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil] }
            var grad = [Scalar](repeating: 0, count: self.count)
            for (position, index) in indices.enumerated() {
                for column in 0..<width { grad[index * width + column] += upstream[position * width + column] }
            }
            return [Tensor(validatedShape: self.shape, scalars: grad)]
        }
        return result
    }
}
