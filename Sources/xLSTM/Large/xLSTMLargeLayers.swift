import xLSTMNN
import xLSTMTensor

/// The mLSTM layer of an xLSTM-Large block, on (B, T, D), with the
/// parameter names of the Hugging Face checkpoints:
///
///     q, k = W_q x, W_k x (D -> K dqk)      v = W_v x (D -> K dv)
///     i~ = cap(W_i x + b_i), f~ = cap(W_f x + b_f)      one per head, cap = 15 tanh(./15)
///     h = multihead_norm(mLSTM(q, k, v, i~, f~))          layer norm per head, weight only
///     y = out_proj(sigmoid(W_o x) * h)
public final class xLSTMLargeLayer<Scalar: TensorScalar>: Module {
    /// The query projection.
    public let q: Linear<Scalar>
    /// The key projection.
    public let k: Linear<Scalar>
    /// The value projection.
    public let v: Linear<Scalar>
    /// The output-gate pre-activation (sigmoid), (K dv).
    public let ogate_preact: Linear<Scalar>
    /// The input-gate pre-activation, one per head, soft-capped.
    public let igate_preact: Linear<Scalar>
    /// The forget-gate pre-activation, one per head, soft-capped.
    public let fgate_preact: Linear<Scalar>
    /// The per-head layer norm of the cell outputs (weight only).
    public let multihead_norm: MultiHeadNorm<Scalar>
    /// The output projection K dv -> D.
    public let out_proj: Linear<Scalar>
    let configuration: xLSTMLargeConfiguration
    public var isTraining = true

    init(_ configuration: xLSTMLargeConfiguration) {
        let (width, heads) = (configuration.embeddingSize, configuration.heads)
        let (qkWidth, vWidth) = (heads * configuration.qkHeadSize, heads * configuration.vHeadSize)
        let bias = configuration.useBias
        self.configuration = configuration
        q = Linear(inputFeatures: width, outputFeatures: qkWidth, bias: bias)
        k = Linear(inputFeatures: width, outputFeatures: qkWidth, bias: bias)
        v = Linear(inputFeatures: width, outputFeatures: vWidth, bias: bias)
        ogate_preact = Linear(inputFeatures: width, outputFeatures: vWidth, bias: bias)
        igate_preact = Linear(inputFeatures: width, outputFeatures: heads, bias: true)
        fgate_preact = Linear(inputFeatures: width, outputFeatures: heads, bias: true)
        multihead_norm = MultiHeadNorm(
            heads: heads, headSize: configuration.vHeadSize, kind: .layer, epsilon: Scalar(configuration.normEpsilon),
            bias: bias)
        out_proj = Linear(inputFeatures: vWidth, outputFeatures: width, bias: bias)
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [
            ("q", q), ("k", k), ("v", v), ("ogate_preact", ogate_preact), ("igate_preact", igate_preact),
            ("fgate_preact", fgate_preact), ("multihead_norm", multihead_norm), ("out_proj", out_proj),
        ]
    }

    /// Runs the layer over `x` (B, T, D) from `state`; `chunkSize` 1 is the recurrent form.
    func callAsFunction(_ x: Tensor<Scalar>, state: mLSTMState<Scalar>, chunkSize: Int) -> (Tensor<Scalar>, mLSTMState<Scalar>) {
        let (batch, steps, heads) = (x.shape[0], x.shape[1], configuration.heads)
        func perHead(_ t: Tensor<Scalar>, _ size: Int) -> Tensor<Scalar> {
            t.reshaped([batch, steps, heads, size]).permuted([0, 2, 1, 3])
        }
        let cap = Scalar(configuration.gateSoftCap)
        let inputs = mLSTMInputs(
            q: perHead(q(x), configuration.qkHeadSize), k: perHead(k(x), configuration.qkHeadSize),
            v: perHead(v(x), configuration.vHeadSize),
            inputGate: igate_preact(x).softCapped(cap).permuted([0, 2, 1]),
            forgetGate: fgate_preact(x).softCapped(cap).permuted([0, 2, 1]), initial: state)
        let geometry = mLSTMGeometry(chunkSize: chunkSize, epsilon: configuration.epsilon)
        let pass = chunkSize == 1 ? mLSTMRecurrent.run(geometry, inputs) : mLSTMChunkwise.run(geometry, inputs)
        let h = multihead_norm(pass.outputs.permuted([0, 2, 1, 3]).reshaped([batch, steps, heads * configuration.vHeadSize]))
        return (out_proj(ogate_preact(x).sigmoid() * h), pass.final)
    }
}

/// One xLSTM-Large block: `x + mlstm_layer(norm_mlstm(x))`, then
/// `+ ffn(norm_ffn(.))`, both norms RMS norms, the feed-forward SwiGLU.
public final class xLSTMLargeBlock<Scalar: TensorScalar>: Module {
    /// The RMS norm before the mLSTM layer.
    public let norm_mlstm: RMSNorm<Scalar>
    /// The mLSTM layer.
    public let mlstm_layer: xLSTMLargeLayer<Scalar>
    /// The RMS norm before the feed-forward network.
    public let norm_ffn: RMSNorm<Scalar>
    /// The gated feed-forward network.
    public let ffn: GatedFeedForward<Scalar>
    public var isTraining = true

    init(_ configuration: xLSTMLargeConfiguration) {
        let epsilon = Scalar(configuration.normEpsilon)
        norm_mlstm = RMSNorm(size: configuration.embeddingSize, epsilon: epsilon, bias: configuration.useBias)
        mlstm_layer = xLSTMLargeLayer(configuration)
        norm_ffn = RMSNorm(size: configuration.embeddingSize, epsilon: epsilon, bias: configuration.useBias)
        ffn = GatedFeedForward(
            inputSize: configuration.embeddingSize, hiddenSize: configuration.feedForwardSize, activation: .silu,
            bias: configuration.useBias)
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [("norm_mlstm", norm_mlstm), ("mlstm_layer", mlstm_layer), ("norm_ffn", norm_ffn), ("ffn", ffn)]
    }

    func callAsFunction(_ x: Tensor<Scalar>, state: mLSTMState<Scalar>, chunkSize: Int) -> (Tensor<Scalar>, mLSTMState<Scalar>) {
        let (mixed, next) = mlstm_layer(norm_mlstm(x), state: state, chunkSize: chunkSize)
        let y = x + mixed
        return (y + ffn(norm_ffn(y)), next)
    }
}

/// The embedding, the blocks and the final norm of an xLSTM-Large model
/// (the checkpoints' `backbone`).
public final class xLSTMLargeBackbone<Scalar: TensorScalar>: Module {
    /// Token vectors, (V, D).
    public let embeddings: Embedding<Scalar>
    /// The blocks, in order.
    public let blocks: [xLSTMLargeBlock<Scalar>]
    /// The final norm (weight only, as in the checkpoints).
    public let out_norm: RMSNorm<Scalar>
    public var isTraining = true

    init(_ configuration: xLSTMLargeConfiguration) {
        embeddings = Embedding(count: configuration.vocabularySize, dimension: configuration.embeddingSize)
        blocks = (0..<configuration.blocks).map { _ in xLSTMLargeBlock(configuration) }
        out_norm = RMSNorm(size: configuration.embeddingSize, epsilon: Scalar(configuration.normEpsilon))
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [("embeddings", embeddings)] + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element) } + [("out_norm", out_norm)]
    }
}
