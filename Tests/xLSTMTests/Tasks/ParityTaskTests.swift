import TestSupport
import Testing
@testable import xLSTM

@Suite struct ParityTaskTests {
    @Test func batchesArePaddedTimeMajorWithTheirParity() throws {
        let batch = try SequenceBatch(sequences: [[1, 1, 0], [1], [0, 1]], labels: [0, 1, 1])
        #expect(batch.steps == 3 && batch.count == 3)
        #expect(batch.lengths == [3, 1, 2])
        #expect(batch.tokens == [1, 1, 0, 1, 0, 1, 0, 0, 0])
        var generator = Xoshiro256(seed: 3)
        let task = try ParityTask(lengths: 5...9)
        let drawn = task.batch(count: 200, using: &generator)
        #expect(drawn.lengths.allSatisfy { task.lengths.contains($0) })
        #expect(Set(drawn.lengths) == Set(5...9))
        for row in 0..<drawn.count {
            let bits = (0..<drawn.lengths[row]).map { drawn.tokens[$0 * drawn.count + row] }
            #expect(bits.allSatisfy { $0 == 0 || $0 == 1 })
            #expect(drawn.labels[row] == bits.reduce(0, +) % 2)
        }
    }

    @Test func theClassifierReadsEachSequenceAtItsLastValidStep() throws {
        let model = try Random.withSeed(4) {
            try SequenceClassifier<Double>(
                vocabularySize: 2, embeddingSize: 3, classCount: 2,
                slstm: sLSTMConfiguration(inputSize: 3, hiddenSize: 4, numLayers: 2, numHeads: 2))
        }
        #expect(model.namedParameters.map(\.name) == [
            "embedding.weight", "slstm.weight_ih_l0", "slstm.weight_hh_l0", "slstm.bias_l0", "slstm.weight_ih_l1",
            "slstm.weight_hh_l1", "slstm.bias_l1", "readout.weight", "readout.bias",
        ])
        let batch = try SequenceBatch(sequences: [[1, 0, 1, 1], [0, 1]], labels: [1, 1])
        let logits = model(batch)
        #expect(logits.shape == [2, 2])
        let alone = model(try SequenceBatch(sequences: [[0, 1]], labels: [1]))
        expectClose(alone.scalars, Array(logits.scalars[2..<4]), .sameMath(Double.self), "padded row")
        checkGradients(of: model.namedParameters) { crossEntropy(logits: model(batch), targets: batch.labels) }
    }

    @Test func anLSTMCoreClassifiesToo() throws {
        let model = try Random.withSeed(5) {
            try SequenceClassifier<Double>(configuration: .init(
                vocabularySize: 2, embeddingSize: 3, classCount: 2,
                slstm: sLSTMConfiguration(inputSize: 3, hiddenSize: 4, numLayers: 2), core: .lstm))
        }
        #expect(model.slstm == nil && model.lstm != nil)
        #expect(model.namedParameters.map(\.name).filter { $0.hasPrefix("lstm.") }.count == 8)
        let batch = try SequenceBatch(sequences: [[1, 0, 1, 1], [0, 1]], labels: [1, 1])
        let alone = model(try SequenceBatch(sequences: [[0, 1]], labels: [1]))
        expectClose(alone.scalars, Array(model(batch).scalars[2..<4]), .sameMath(Double.self), "padded row")
        checkGradients(of: model.namedParameters, sampled: 6) { crossEntropy(logits: model(batch), targets: batch.labels) }
        #expect(throws: xLSTMError.self) {
            try SequenceClassifier<Double>(configuration: .init(
                vocabularySize: 2, embeddingSize: 3, classCount: 2,
                slstm: sLSTMConfiguration(inputSize: 3, hiddenSize: 4, numHeads: 2), core: .lstm))
        }
    }
}
