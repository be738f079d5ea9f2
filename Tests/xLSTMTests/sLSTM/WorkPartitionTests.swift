import Testing
@testable import xLSTM

/// How the recurrence is split into work items (``WorkPartition``): batch
/// chunks by default, a split head when chunks would leave workers idle,
/// and for the oneDNN engine's forward also when chunks would have fewer
/// than 8 rows.
@Suite struct WorkPartitionTests {
    private func layout(batch: Int, hiddenSize: Int, heads: Int) -> FastLayout {
        FastLayout(
            sLSTMLayerGeometry(
                steps: 2, batch: batch, inputSize: 3, hiddenSize: hiddenSize, heads: heads, forgetGate: .exponential,
                reverse: false, lengths: Array(repeating: 2, count: batch)))
    }

    @Test func chunksUnlessWorkersWouldIdle() {
        let chunked = WorkPartition(layout(batch: 8, hiddenSize: 256, heads: 1), threads: 2)
        #expect(chunked.parts == 1)
        #expect(chunked.chunks == [0..<4, 4..<8])
        let fourHeads = WorkPartition(layout(batch: 8, hiddenSize: 256, heads: 4), threads: 2)
        #expect(fourHeads.parts == 1)
        #expect(fourHeads.chunks == [0..<8])
        let oneSequence = WorkPartition(layout(batch: 1, hiddenSize: 256, heads: 1), threads: 2)
        #expect(oneSequence.parts == 2)
        #expect(oneSequence.chunks == [0..<1])
    }

    @Test func oneDNNForwardSplitsRatherThanRunFewerThanEightRows() {
        let small = WorkPartition(layout(batch: 8, hiddenSize: 256, heads: 1), threads: 2, forwardEngine: .oneDNN)
        #expect(small.parts == 2)
        #expect(small.chunks == [0..<8])
        // 16 rows make chunks of 8: no split.
        let large = WorkPartition(layout(batch: 16, hiddenSize: 256, heads: 1), threads: 2, forwardEngine: .oneDNN)
        #expect(large.parts == 1)
        #expect(large.chunks == [0..<8, 8..<16])
        // Halves of a 64-unit head would be too narrow to split.
        let narrow = WorkPartition(layout(batch: 8, hiddenSize: 64, heads: 1), threads: 2, forwardEngine: .oneDNN)
        #expect(narrow.parts == 1)
        // The other engines keep the chunks.
        for engine in [RecurrentProduct.Engine.microKernel, .blas] {
            let partition = WorkPartition(
                layout(batch: 8, hiddenSize: 256, heads: 1), threads: 2, forwardEngine: engine)
            #expect(partition.parts == 1)
        }
    }
}
