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
    /// - Throws: `xLSTMError` unless there are as many labels as sequences,
    ///   at least one sequence, and none is empty.
    public init(sequences: [[Int]], labels: [Int]) throws(xLSTMError) {
        try require(!sequences.isEmpty, "sequences", expected: "at least one sequence", received: "none")
        try require(
            labels.count == sequences.count, "labels", expected: "\(sequences.count) labels (one per sequence)",
            received: "\(labels.count)")
        if let empty = sequences.firstIndex(where: \.isEmpty) {
            throw xLSTMError(argument: "sequences[\(empty)]", expected: "at least one token", received: "none")
        }
        self.init(validSequences: sequences, labels: labels)
    }

    /// The same for sequences the caller has already checked.
    init(validSequences sequences: [[Int]], labels: [Int]) {
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
