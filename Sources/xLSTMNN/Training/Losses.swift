import xLSTMTensor

/// Cross-entropy of logits against class indices, as
/// `torch.nn.functional.cross_entropy` with `reduction="mean"`: the mean of
/// `-log softmax(logits)[target]` over the rows whose target is not
/// `ignoreIndex`.
///
/// - Parameters:
///   - logits: (N, C).
///   - targets: N class indices in `0..<C`, or `ignoreIndex`.
///   - ignoreIndex: a target value whose rows contribute nothing (PyTorch's -100).
/// - Returns: a scalar tensor; 0 when every row is ignored.
/// - Precondition: the shapes agree and every target is valid.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func crossEntropy<Scalar>(
    logits: Tensor<Scalar>, targets: [Int], ignoreIndex: Int = -100
) -> Tensor<Scalar> {
    let classes = orTrap { () throws(xLSTMError) -> Int in
        try require(
            logits.rank == 2, "logits", expected: "rank 2 (N, C)", received: "shape \(shapeText(logits.shape))")
        try require(
            targets.count == logits.shape[0], "targets", expected: "\(logits.shape[0]) targets (one per row of logits)",
            received: "\(targets.count)")
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            try require(
                target >= 0 && target < logits.shape[1], "targets[\(row)]",
                expected: "a class index in 0..<\(logits.shape[1]) or the ignore index \(ignoreIndex)",
                received: "\(target)")
        }
        return logits.shape[1]
    }
    let counted = targets.filter { $0 != ignoreIndex }.count
    let scale = counted > 0 ? 1 / Scalar(counted) : 0
    var loss: Scalar = 0
    var probabilities = [Scalar](repeating: 0, count: logits.count)
    logits.scalars.withUnsafeBufferPointer { x in
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            let line = x[(row * classes)..<((row + 1) * classes)]
            let maximum = line.max() ?? 0
            var total: Scalar = 0
            for value in line { total += Scalar.exp(value - maximum) }
            let logTotal = Scalar.log(total) + maximum
            loss -= x[row * classes + target] - logTotal
            for column in 0..<classes {
                probabilities[row * classes + column] = Scalar.exp(x[row * classes + column] - logTotal)
            }
        }
    }
    let result = Tensor(scalar: loss * scale)
    recordOperation(outputs: [result], inputs: [logits]) { grads in
        guard let upstream = grads[0]?.scalar else { return [nil] }
        var grad = probabilities
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            grad[row * classes + target] -= 1
        }
        let factor = upstream * scale
        for index in grad.indices { grad[index] *= factor }
        return [Tensor(validatedShape: logits.shape, scalars: grad)]
    }
    return result
}

/// The mean squared error, `mean((prediction - target)^2)`.
///
/// - Precondition: equal shapes (no broadcasting: a silently broadcast target
///   is a classic bug).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func meanSquaredError<Scalar>(_ prediction: Tensor<Scalar>, _ target: Tensor<Scalar>) -> Tensor<Scalar> {
    orTrap { () throws(xLSTMError) in
        try require(
            prediction.shape == target.shape, "target", expected: "shape \(shapeText(prediction.shape))",
            received: "shape \(shapeText(target.shape))")
    }
    return (prediction - target).squared().mean()
}
