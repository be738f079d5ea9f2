import xLSTMNN
import xLSTMTensor

/// The paper's sLSTM block (post-up-projection), on a residual stream (B, T, D):
///
///     x_n = norm(x)                                   layer norm without bias
///     c = silu(conv(x_n))                             causal depthwise convolution
///     i~ = W_i c, f~ = W_f c, z~ = W_z x_n, o~ = W_o x_n      head-wise (sLSTM heads)
///     h = groupNorm(sLSTM(i~, f~, z~, o~))            recurrent weights and bias per head; sigmoid forget gate
///     y = x + h
///     out = y + ffn(ffnNorm(y))                       GELU-gated, width 4/3 D rounded up to 64
///
/// Parameters: `norm.weight`, `convolution.*`, `inputGate.weight`,
/// `forgetGate.weight`, `cellInput.weight`, `outputGate.weight`,
/// `weight_hh` (K, 4d, d), `bias` (4D), `groupNorm.weight`, `ffnNorm.weight`, `ffn.*`.
public final class sLSTMBlock<Scalar: TensorScalar>: Module {
    /// The pre-norm of the block (layer norm without bias), (D).
    public let norm: MultiHeadNorm<Scalar>
    /// The causal depthwise convolution (kernel `convolutionKernelSize`).
    public let convolution: CausalConvolution<Scalar>
    /// The input-gate pre-activation, one per head.
    public let inputGate: HeadwiseLinear<Scalar>
    /// The forget-gate pre-activation, one per head.
    public let forgetGate: HeadwiseLinear<Scalar>
    /// The cell-input (z) pre-activation, head-wise from the normed input.
    public let cellInput: HeadwiseLinear<Scalar>
    /// The output-gate pre-activation, head-wise from the normed input.
    public let outputGate: HeadwiseLinear<Scalar>
    let cell: sLSTMLayerParameters<Scalar>
    /// The cell reads the gate pre-activations as they are: an identity
    /// "input weight" (a constant, not a parameter) lets the sLSTM layer
    /// kernels serve unchanged.
    private let identity: Tensor<Scalar>
    /// The per-head layer norm of the cell outputs.
    public let groupNorm: MultiHeadNorm<Scalar>
    /// The norm before the feed-forward network (layer norm without bias).
    public let ffnNorm: MultiHeadNorm<Scalar>
    /// The gated feed-forward network.
    public let ffn: GatedFeedForward<Scalar>
    /// The sizes this block was built with.
    public let configuration: xLSTMBlockConfiguration
    public var isTraining = true

    /// A block of `configuration`'s sizes; the cell starts as ``sLSTM``'s layers do (sigmoid forget gate).
    public init(configuration: xLSTMBlockConfiguration) throws(xLSTMError) {
        try configuration.validate()
        let (width, heads) = (configuration.embeddingSize, configuration.sLSTMHeads)
        self.configuration = configuration
        norm = MultiHeadNorm(heads: 1, headSize: width, kind: .layer, epsilon: 1e-5)
        convolution = CausalConvolution(channels: width, kernelSize: configuration.convolutionKernelSize)
        func gate() -> HeadwiseLinear<Scalar> {
            HeadwiseLinear(heads: heads, inputsPerHead: width / heads, outputsPerHead: width / heads, bias: false)
        }
        (inputGate, forgetGate, cellInput, outputGate) = (gate(), gate(), gate(), gate())
        cell = sLSTMLayerParameters(inputSize: 4 * width, hiddenSize: width, heads: heads, bias: true, forgetGate: .sigmoid)
        identity = Tensor(
            validatedShape: [4 * width, 4 * width],
            scalars: (0..<(16 * width * width)).map { $0 / (4 * width) == $0 % (4 * width) ? 1 : 0 })
        groupNorm = MultiHeadNorm(heads: heads, headSize: width / heads, kind: .layer, epsilon: 1e-5)
        ffnNorm = MultiHeadNorm(heads: 1, headSize: width, kind: .layer, epsilon: 1e-5)
        ffn = GatedFeedForward(inputSize: width, hiddenSize: configuration.feedForwardSize, activation: .gelu)
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        [("weight_hh", cell.recurrentWeights), ("bias", cell.bias!)]
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [
            ("norm", norm), ("convolution", convolution), ("inputGate", inputGate), ("forgetGate", forgetGate),
            ("cellInput", cellInput), ("outputGate", outputGate), ("groupNorm", groupNorm), ("ffnNorm", ffnNorm),
            ("ffn", ffn),
        ]
    }

    /// The zero state for `batch` sequences.
    public func zeroState(batch: Int) -> xLSTMBlockState<Scalar> {
        let width = configuration.embeddingSize
        return .sLSTM(.zeros([batch, width]), convolution: .zeros([batch, configuration.convolutionKernelSize - 1, width]))
    }

    /// Runs the block over `x` (B, T, D) from `state` (the zero state when nil).
    ///
    /// - Returns: (B, T, D) and the state after the last step.
    public func callAsFunction(
        _ x: Tensor<Scalar>, state: xLSTMBlockState<Scalar>? = nil
    ) -> (outputs: Tensor<Scalar>, state: xLSTMBlockState<Scalar>) {
        let (batch, steps, width) = (x.shape[0], x.shape[1], configuration.embeddingSize)
        guard case .sLSTM(let cellState, let history) = state ?? zeroState(batch: batch) else {
            trap(xLSTMError(argument: "state", expected: "an sLSTM block's state", received: "an mLSTM block's state"))
        }
        let normalized = norm(x)
        let (convolved, newHistory) = convolve(convolution, normalized, after: history)
        let c = convolved.silu()
        // Gate-major pre-activations (T, B, 4D), the layout of the sLSTM's input projection.
        let gates = Tensor.concatenate(
            [inputGate(c), forgetGate(c), cellInput(normalized), outputGate(normalized)], alongAxis: 2
        ).transposed(0, 1)
        let geometry = sLSTMLayerGeometry(
            steps: steps, batch: batch, inputSize: 4 * width, hiddenSize: width, heads: configuration.sLSTMHeads,
            forgetGate: .sigmoid, reverse: false, lengths: Array(repeating: steps, count: batch))
        let result = sLSTMLayerOperation(geometry: geometry, backend: .fast)(
            gates, inputWeights: identity, recurrentWeights: cell.recurrentWeights, bias: cell.bias,
            initial: (cellState.h, cellState.c, cellState.n, cellState.m))
        let y = x + groupNorm(result.outputs.transposed(0, 1))
        let next = sLSTMState(h: result.h, c: result.c, n: result.n, m: result.m)
        return (y + ffn(ffnNorm(y)), .sLSTM(next, convolution: newHistory))
    }
}
