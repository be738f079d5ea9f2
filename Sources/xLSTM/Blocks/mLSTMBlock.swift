import xLSTMNN
import xLSTMTensor

/// The paper's mLSTM block (pre-up-projection), on a residual stream (B, T, D):
///
///     x_n = norm(x)                                  layer norm without bias
///     [u, z] = up(x_n)                               D -> 2 E (E = factor * D)
///     c = silu(conv(u))                              causal depthwise convolution
///     q = Wq c, k = Wk c, v = Wv u                   head-wise, blocks of qkvBlockSize
///     i~, f~ = W_i [q, k, v] + b_i, W_f [q, k, v] + b_f     one value per mLSTM head
///     h = groupNorm(mLSTM(q, k, v, i~, f~)) + skip * c
///     y = x + down(h * silu(z))                      E -> D
///
/// Parameters: `norm.weight`, `up.weight`, `convolution.*`, `q.*`, `k.*`,
/// `v.*`, `inputGate.*`, `forgetGate.*`, `groupNorm.weight`, `skip`, `down.weight`.
public final class mLSTMBlock<Scalar: TensorScalar>: Module {
    /// The pre-norm of the block (layer norm without bias), (D).
    public let norm: MultiHeadNorm<Scalar>
    /// The up-projection D -> 2E: the mLSTM branch and the output-gate branch.
    public let up: Linear<Scalar>
    /// The causal depthwise convolution (kernel `convolutionKernelSize`).
    public let convolution: CausalConvolution<Scalar>
    /// The query projection.
    public let q: HeadwiseLinear<Scalar>
    /// The key projection.
    public let k: HeadwiseLinear<Scalar>
    /// The value projection.
    public let v: HeadwiseLinear<Scalar>
    /// The input-gate pre-activation, one per head.
    public let inputGate: Linear<Scalar>
    /// The forget-gate pre-activation, one per head.
    public let forgetGate: Linear<Scalar>
    /// The per-head layer norm of the cell outputs.
    public let groupNorm: MultiHeadNorm<Scalar>
    /// The learnable skip from the convolution to the output, (E), starting at 1.
    public let skip: Tensor<Scalar>
    /// The down-projection E -> D.
    public let down: Linear<Scalar>
    /// The sizes this block was built with.
    public let configuration: xLSTMBlockConfiguration
    public var isTraining = true

    /// A block of `configuration`'s sizes: the forget-gate bias starts spread
    /// from 3 to 6 over the heads ("remember"), the input-gate bias near 0.
    public init(configuration: xLSTMBlockConfiguration) throws(xLSTMError) {
        try configuration.validate()
        let (width, inner, heads) = (configuration.embeddingSize, configuration.innerSize, configuration.mLSTMHeads)
        let blocks = inner / configuration.qkvBlockSize
        self.configuration = configuration
        norm = MultiHeadNorm(heads: 1, headSize: width, kind: .layer, epsilon: 1e-5)
        up = Linear(inputFeatures: width, outputFeatures: 2 * inner, bias: false)
        convolution = CausalConvolution(channels: inner, kernelSize: configuration.convolutionKernelSize)
        q = HeadwiseLinear(heads: blocks, inputsPerHead: configuration.qkvBlockSize, outputsPerHead: configuration.qkvBlockSize, bias: false)
        k = HeadwiseLinear(heads: blocks, inputsPerHead: configuration.qkvBlockSize, outputsPerHead: configuration.qkvBlockSize, bias: false)
        v = HeadwiseLinear(heads: blocks, inputsPerHead: configuration.qkvBlockSize, outputsPerHead: configuration.qkvBlockSize, bias: false)
        inputGate = Linear(inputFeatures: 3 * inner, outputFeatures: heads)
        forgetGate = Linear(inputFeatures: 3 * inner, outputFeatures: heads)
        forgetGate.bias!.scalars = (0..<heads).map { Scalar(3 + 3 * Double($0) / Double(Swift.max(heads - 1, 1))) }
        inputGate.bias!.scalars = Tensor<Scalar>.randomNormal([heads], standardDeviation: 0.1).scalars
        groupNorm = MultiHeadNorm(heads: heads, headSize: inner / heads, kind: .layer, epsilon: 1e-5)
        skip = .ones([inner], requiresGrad: true)
        down = Linear(inputFeatures: inner, outputFeatures: width, bias: false)
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] { [("skip", skip)] }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [
            ("norm", norm), ("up", up), ("convolution", convolution), ("q", q), ("k", k), ("v", v),
            ("inputGate", inputGate), ("forgetGate", forgetGate), ("groupNorm", groupNorm), ("down", down),
        ]
    }

    /// The zero state for `batch` sequences.
    public func zeroState(batch: Int) -> xLSTMBlockState<Scalar> {
        let (inner, heads) = (configuration.innerSize, configuration.mLSTMHeads)
        return .mLSTM(
            .zeros(batch: batch, heads: heads, qkHeadSize: inner / heads, vHeadSize: inner / heads),
            convolution: .zeros([batch, configuration.convolutionKernelSize - 1, inner]))
    }

    /// Runs the block over `x` (B, T, D) from `state` (the zero state when
    /// nil), with the chunkwise mLSTM (`chunkSize` steps per chunk; 1 is the recurrent form).
    ///
    /// - Returns: (B, T, D) and the state after the last step.
    public func callAsFunction(
        _ x: Tensor<Scalar>, state: xLSTMBlockState<Scalar>? = nil
    ) -> (outputs: Tensor<Scalar>, state: xLSTMBlockState<Scalar>) {
        let (batch, steps) = (x.shape[0], x.shape[1])
        let (inner, heads) = (configuration.innerSize, configuration.mLSTMHeads)
        guard case .mLSTM(let cellState, let history) = state ?? zeroState(batch: batch) else {
            trap(xLSTMError(argument: "state", expected: "an mLSTM block's state", received: "an sLSTM block's state"))
        }
        let projected = up(norm(x))
        let (u, z) = (projected.slice(alongAxis: 2, 0..<inner), projected.slice(alongAxis: 2, inner..<(2 * inner)))
        let (convolved, newHistory) = convolve(convolution, u, after: history)
        let c = convolved.silu()
        let (query, key, value) = (q(c), k(c), v(u))
        let gateInput = Tensor.concatenate([query, key, value], alongAxis: 2)
        func perHead(_ t: Tensor<Scalar>) -> Tensor<Scalar> {
            t.reshaped([batch, steps, heads, inner / heads]).permuted([0, 2, 1, 3])
        }
        let inputs = mLSTMInputs(
            q: perHead(query), k: perHead(key), v: perHead(value),
            inputGate: inputGate(gateInput).permuted([0, 2, 1]), forgetGate: forgetGate(gateInput).permuted([0, 2, 1]),
            initial: cellState)
        let pass = mLSTMChunkwise.run(mLSTMGeometry(chunkSize: configuration.chunkSize, epsilon: 1e-6), inputs)
        let h = groupNorm(pass.outputs.permuted([0, 2, 1, 3]).reshaped([batch, steps, inner])) + skip * c
        return (x + down(h * z.silu()), .mLSTM(pass.final, convolution: newHistory))
    }
}
