import xLSTMNN
import xLSTMTensor

/// A language model of the paper's blocks: token embedding, an
/// ``xLSTMBlockStack``, and a linear head to next-token logits (optionally
/// sharing the embedding's weights).
///
/// Parameters: `embedding.weight`, `stack.*`, and `head.weight` unless tied.
public final class xLSTMLanguageModel<Scalar: TensorScalar>: ConfigurableModule {
    /// The constructor arguments, as a value.
    public struct Configuration: Codable, Equatable, Sendable {
        /// The number of distinct tokens.
        public var vocabularySize: Int
        /// The blocks, e.g. "msmm".
        public var pattern: String
        /// The blocks' sizes.
        public var blocks: xLSTMBlockConfiguration
        /// Whether the head reuses the embedding matrix.
        public var tieWeights: Bool

        /// A model of these sizes.
        public init(vocabularySize: Int, pattern: String, blocks: xLSTMBlockConfiguration, tieWeights: Bool = false) {
            self.vocabularySize = vocabularySize
            self.pattern = pattern
            self.blocks = blocks
            self.tieWeights = tieWeights
        }
    }

    /// The name a checkpoint's `config.json` records.
    public static var modelName: String { "xLSTMLanguageModel" }
    /// The sizes this block was built with.
    public let configuration: Configuration
    /// Token vectors, (V, D).
    public let embedding: Embedding<Scalar>
    /// The blocks and the final norm.
    public let stack: xLSTMBlockStack<Scalar>
    /// The head, (V, D); nil when tied to the embedding.
    public let head: Linear<Scalar>?
    public var isTraining = true

    /// A freshly initialized model.
    ///
    /// - Throws: `xLSTMError` naming the first invalid field.
    public init(configuration: Configuration) throws(xLSTMError) {
        try require(
            configuration.vocabularySize > 0, "vocabularySize", expected: "a positive count",
            received: "\(configuration.vocabularySize)")
        self.configuration = configuration
        embedding = Embedding(count: configuration.vocabularySize, dimension: configuration.blocks.embeddingSize)
        stack = try xLSTMBlockStack(pattern: configuration.pattern, configuration: configuration.blocks)
        head = configuration.tieWeights
            ? nil
            : Linear(inputFeatures: configuration.blocks.embeddingSize, outputFeatures: configuration.vocabularySize, bias: false)
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [("embedding", embedding), ("stack", stack)] + (head.map { [("head", $0)] } ?? [])
    }

    /// Next-token logits for `tokens` (B, T), from `states` (zero states when nil).
    ///
    /// - Parameters:
    ///   - tokens: B sequences of T token ids, each in `0..<vocabularySize`.
    ///   - states: one state per block, as returned by an earlier call.
    /// - Returns: logits (B, T, V) and the blocks' states after the last step.
    public func callAsFunction(
        _ tokens: [[Int]], states: [xLSTMBlockState<Scalar>]? = nil
    ) -> (logits: Tensor<Scalar>, states: [xLSTMBlockState<Scalar>]) {
        let steps = tokens.first?.count ?? 0
        if tokens.isEmpty || steps == 0 || tokens.contains(where: { $0.count != steps }) {
            trap(xLSTMError(argument: "tokens", expected: "B >= 1 sequences of one length T >= 1", received: "lengths \(tokens.map(\.count))"))
        }
        let embedded = embedding(tokens.flatMap { $0 }, shape: [tokens.count, steps])
        let (hidden, next) = stack(embedded, states: states)
        let logits = head.map { $0(hidden) } ?? Tensor.linear(hidden, weight: embedding.weight, bias: nil)
        return (logits, next)
    }
}
