import Foundation
import xLSTMNN
import xLSTMTensor

/// An xLSTM-Large language model (the architecture of NX-AI's xLSTM-7B, mLSTM
/// blocks only) that opens Hugging Face `xLSTMForCausalLM` checkpoints:
///
///     let model = try xLSTMLarge<Float>(huggingFaceDirectory: URL(fileURLWithPath: "xLSTM-7b"))
///     let (logits, states) = model([[1, 2, 3]])                          // (1, 3, V)
///     let tokens = try model.generate(prompt: [1, 2, 3], maxNewTokens: 20)
///
/// The parameter names are the checkpoints' (`backbone.blocks.0.mlstm_layer.q.weight`,
/// ...; the feed-forward's `proj_up_gate`, `proj_up` and `proj_down` are this
/// library's `gate`, `up` and `down`). Logits are soft-capped at `logitSoftCap`.
public final class xLSTMLarge<Scalar: TensorScalar>: ConfigurableModule {
    /// The name a checkpoint's `config.json` records.
    public static var modelName: String { "xLSTMLarge" }
    /// The sizes this block was built with.
    public let configuration: xLSTMLargeConfiguration
    /// The embedding, the blocks and the final norm.
    public let backbone: xLSTMLargeBackbone<Scalar>
    /// The head, (V, D).
    public let lm_head: Linear<Scalar>
    public var isTraining = true

    /// A freshly initialized model.
    ///
    /// - Throws: `xLSTMError` naming the first invalid field.
    public init(configuration: xLSTMLargeConfiguration) throws(xLSTMError) {
        try configuration.validate()
        self.configuration = configuration
        backbone = xLSTMLargeBackbone(configuration)
        lm_head = Linear(inputFeatures: configuration.embeddingSize, outputFeatures: configuration.vocabularySize, bias: false)
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [("backbone", backbone), ("lm_head", lm_head)]
    }

    /// Opens a Hugging Face `xLSTMForCausalLM` directory: `config.json` and
    /// `model.safetensors`, or shards listed by `model.safetensors.index.json`;
    /// F32, F16 and BF16 weights are converted to `Scalar`.
    ///
    /// - Throws: `CheckpointError` naming the file: an unknown configuration
    ///   field, a tensor the model does not have (or lacks), a shape that differs.
    public convenience init(huggingFaceDirectory directory: URL) throws(CheckpointError) {
        let configuration = try xLSTMLargeConfiguration(huggingFaceConfig: directory.appendingPathComponent("config.json"))
        do { try self.init(configuration: configuration) } catch {
            throw CheckpointError(file: directory.appendingPathComponent("config.json").path, reason: error.description)
        }
        try HuggingFaceWeights.load(into: self, from: directory)
    }

    /// The zero state of every block for `batch` sequences.
    public func zeroStates(batch: Int) -> [mLSTMState<Scalar>] {
        backbone.blocks.map { _ in
            .zeros(batch: batch, heads: configuration.heads, qkHeadSize: configuration.qkHeadSize, vHeadSize: configuration.vHeadSize)
        }
    }

    /// Next-token logits for `tokens` (B sequences of T ids) from `states`
    /// (zero states when nil), with the chunkwise mLSTM.
    ///
    /// - Returns: soft-capped logits (B, T, V) and every block's state after the last step.
    public func callAsFunction(
        _ tokens: [[Int]], states: [mLSTMState<Scalar>]? = nil
    ) -> (logits: Tensor<Scalar>, states: [mLSTMState<Scalar>]) {
        forward(tokens, states: states, chunkSize: configuration.chunkSize)
    }

    /// As ``callAsFunction(_:states:)`` with an explicit chunk size (1: the recurrent form).
    func forward(_ tokens: [[Int]], states: [mLSTMState<Scalar>]?, chunkSize: Int) -> (
        logits: Tensor<Scalar>, states: [mLSTMState<Scalar>]
    ) {
        let steps = tokens.first?.count ?? 0
        if tokens.isEmpty || steps == 0 || tokens.contains(where: { $0.count != steps }) {
            trap(xLSTMError(argument: "tokens", expected: "B >= 1 sequences of one length T >= 1", received: "lengths \(tokens.map(\.count))"))
        }
        if let states {
            orTrap { () throws(xLSTMError) in
                try require(
                    states.count == backbone.blocks.count, "states",
                    expected: "\(backbone.blocks.count) states (one per block)", received: "\(states.count)")
                for (index, state) in states.enumerated() {
                    try state.validate(
                        batch: tokens.count, heads: configuration.heads, qkHeadSize: configuration.qkHeadSize,
                        vHeadSize: configuration.vHeadSize, argument: "states[\(index)]")
                }
            }
        }
        let states = states ?? zeroStates(batch: tokens.count)
        var hidden = backbone.embeddings(tokens.flatMap { $0 }, shape: [tokens.count, steps])
        var next: [mLSTMState<Scalar>] = []
        for (block, state) in zip(backbone.blocks, states) {
            let (output, carried) = block(hidden, state: state, chunkSize: chunkSize)
            hidden = output
            next.append(carried)
        }
        return (lm_head(backbone.out_norm(hidden)).softCapped(Scalar(configuration.logitSoftCap)), next)
    }
}
