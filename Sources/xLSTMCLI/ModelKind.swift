import ArgumentParser
import xLSTM

/// The models `xlstm train --model` builds.
enum ModelKind: String, CaseIterable {
    /// One sLSTM layer (classifier), or sLSTM blocks (language model).
    case slstm
    /// The classic LSTM baseline (classifier only).
    case lstm
    /// `--blocks` mLSTM blocks.
    case mlstm
    /// The paper's blocks in the order of `--pattern`.
    case xlstm
    /// xLSTM-Large (language model only).
    case xlstmLarge = "xlstm-large"

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Whether the model can classify strings of a formal task.
    var classifies: Bool { self != .xlstmLarge }
    /// Whether the model can be a character language model.
    var modelsLanguage: Bool { self != .lstm }
}

extension TrainCommand {
    /// The block sizes of the `mlstm` and `xlstm` models and language models.
    var blockConfiguration: xLSTMBlockConfiguration {
        xLSTMBlockConfiguration(embeddingSize: hiddenSize, mLSTMHeads: heads, sLSTMHeads: heads, chunkSize: 64)
    }

    /// The classifier of `kind` for a task of `vocabularySize` tokens and `classCount` classes.
    func classifierConfiguration(_ kind: ModelKind, vocabularySize: Int, classCount: Int) -> SequenceClassifier<Float>.Configuration {
        switch kind {
        case .slstm, .lstm:
            return SequenceClassifier<Float>.Configuration(
                vocabularySize: vocabularySize, embeddingSize: 8, classCount: classCount,
                slstm: sLSTMConfiguration(inputSize: 8, hiddenSize: hiddenSize, numHeads: heads),
                core: kind == .slstm ? .slstm : .lstm)
        case .mlstm, .xlstm, .xlstmLarge:
            return SequenceClassifier<Float>.Configuration(
                vocabularySize: vocabularySize, embeddingSize: hiddenSize, classCount: classCount,
                slstm: sLSTMConfiguration(inputSize: hiddenSize, hiddenSize: hiddenSize),
                core: kind == .mlstm ? .mlstm : .xlstm, pattern: kind == .mlstm ? String(repeating: "m", count: blocks) : pattern,
                blocks: blockConfiguration)
        }
    }

    /// The xLSTM-Large network of `--hidden-size`, `--blocks` and `--heads`.
    func largeConfiguration(vocabularySize: Int) -> xLSTMLargeConfiguration {
        xLSTMLargeConfiguration(vocabularySize: vocabularySize, embeddingSize: hiddenSize, blocks: blocks, heads: heads, chunkSize: 64)
    }

    /// The network of a character language model of `kind` over `vocabularySize` characters.
    func languageModelArchitecture(_ kind: ModelKind, vocabularySize: Int) -> CharacterLanguageModel<Float>.Architecture {
        switch kind {
        case .xlstmLarge:
            return .large(largeConfiguration(vocabularySize: vocabularySize))
        case .slstm, .lstm, .mlstm, .xlstm:
            let pattern = kind == .xlstm ? pattern : String(repeating: kind == .slstm ? "s" : "m", count: blocks)
            return .blocks(xLSTMLanguageModel<Float>.Configuration(
                vocabularySize: vocabularySize, pattern: pattern, blocks: blockConfiguration, tieWeights: true))
        }
    }
}
