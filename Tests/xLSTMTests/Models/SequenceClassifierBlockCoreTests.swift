import TestSupport
import Testing
@testable import xLSTM

/// The block cores of ``SequenceClassifier``: a padded batch of unequal
/// lengths classifies each sequence as the block stack does on it alone, and
/// configurations that do not fit are errors naming the field.
@Suite struct SequenceClassifierBlockCoreTests {
    static func configuration(_ core: SequenceClassifier<Double>.Core, pattern: String?) -> SequenceClassifier<Double>.Configuration {
        SequenceClassifier<Double>.Configuration(
            vocabularySize: 5, embeddingSize: 8, classCount: 3, slstm: sLSTMConfiguration(inputSize: 8, hiddenSize: 8),
            core: core, pattern: pattern,
            blocks: xLSTMBlockConfiguration(embeddingSize: 8, mLSTMHeads: 2, sLSTMHeads: 2, chunkSize: 3))
    }

    @Test(arguments: [(SequenceClassifier<Double>.Core.mlstm, "mm"), (.xlstm, "sm"), (.xlstm, "msm")])
    func aPaddedBatchClassifiesEachSequenceAsAlone(core: SequenceClassifier<Double>.Core, pattern: String) throws {
        let model = try Random.withSeed(3) { try SequenceClassifier<Double>(configuration: Self.configuration(core, pattern: pattern)) }
        #expect(model.stack?.pattern == pattern && model.slstm == nil && model.lstm == nil)
        #expect(model.namedParameters.map(\.name).contains { $0.hasPrefix("stack.blocks.") })
        var generator = Xoshiro256(seed: 4)
        let sequences = [7, 1, 4, 7].map { length in (0..<length).map { _ in Int.random(in: 0..<5, using: &generator) } }
        let batched = model(try SequenceBatch(sequences: sequences, labels: [0, 1, 2, 0]))
        for (row, sequence) in sequences.enumerated() {
            let (outputs, _) = model.stack!(model.embedding(sequence, shape: [1, sequence.count]))
            let alone = model.readout(outputs.slice(alongAxis: 1, (sequence.count - 1)..<sequence.count).reshaped([1, 8]))
            expectClose(batched.slice(alongAxis: 0, row..<(row + 1)), alone, .sameMath(Double.self), "sequence \(row)")
        }
    }

    @Test func blockConfigurationsThatDoNotFitAreErrors() throws {
        #expect(throws: xLSTMError(argument: "pattern", expected: "only \"m\" blocks for an mlstm core", received: "\"ms\"")) {
            try SequenceClassifier<Double>(configuration: Self.configuration(.mlstm, pattern: "ms"))
        }
        #expect(throws: xLSTMError(argument: "pattern", expected: "a pattern and block sizes for a xlstm core", received: "nil")) {
            try SequenceClassifier<Double>(configuration: Self.configuration(.xlstm, pattern: nil))
        }
        let slstmWithBlocks = #expect(throws: xLSTMError.self) {
            try SequenceClassifier<Double>(configuration: Self.configuration(.slstm, pattern: "m"))
        }
        #expect(slstmWithBlocks?.argument == "pattern" && slstmWithBlocks?.expected == "no pattern or blocks for a slstm core")
        var narrow = Self.configuration(.xlstm, pattern: "sm")
        narrow.blocks?.embeddingSize = 4
        #expect(throws: xLSTMError(argument: "blocks", expected: "embeddingSize 8", received: "4")) {
            try SequenceClassifier<Double>(configuration: narrow)
        }
        var wide = Self.configuration(.xlstm, pattern: "sm")
        wide.slstm = sLSTMConfiguration(inputSize: 8, hiddenSize: 16)
        let wideError = #expect(throws: xLSTMError.self) { try SequenceClassifier<Double>(configuration: wide) }
        #expect(wideError?.argument == "slstm" && wideError?.expected == "hiddenSize 8 and one layer for a block core")
    }
}
