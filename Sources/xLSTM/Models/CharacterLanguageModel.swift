import xLSTMNN
import xLSTMTensor

/// A character-level language model: a vocabulary of characters and the
/// network that predicts the next one, an ``xLSTMLanguageModel`` of the
/// paper's blocks or an ``xLSTMLarge``. Both are saved in one checkpoint, so
/// the checkpoint alone turns text into text:
///
///     let model = try checkpoint.model(CharacterLanguageModel<Float>.self)
///     let text = try model.generate(prompt: "In the beginning", maxNewCharacters: 80)
///
/// Parameter names: `network.*`, the network's own names.
public final class CharacterLanguageModel<Scalar: TensorScalar>: ConfigurableModule {
    /// The network's architecture.
    public enum Architecture: Codable, Equatable, Sendable {
        /// A stack of the paper's blocks; its `vocabularySize` must be the vocabulary's.
        case blocks(xLSTMLanguageModel<Scalar>.Configuration)
        /// xLSTM-Large; its `vocabularySize` must be the vocabulary's.
        case large(xLSTMLargeConfiguration)
    }

    /// The vocabulary and the architecture, as a value.
    public struct Configuration: Codable, Equatable, Sendable {
        /// The characters the tokens stand for.
        public var vocabulary: CharacterVocabulary
        /// The network.
        public var architecture: Architecture

        /// A model of `architecture` over `vocabulary`.
        public init(vocabulary: CharacterVocabulary, architecture: Architecture) {
            self.vocabulary = vocabulary
            self.architecture = architecture
        }
    }

    /// The network, with its state type.
    private enum Network {
        case blocks(xLSTMLanguageModel<Scalar>)
        case large(xLSTMLarge<Scalar>)
    }

    /// The name a checkpoint's `config.json` records.
    public static var modelName: String { "CharacterLanguageModel" }
    public let configuration: Configuration
    private let network: Network
    public var isTraining = true

    /// A freshly initialized model.
    ///
    /// - Throws: `xLSTMError` naming the first invalid field, or a network
    ///   whose vocabulary size is not the vocabulary's.
    public init(configuration: Configuration) throws(xLSTMError) {
        let count = configuration.vocabulary.count
        switch configuration.architecture {
        case .blocks(let blocks):
            try require(
                blocks.vocabularySize == count, "architecture", expected: "vocabularySize \(count) (the vocabulary's)",
                received: "\(blocks.vocabularySize)")
            network = .blocks(try xLSTMLanguageModel(configuration: blocks))
        case .large(let large):
            try require(
                large.vocabularySize == count, "architecture", expected: "vocabularySize \(count) (the vocabulary's)",
                received: "\(large.vocabularySize)")
            network = .large(try xLSTMLarge(configuration: large))
        }
        self.configuration = configuration
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        switch network {
        case .blocks(let model): [("network", model)]
        case .large(let model): [("network", model)]
        }
    }

    /// The vocabulary.
    public var vocabulary: CharacterVocabulary { configuration.vocabulary }

    /// Next-character logits (B, T, V) for B token sequences of one length T,
    /// from zero states.
    public func callAsFunction(_ tokens: [[Int]]) -> Tensor<Scalar> {
        switch network {
        case .blocks(let model): model(tokens).logits
        case .large(let model): model(tokens).logits
        }
    }

    /// The mean cross-entropy (nats per character) of predicting `targets`
    /// after reading `inputs`, window after window with the state carried
    /// from one to the next, without gradients.
    ///
    /// - Parameter windows: consecutive pieces of one text, as
    ///   ``CharacterLanguageModelTask/heldOutWindows(length:)`` cuts it.
    public func meanLoss(over windows: [(inputs: [Int], targets: [Int])]) -> Double {
        switch network {
        case .blocks(let model): Self.meanLoss(of: model, over: windows)
        case .large(let model): Self.meanLoss(of: model, over: windows)
        }
    }

    private static func meanLoss<Model: RecurrentLanguageModel>(
        of model: Model, over windows: [(inputs: [Int], targets: [Int])]
    ) -> Double where Model.Scalar == Scalar {
        withoutGradients {
            var state: Model.State?
            var (total, count) = (0.0, 0)
            for window in windows {
                let (logits, next) = model.read(window.inputs, after: state)
                let loss = crossEntropy(logits: logits.reshaped([window.inputs.count, model.vocabularySize]), targets: window.targets)
                total += Double(loss.scalar) * Double(window.targets.count)
                count += window.targets.count
                state = next
            }
            return total / Double(max(count, 1))
        }
    }

    /// Continues `prompt` by `maxNewCharacters` characters, calling
    /// `onCharacter` with each as soon as it is chosen (see
    /// ``RecurrentLanguageModel/generate(prompt:maxNewTokens:sampling:seed:stopToken:onToken:)``).
    ///
    /// - Returns: the new characters (without the prompt).
    /// - Throws: `xLSTMError` for an empty prompt, a character outside the
    ///   vocabulary, or bad sampling parameters.
    @discardableResult
    public func generate(
        prompt: String, maxNewCharacters: Int, sampling: Sampling = .greedy, seed: UInt64 = 0,
        onCharacter: ((Character) -> Void)? = nil
    ) throws(xLSTMError) -> String {
        let tokens = try vocabulary.encode(prompt, argument: "prompt")
        let vocabulary = vocabulary
        let emit = onCharacter.map { emit in { (token: Int) in emit(vocabulary.character(token)) } }
        let new: [Int]
        switch network {
        case .blocks(let model):
            new = try model.generate(prompt: tokens, maxNewTokens: maxNewCharacters, sampling: sampling, seed: seed, onToken: emit)
        case .large(let model):
            new = try model.generate(prompt: tokens, maxNewTokens: maxNewCharacters, sampling: sampling, seed: seed, onToken: emit)
        }
        return vocabulary.decode(new)
    }
}
