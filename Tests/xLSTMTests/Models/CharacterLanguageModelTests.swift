import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// ``CharacterLanguageModel`` over both networks: its held-out loss, its
/// generation and its checkpoint against independent computations.
@Suite struct CharacterLanguageModelTests {
    static let text = "in the beginning was the word, and the word was with the words.\n"

    static func architectures(vocabularySize: Int) -> [CharacterLanguageModel<Double>.Architecture] {
        [
            .blocks(xLSTMLanguageModel<Double>.Configuration(
                vocabularySize: vocabularySize, pattern: "ms",
                blocks: xLSTMBlockConfiguration(embeddingSize: 8, mLSTMHeads: 2, sLSTMHeads: 2, chunkSize: 4), tieWeights: true)),
            .large(xLSTMLargeConfiguration(vocabularySize: vocabularySize, embeddingSize: 8, blocks: 2, heads: 2, chunkSize: 4)),
        ]
    }

    static func models() throws -> [CharacterLanguageModel<Double>] {
        let vocabulary = try CharacterVocabulary(of: text)
        return try architectures(vocabularySize: vocabulary.count).enumerated().map { index, architecture in
            try Random.withSeed(UInt64(10 + index)) {
                try CharacterLanguageModel<Double>(configuration: .init(vocabulary: vocabulary, architecture: architecture))
            }
        }
    }

    /// Windows with the state carried across equal one forward over the whole held-out part.
    @Test func theHeldOutLossCarriesTheStateAcrossWindows() throws {
        let task = try CharacterLanguageModelTask(text: Self.text, heldOutFraction: 0.5)
        for model in try Self.models() {
            let whole = withoutGradients {
                let inputs = Array(task.heldOut.dropLast())
                let logits = model([inputs]).reshaped([inputs.count, task.vocabulary.count])
                return crossEntropy(logits: logits, targets: Array(task.heldOut.dropFirst())).scalar
            }
            for length in [3, 5, 64] {
                expectClose([model.meanLoss(over: task.heldOutWindows(length: length))], [whole], .sameMath(Double.self), "windows of \(length)")
            }
        }
    }

    /// Greedy generation equals taking the most likely next character of a
    /// full forward over everything so far, again and again.
    @Test func greedyGenerationEqualsRepeatedFullForwards() throws {
        for model in try Self.models() {
            var streamed = ""
            let continuation = try model.generate(prompt: "the wo", maxNewCharacters: 12) { streamed.append($0) }
            #expect(continuation.count == 12 && streamed == continuation)
            var tokens = try model.vocabulary.encode("the wo")
            for character in continuation {
                let logits = withoutGradients { model([tokens]) }
                let last = logits.reshaped([tokens.count, model.vocabulary.count]).argmax(alongAxis: 1).last!
                #expect(model.vocabulary.character(last) == character)
                tokens.append(last)
            }
        }
    }

    /// Sampling and its seed reach the network's generation: a seed repeats
    /// its draw, and another seed draws another text (greedy decoding, what
    /// an ignored `sampling` would give, is the same for every seed).
    @Test func seededSamplingRepeatsItsDrawAndAnotherSeedDrawsAnother() throws {
        let sampling = Sampling.sample(temperature: 1.5)
        for model in try Self.models() {
            let first = try model.generate(prompt: "the wo", maxNewCharacters: 24, sampling: sampling, seed: 5)
            #expect(first.count == 24)
            #expect(try model.generate(prompt: "the wo", maxNewCharacters: 24, sampling: sampling, seed: 5) == first)
            #expect(try model.generate(prompt: "the wo", maxNewCharacters: 24, sampling: sampling, seed: 6) != first)
        }
    }

    @Test func aCheckpointRebuildsTheSameModelAndVocabulary() throws {
        for model in try Self.models() {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("char-lm-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try CheckpointStore(directory: directory)
            let optimizer = try Adam(parameters: model.parameters, learningRate: 1e-3)
            try store.save(model: model, optimizer: optimizer, trainer: TrainerState(step: 1, random: Random.state))
            let checkpoint = try #require(try store.latest())
            #expect(try checkpoint.modelName() == "CharacterLanguageModel")
            let loaded = try checkpoint.model(CharacterLanguageModel<Double>.self)
            #expect(loaded.configuration == model.configuration)
            let tokens = try model.vocabulary.encode("was the word")
            #expect(withoutGradients { loaded([tokens]).scalars == model([tokens]).scalars })
        }
    }

    @Test func aNetworkOfAnotherVocabularySizeIsAnError() throws {
        let vocabulary = try CharacterVocabulary(of: Self.text)
        for architecture in Self.architectures(vocabularySize: vocabulary.count + 1) {
            #expect(throws: xLSTMError(argument: "architecture", expected: "vocabularySize \(vocabulary.count) (the vocabulary's)", received: "\(vocabulary.count + 1)")) {
                try CharacterLanguageModel<Double>(configuration: .init(vocabulary: vocabulary, architecture: architecture))
            }
        }
        let model = try Self.models()[0]
        #expect(throws: xLSTMError(argument: "prompt", expected: "characters of the vocabulary (\(vocabulary.count) characters)", received: "\"Z\" at character 0")) {
            try model.generate(prompt: "Z", maxNewCharacters: 1)
        }
    }
}
