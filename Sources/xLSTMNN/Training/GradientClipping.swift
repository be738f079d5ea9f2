import xLSTMTensor

/// Scales all gradients together so that their joint L2 norm is at most
/// `maxNorm`, as `torch.nn.utils.clip_grad_norm_` (scale factor
/// `maxNorm / (norm + 1e-6)`, applied only when below 1).
///
/// - Returns: the norm before clipping.
/// - Throws: `xLSTMError` when `maxNorm` is not a finite value `> 0`, or
///   when the joint norm is NaN or infinite (PyTorch's `error_if_nonfinite`);
///   the gradients are then left as they are, so the caller can skip the step.
@discardableResult
public func clipGradientNorm<Scalar>(_ parameters: [Tensor<Scalar>], maxNorm: Double) throws(xLSTMError) -> Double {
    try require(maxNorm > 0 && maxNorm.isFinite, "maxNorm", expected: "a finite value > 0", received: "\(maxNorm)")
    var squares = 0.0
    for parameter in parameters {
        for value in parameter.grad?.scalars ?? [] { squares += Double(value) * Double(value) }
    }
    let norm = squares.squareRoot()
    try require(
        norm.isFinite, "gradients", expected: "a finite total norm",
        received: "\(norm) (a NaN or infinite gradient reached the parameters)")
    let factor = maxNorm / (norm + 1e-6)
    if factor < 1 {
        for parameter in parameters {
            guard let grad = parameter.grad else { continue }
            parameter.grad = Tensor(validatedShape: grad.shape, scalars: grad.scalars.map { $0 * Scalar(factor) })
        }
    }
    return norm
}
