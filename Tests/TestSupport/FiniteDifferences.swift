import Testing
import xLSTMTensor

/// Checks the gradients the engine computes for `inputs` against central
/// finite differences of `objective` (which must rebuild its graph from the
/// current values of `inputs` on every call and return a scalar).
///
/// - Parameters:
///   - sampled: at most this many elements per input are perturbed (chosen
///     evenly), to keep large checks fast.
public func checkGradients(
    of inputs: [(name: String, tensor: Tensor<Double>)], step: Double = 1e-6, sampled: Int = 40,
    tolerance: Tolerance = .finiteDifference, sourceLocation: SourceLocation = #_sourceLocation,
    _ objective: () -> Tensor<Double>
) {
    for (_, tensor) in inputs {
        tensor.requiresGrad = true
        tensor.zeroGrad()
    }
    objective().backward()
    for (name, tensor) in inputs {
        guard let analytic = tensor.grad?.scalars else {
            Issue.record("\(name): no gradient reached it", sourceLocation: sourceLocation)
            continue
        }
        let stride = max(1, tensor.count / sampled)
        var numeric: [Double] = []
        var picked: [Double] = []
        for index in Swift.stride(from: 0, to: tensor.count, by: stride) {
            let original = tensor.scalars[index]
            tensor.scalars[index] = original + step
            let plus = withoutGradients { objective().scalar }
            tensor.scalars[index] = original - step
            let minus = withoutGradients { objective().scalar }
            tensor.scalars[index] = original
            numeric.append((plus - minus) / (2 * step))
            picked.append(analytic[index])
        }
        expectClose(picked, numeric, tolerance, "gradient of \(name)", sourceLocation: sourceLocation)
    }
}

/// A fixed random "upstream gradient": `sum(y * weights)` makes every
/// element of `y` matter with its own weight.
public func weightedSum(_ y: Tensor<Double>, seed: UInt64) -> Tensor<Double> {
    var generator = Xoshiro256(seed: seed)
    return (y * Tensor.randomNormal(y.shape, using: &generator)).sum()
}

/// A random tensor from a fixed seed.
public func random(_ shape: [Int], seed: UInt64, scale: Double = 1) -> Tensor<Double> {
    var generator = Xoshiro256(seed: seed)
    return Tensor.randomNormal(shape, standardDeviation: scale, using: &generator)
}
