import xLSTMTensor

/// Scales all gradients together so that their joint L2 norm is at most
/// `maxNorm`, as `torch.nn.utils.clip_grad_norm_` (scale factor
/// `maxNorm / (norm + 1e-6)`, applied only when below 1).
///
/// - Returns: the norm before clipping.
/// - Precondition: `maxNorm > 0`.
@discardableResult
public func clipGradientNorm<Scalar>(_ parameters: [Tensor<Scalar>], maxNorm: Double) -> Double {
    orTrap { () throws(xLSTMError) in
        try require(maxNorm > 0, "maxNorm", expected: "a value > 0", received: "\(maxNorm)")
    }
    var squares = 0.0
    for parameter in parameters {
        for value in parameter.grad?.scalars ?? [] { squares += Double(value) * Double(value) }
    }
    let norm = squares.squareRoot()
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for parameter in parameters {
            guard let grad = parameter.grad else { continue }
            parameter.grad = Tensor(shape: grad.shape, scalars: grad.scalars.map { $0 * Scalar(factor) })
        }
    }
    return norm
}
