import xLSTMTensor

/// A causal depthwise 1-D convolution over time, as the xLSTM blocks use it
/// before the gates: `torch.nn.Conv1d(C, C, K, groups=C, padding=K-1)`
/// keeping the first T outputs.
///
/// Parameters: `weight` (C, K) and, with `bias`, `bias` (C); both start
/// uniform in `+-1/sqrt(K)` (PyTorch's bound for a depthwise filter).
public final class CausalConvolution<Scalar: TensorScalar>: Module {
    /// (channels, kernelSize).
    public let weight: Tensor<Scalar>
    /// (channels), or nil when built with `bias: false`.
    public let bias: Tensor<Scalar>?
    public var isTraining = true

    /// A convolution of `channels` channels with kernels of `kernelSize` steps.
    ///
    /// - Precondition: both sizes are positive.
    public init(channels: Int, kernelSize: Int, bias: Bool = true) {
        orTrap { () throws(xLSTMError) in
            try require(channels > 0, "channels", expected: "a positive count", received: "\(channels)")
            try require(kernelSize > 0, "kernelSize", expected: "a positive size", received: "\(kernelSize)")
        }
        let bound = 1 / Scalar(kernelSize).squareRoot()
        weight = .randomUniform([channels, kernelSize], low: -bound, high: bound, requiresGrad: true)
        self.bias = bias ? .randomUniform([channels], low: -bound, high: bound, requiresGrad: true) : nil
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Filters each channel along time.
    ///
    /// - Parameter input: (B, T, channels).
    /// - Returns: (B, T, channels); step t depends on steps t - K + 1 ... t only.
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        .causalDepthwiseConvolution(input, weight: weight, bias: bias)
    }
}
