import xLSTMNN
import xLSTMTensor

/// Classifies token sequences with a recurrent core: an sLSTM, (the
/// baseline) a classic ``LSTM``, or a stack of the paper's blocks
/// (``xLSTMBlockStack``); then a linear read-out of the core's output at each
/// sequence's last valid step.
///
/// Parameter names: `embedding.weight`; `slstm.*` (see ``sLSTM``), `lstm.*`
/// (see ``LSTM``) or `stack.*` (see ``xLSTMBlockStack``); `readout.weight`,
/// `readout.bias`.
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
        /// needs one head and no other options. A block core reads only its
        /// sizes, which must both be `embeddingSize` (blocks keep the width
        /// of their residual stream).
        public var slstm: sLSTMConfiguration
        /// Which recurrent core.
        public var core: Core
        /// The blocks of an `.mlstm` (only "m") or `.xlstm` core, for example
        /// "sm"; nil for the other cores.
        public var pattern: String?
        /// The blocks' sizes for an `.mlstm` or `.xlstm` core (their
        /// `embeddingSize` must be `embeddingSize`); nil for the other cores.
        public var blocks: xLSTMBlockConfiguration?

        /// The configuration of a classifier with these sizes.
        public init(
            vocabularySize: Int, embeddingSize: Int, classCount: Int, slstm: sLSTMConfiguration, core: Core = .slstm,
            pattern: String? = nil, blocks: xLSTMBlockConfiguration? = nil
        ) {
            self.vocabularySize = vocabularySize
            self.embeddingSize = embeddingSize
            self.classCount = classCount
            self.slstm = slstm
            self.core = core
            self.pattern = pattern
            self.blocks = blocks
        }
    }

    /// The recurrent core of a classifier.
    public enum Core: String, Codable, Sendable, CaseIterable {
        /// The sLSTM.
        case slstm
        /// The classic LSTM baseline.
        case lstm
        /// A stack of mLSTM blocks.
        case mlstm
        /// A stack of mLSTM and sLSTM blocks in the order of a pattern.
        case xlstm
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
    /// The recurrent core when it is a stack of blocks (`.mlstm`, `.xlstm`).
    public let stack: xLSTMBlockStack<Scalar>?
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
        try Self.validateBlocks(of: configuration)
        self.configuration = configuration
        embedding = Embedding(count: vocabularySize, dimension: embeddingSize)
        let shape = configuration.slstm
        slstm = configuration.core == .slstm ? try sLSTM(configuration: shape) : nil
        lstm = configuration.core == .lstm
            ? try LSTM(inputSize: shape.inputSize, hiddenSize: shape.hiddenSize, numLayers: shape.numLayers) : nil
        if let pattern = configuration.pattern, let blocks = configuration.blocks {
            stack = try xLSTMBlockStack(pattern: pattern, configuration: blocks)
        } else {
            stack = nil
        }
        readout = Linear(inputFeatures: configuration.slstm.hiddenSize, outputFeatures: classCount)
    }

    /// A block core has a pattern (only "m" for `.mlstm`) and block sizes of
    /// the embedding's width; the other cores have neither.
    private static func validateBlocks(of configuration: Configuration) throws(xLSTMError) {
        let (core, width) = (configuration.core, configuration.embeddingSize)
        guard core == .mlstm || core == .xlstm else {
            try require(
                configuration.pattern == nil && configuration.blocks == nil, "pattern",
                expected: "no pattern or blocks for a \(core.rawValue) core",
                received: "\(configuration.pattern ?? "nil"), \(configuration.blocks.map { "\($0)" } ?? "nil")")
            return
        }
        guard let pattern = configuration.pattern, let blocks = configuration.blocks else {
            throw xLSTMError(argument: "pattern", expected: "a pattern and block sizes for a \(core.rawValue) core", received: "nil")
        }
        if core == .mlstm {
            try require(
                !pattern.isEmpty && pattern.allSatisfy { $0 == "m" }, "pattern",
                expected: "only \"m\" blocks for an mlstm core", received: "\"\(pattern)\"")
        }
        try require(
            blocks.embeddingSize == width, "blocks", expected: "embeddingSize \(width)",
            received: "\(blocks.embeddingSize)")
        let shape = configuration.slstm
        try require(
            shape.hiddenSize == width && shape.numLayers == 1, "slstm",
            expected: "hiddenSize \(width) and one layer for a block core", received: "\(shape)")
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        [("embedding", embedding)] + (slstm.map { [("slstm", $0)] } ?? []) + (lstm.map { [("lstm", $0)] } ?? [])
            + (stack.map { [("stack", $0)] } ?? []) + [("readout", readout)]
    }

    /// Classifies every sequence of `batch` from its last valid step.
    ///
    /// - Returns: logits (B, classCount).
    public func callAsFunction(_ batch: SequenceBatch) -> Tensor<Scalar> {
        if let stack { return readout(lastValidOutputs(of: stack, batch)) }
        let inputs = embedding(batch.tokens, shape: [batch.steps, batch.count])
        let (layers, hidden) = (configuration.slstm.numLayers, configuration.slstm.hiddenSize)
        let h = slstm.map { $0(inputs, lengths: batch.lengths).state.h } ?? lstm!(inputs, lengths: batch.lengths).h
        return readout(h.slice(alongAxis: 0, (layers - 1)..<layers).reshaped([batch.count, hidden]))
    }

    /// The block stack's outputs (B, D) at each sequence's last valid step.
    /// The blocks are causal, so the padding after a sequence never reaches them.
    private func lastValidOutputs(of stack: xLSTMBlockStack<Scalar>, _ batch: SequenceBatch) -> Tensor<Scalar> {
        let (count, steps) = (batch.count, batch.steps)
        var batchMajor = [Int](repeating: 0, count: count * steps)
        for time in 0..<steps {
            for row in 0..<count { batchMajor[row * steps + time] = batch.tokens[time * count + row] }
        }
        let (outputs, _) = stack(embedding(batchMajor, shape: [count, steps]))
        let width = configuration.embeddingSize
        return outputs.reshaped([count * steps, width])
            .gatherRows(batch.lengths.enumerated().map { $0.offset * steps + $0.element - 1 }, shape: [count])
    }
}
