import xLSTMNN
import xLSTMTensor

/// Classifies token sequences with an sLSTM: embedding, a stack of sLSTM
/// layers, and a linear read-out of the last layer's hidden state at each
/// sequence's last valid step.
///
/// Parameter names: `embedding.weight`, `slstm.*` (see ``sLSTM``), `readout.weight`, `readout.bias`.
public final class SequenceClassifier<Scalar: TensorScalar>: ConfigurableModule {
    /// The constructor arguments of a ``SequenceClassifier``, as a value.
    public struct Configuration: Codable, Equatable, Sendable {
        /// The number of distinct tokens.
        public var vocabularySize: Int
        /// The width of a token's vector (the sLSTM's input size).
        public var embeddingSize: Int
        /// The number of labels.
        public var classCount: Int
        /// The recurrent core's shape; its `inputSize` must be `embeddingSize`.
        public var slstm: sLSTMConfiguration

        /// The configuration of a classifier with these sizes.
        public init(vocabularySize: Int, embeddingSize: Int, classCount: Int, slstm: sLSTMConfiguration) {
            self.vocabularySize = vocabularySize
            self.embeddingSize = embeddingSize
            self.classCount = classCount
            self.slstm = slstm
        }
    }

    /// The name a checkpoint's `config.json` records.
    public static var modelName: String { "SequenceClassifier" }
    /// The sizes this classifier was built with.
    public let configuration: Configuration
    /// Token vectors, (vocabularySize, embeddingSize).
    public let embedding: Embedding<Scalar>
    /// The recurrent core.
    public let slstm: sLSTM<Scalar>
    /// Maps the final hidden state (H) to class logits.
    public let readout: Linear<Scalar>
    public var isTraining = true

    /// A freshly initialized classifier.
    ///
    /// - Parameters:
    ///   - vocabularySize: the number of distinct tokens.
    ///   - embeddingSize: the width of a token's vector (the sLSTM's input size).
    ///   - classCount: the number of labels.
    ///   - configuration: the recurrent core's shape (the `slstm:` argument); its `inputSize` must be `embeddingSize`.
    /// - Throws: `xLSTMError` naming the first invalid argument.
    public convenience init(
        vocabularySize: Int, embeddingSize: Int, classCount: Int, slstm configuration: sLSTMConfiguration
    ) throws(xLSTMError) {
        try self.init(
            configuration: Configuration(
                vocabularySize: vocabularySize, embeddingSize: embeddingSize, classCount: classCount,
                slstm: configuration))
    }

    /// A freshly initialized classifier of `configuration`'s sizes.
    ///
    /// - Throws: `xLSTMError` naming the first invalid field.
    public init(configuration: Configuration) throws(xLSTMError) {
        let (vocabularySize, embeddingSize, classCount) =
            (configuration.vocabularySize, configuration.embeddingSize, configuration.classCount)
        try require(vocabularySize > 0, "vocabularySize", expected: "a positive count", received: "\(vocabularySize)")
        try require(embeddingSize > 0, "embeddingSize", expected: "a positive size", received: "\(embeddingSize)")
        try require(classCount > 0, "classCount", expected: "a positive count", received: "\(classCount)")
        try require(
            configuration.slstm.inputSize == embeddingSize && !configuration.slstm.bidirectional, "slstm",
            expected: "a unidirectional sLSTM with inputSize \(embeddingSize)", received: "\(configuration.slstm)")
        self.configuration = configuration
        embedding = Embedding(count: vocabularySize, dimension: embeddingSize)
        slstm = try sLSTM(configuration: configuration.slstm)
        readout = Linear(inputFeatures: configuration.slstm.hiddenSize, outputFeatures: classCount)
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [("embedding", embedding), ("slstm", slstm), ("readout", readout)]
    }

    /// Classifies every sequence of `batch` from its last valid step.
    ///
    /// - Returns: logits (B, classCount).
    public func callAsFunction(_ batch: SequenceBatch) -> Tensor<Scalar> {
        let inputs = embedding(batch.tokens, shape: [batch.steps, batch.count])
        let (_, state) = slstm(inputs, lengths: batch.lengths)
        let layers = slstm.numLayers
        let last = state.h.slice(alongAxis: 0, (layers - 1)..<layers).reshaped([batch.count, slstm.hiddenSize])
        return readout(last)
    }
}
