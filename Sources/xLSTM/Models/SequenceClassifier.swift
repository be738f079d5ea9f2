import xLSTMNN
import xLSTMTensor

/// Classifies token sequences with a recurrent core, an sLSTM or (the
/// baseline) a classic ``LSTM``: embedding, a stack of recurrent layers, and
/// a linear read-out of the last layer's hidden state at each sequence's
/// last valid step.
///
/// Parameter names: `embedding.weight`, `slstm.*` (see ``sLSTM``) or
/// `lstm.*` (see ``LSTM``), `readout.weight`, `readout.bias`.
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
        /// An LSTM core uses its input size, hidden size and layer count, and
        /// needs one head and no other options.
        public var slstm: sLSTMConfiguration
        /// Which recurrent core.
        public var core: Core

        /// The configuration of a classifier with these sizes.
        public init(
            vocabularySize: Int, embeddingSize: Int, classCount: Int, slstm: sLSTMConfiguration, core: Core = .slstm
        ) {
            self.vocabularySize = vocabularySize
            self.embeddingSize = embeddingSize
            self.classCount = classCount
            self.slstm = slstm
            self.core = core
        }
    }

    /// The recurrent core of a classifier.
    public enum Core: String, Codable, Sendable, CaseIterable {
        /// The sLSTM.
        case slstm
        /// The classic LSTM baseline.
        case lstm
    }

    /// The name a checkpoint's `config.json` records.
    public static var modelName: String { "SequenceClassifier" }
    /// The sizes this classifier was built with.
    public let configuration: Configuration
    /// Token vectors, (vocabularySize, embeddingSize).
    public let embedding: Embedding<Scalar>
    /// The recurrent core when it is an sLSTM.
    public let slstm: sLSTM<Scalar>?
    /// The recurrent core when it is a classic LSTM.
    public let lstm: LSTM<Scalar>?
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
        if configuration.core == .lstm {
            let shape = configuration.slstm
            try require(
                shape.numHeads == 1 && shape.dropout == 0 && shape.bias && !shape.batchFirst, "slstm",
                expected: "one head, no dropout, bias, time-major for an LSTM core", received: "\(shape)")
        }
        self.configuration = configuration
        embedding = Embedding(count: vocabularySize, dimension: embeddingSize)
        let shape = configuration.slstm
        slstm = configuration.core == .slstm ? try sLSTM(configuration: shape) : nil
        lstm = configuration.core == .lstm
            ? try LSTM(inputSize: shape.inputSize, hiddenSize: shape.hiddenSize, numLayers: shape.numLayers) : nil
        readout = Linear(inputFeatures: configuration.slstm.hiddenSize, outputFeatures: classCount)
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [("embedding", embedding)] + (slstm.map { [("slstm", $0)] } ?? []) + (lstm.map { [("lstm", $0)] } ?? [])
            + [("readout", readout)]
    }

    /// Classifies every sequence of `batch` from its last valid step.
    ///
    /// - Returns: logits (B, classCount).
    public func callAsFunction(_ batch: SequenceBatch) -> Tensor<Scalar> {
        let inputs = embedding(batch.tokens, shape: [batch.steps, batch.count])
        let (layers, hidden) = (configuration.slstm.numLayers, configuration.slstm.hiddenSize)
        let h = slstm.map { $0(inputs, lengths: batch.lengths).state.h } ?? lstm!(inputs, lengths: batch.lengths).h
        return readout(h.slice(alongAxis: 0, (layers - 1)..<layers).reshaped([batch.count, hidden]))
    }
}
