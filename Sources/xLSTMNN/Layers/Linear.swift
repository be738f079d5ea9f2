import xLSTMTensor

/// `y = x W^T + b` on the last axis, as `torch.nn.Linear`.
///
/// Parameters: `weight` (outputFeatures, inputFeatures) and, when `bias` is
/// true, `bias` (outputFeatures); both start uniform in `+-1/sqrt(inputFeatures)`
/// (PyTorch's default bound).
public final class Linear<Scalar: TensorScalar>: Module {
    /// (outputFeatures, inputFeatures).
    public let weight: Tensor<Scalar>
    /// (outputFeatures), or nil when built with `bias: false`.
    public let bias: Tensor<Scalar>?
    public var isTraining = true

    /// `Linear(inputFeatures: 4, outputFeatures: 2)` is `Float`; write
    /// `Linear<Double>(...)` for another scalar type.
    ///
    /// - Precondition: both feature counts are positive.
    @_disfavoredOverload
    public convenience init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true) {
        self.init(inputFeatures, outputFeatures, bias)
    }

    init(_ inputFeatures: Int, _ outputFeatures: Int, _ bias: Bool) {
        orTrap { () throws(xLSTMError) in
            try require(inputFeatures > 0, "inputFeatures", expected: "a positive count", received: "\(inputFeatures)")
            try require(outputFeatures > 0, "outputFeatures", expected: "a positive count", received: "\(outputFeatures)")
        }
        let bound = 1 / Scalar(inputFeatures).squareRoot()
        weight = .randomUniform([outputFeatures, inputFeatures], low: -bound, high: bound, requiresGrad: true)
        self.bias = bias ? .randomUniform([outputFeatures], low: -bound, high: bound, requiresGrad: true) : nil
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Applies `x W^T + b` to the last axis.
    ///
    /// - Parameter input: (..., inputFeatures).
    /// - Returns: (..., outputFeatures).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        .linear(input, weight: weight, bias: bias)
    }
}

extension Linear where Scalar == Float {
    /// A `Float` layer: `Linear(inputFeatures: 4, outputFeatures: 2)` needs no type.
    public convenience init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true) {
        self.init(inputFeatures, outputFeatures, bias)
    }
}
