import xLSTMTensor

/// Cross-entropy of logits against class indices, as
/// `torch.nn.functional.cross_entropy` with `reduction="mean"`: the mean of
/// `-log softmax(logits)[target]` over the rows whose target is not
/// `ignoreIndex`.
///
/// Large inputs are shared out by rows among `Parallelism.threadCount`
/// workers, and the rows' terms are summed in order on the calling thread,
/// so the result does not depend on the thread count. Float rows use the
/// SIMD `exp` (within 4 ulp of the correctly rounded result).
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
    let (rowTerms, probabilities) = softmaxRows(logits.scalars, targets: targets, classes: classes, ignoreIndex: ignoreIndex)
    // Summed in row order on this thread, so the loss does not depend on the thread count.
    var loss: Scalar = 0
    for term in rowTerms { loss -= term }
    let result = Tensor(scalar: loss * scale)
    recordOperation(outputs: [result], inputs: [logits]) { grads in
        guard let upstream = grads[0]?.scalar else { return [nil] }
        var grad = probabilities
        // No element (no rows, or no classes with every row ignored): no gradient to form.
        guard !grad.isEmpty else { return [Tensor(validatedShape: logits.shape, scalars: grad)] }
        grad.withUnsafeMutableBufferPointer { grad in
            targets.withUnsafeBufferPointer { targets in
                let rows = LossGradientRows(
                    gradient: grad.baseAddress!, targets: targets.baseAddress!, classes: classes,
                    ignoreIndex: ignoreIndex, factor: upstream * scale)
                ElementwiseLoops.forEachPiece(targets.count, elementsEach: classes) { rows.run($0) }
            }
        }
        return [Tensor(validatedShape: logits.shape, scalars: grad)]
    }
    return result
}

/// For each row of `logits` (N, C) whose target is not ignored: its term
/// x[target] - log(sum(exp(x))) (N) and its softmax (N, C); ignored rows
/// give 0 in both.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
private func softmaxRows<Scalar: TensorScalar>(
    _ logits: [Scalar], targets: [Int], classes: Int, ignoreIndex: Int
) -> (terms: [Scalar], probabilities: [Scalar]) {
    var terms = [Scalar](repeating: 0, count: targets.count)
    var probabilities = [Scalar](repeating: 0, count: logits.count)
    // No element (no rows, or no classes with every row ignored): nothing to compute.
    guard !logits.isEmpty else { return (terms, probabilities) }
    logits.withUnsafeBufferPointer { x in
        probabilities.withUnsafeMutableBufferPointer { p in
            terms.withUnsafeMutableBufferPointer { t in
                targets.withUnsafeBufferPointer { targets in
                    let rows = LossRows(
                        x: x.baseAddress!, probabilities: p.baseAddress!, terms: t.baseAddress!,
                        targets: targets.baseAddress!, classes: classes, ignoreIndex: ignoreIndex)
                    ElementwiseLoops.forEachPiece(targets.count, elementsEach: classes) { rows.softmax($0) }
                }
            }
        }
    }
    return (terms, probabilities)
}

/// The rows of a cross-entropy, which the workers share out by rows.
/// @unchecked Sendable: raw pointers; each worker writes only its own rows.
private struct LossRows<Scalar: TensorScalar>: @unchecked Sendable {
    /// The logits (N, C).
    let x: UnsafePointer<Scalar>
    /// (N, C): the softmax of each counted row; ignored rows are left as they are (0).
    let probabilities: UnsafeMutablePointer<Scalar>
    /// (N): x[target] - log(sum(exp(x))) of each counted row.
    let terms: UnsafeMutablePointer<Scalar>
    let targets: UnsafePointer<Int>
    let classes: Int
    let ignoreIndex: Int

    /// The softmax and the term of `rows`, after subtracting each row's maximum.
    /// Float rows run 16 classes at a time through the SIMD `exp`.
    func softmax(_ rows: Range<Int>) {
        for row in rows where targets[row] != ignoreIndex {
            let (line, out) = (x + row * classes, probabilities + row * classes)
            var maximum = -Scalar.infinity
            for column in 0..<classes { maximum = Swift.max(maximum, line[column]) }
            let logTotal: Scalar
            if Scalar.self == Float.self {
                logTotal = Scalar(floatSoftmax(line, out, maximum: maximum))
            } else {
                var total: Scalar = 0
                for column in 0..<classes { total += Scalar.exp(line[column] - maximum) }
                logTotal = Scalar.log(total) + maximum
                for column in 0..<classes { out[column] = Scalar.exp(line[column] - logTotal) }
            }
            terms[row] = line[targets[row]] - logTotal
        }
    }

    /// exp(line - logTotal) into `out`; returns logTotal = log(sum(exp(line))).
    @inline(__always)
    private func floatSoftmax(_ line: UnsafePointer<Scalar>, _ out: UnsafeMutablePointer<Scalar>, maximum: Scalar) -> Float {
        let line = UnsafeRawPointer(line).assumingMemoryBound(to: Float.self)
        let out = UnsafeMutableRawPointer(out).assumingMemoryBound(to: Float.self)
        // 16 classes at a time; the last partial vector is padded with -inf, whose exp is 0.
        func vector(_ column: Int) -> SIMD16<Float> {
            if column + 16 <= classes { return UnsafeRawPointer(line + column).loadUnaligned(as: SIMD16<Float>.self) }
            var v = SIMD16<Float>(repeating: -.infinity)
            for lane in 0..<(classes - column) { v[lane] = line[column + lane] }
            return v
        }
        let shift = Float(maximum)
        var sums = SIMD16<Float>(repeating: 0)
        for column in stride(from: 0, to: classes, by: 16) { sums += SIMD16.exp(vector(column) - shift) }
        let logTotal = Float.log(sums.sum()) + shift
        for column in stride(from: 0, to: classes, by: 16) {
            let p = SIMD16.exp(vector(column) - logTotal)
            if column + 16 <= classes {
                UnsafeMutableRawPointer(out + column).storeBytes(of: p, as: SIMD16<Float>.self)
            } else {
                for lane in 0..<(classes - column) { out[column + lane] = p[lane] }
            }
        }
        return logTotal
    }
}

/// The cross-entropy's gradient, (softmax - onehot(target)) * factor, in
/// place of the softmax, by rows on the workers. @unchecked Sendable: a raw
/// pointer; each worker writes only its own rows.
private struct LossGradientRows<Scalar: TensorScalar>: @unchecked Sendable {
    /// (N, C): the softmax (0 on ignored rows) on entry.
    let gradient: UnsafeMutablePointer<Scalar>
    let targets: UnsafePointer<Int>
    let classes: Int
    let ignoreIndex: Int
    let factor: Scalar

    func run(_ rows: Range<Int>) {
        for row in rows {
            let out = gradient + row * classes
            if targets[row] != ignoreIndex { out[targets[row]] -= 1 }
            for column in 0..<classes { out[column] *= factor }
        }
    }
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
