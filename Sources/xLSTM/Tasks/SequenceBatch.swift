import xLSTMNN
import xLSTMTensor

/// A batch of token sequences of unequal length, time-major and padded, with
/// one class label per sequence.
public struct SequenceBatch: Sendable {
    /// Token ids, (steps, count) row-major; padding positions hold 0 and are
    /// never read (see ``lengths``).
    public let tokens: [Int]
    /// The padded length T.
    public let steps: Int
    /// The valid length of each sequence, each in 1...steps.
    public let lengths: [Int]
    /// One class index per sequence.
    public let labels: [Int]

    /// The number of sequences B.
    public var count: Int { lengths.count }

    /// Pads `sequences` to the longest one, time-major.
    ///
    /// - Precondition: as many labels as sequences, none empty.
    public init(sequences: [[Int]], labels: [Int]) {
        precondition(sequences.count == labels.count && sequences.allSatisfy { !$0.isEmpty })
        let steps = sequences.map(\.count).max() ?? 0
        var tokens = [Int](repeating: 0, count: steps * sequences.count)
        for (row, sequence) in sequences.enumerated() {
            for (time, token) in sequence.enumerated() { tokens[time * sequences.count + row] = token }
        }
        self.tokens = tokens
        self.steps = steps
        self.lengths = sequences.map(\.count)
        self.labels = labels
    }
}
