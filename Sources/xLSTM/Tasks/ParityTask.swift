import xLSTMNN
import xLSTMTensor

/// The parity task of the xLSTM paper's formal-language experiments: read a
/// string of bits and say whether it holds an odd number of ones. It needs
/// state tracking, which the sLSTM's memory mixing provides; training on
/// short strings and testing on long ones measures length generalization.
public struct ParityTask: Sendable {
    /// Tokens: 0 and 1 (the bits).
    public static let vocabularySize = 2
    /// Labels: 0 (even number of ones) and 1 (odd).
    public static let classCount = 2

    /// Inclusive bounds of the sequence lengths drawn.
    public let lengths: ClosedRange<Int>

    /// A parity task drawing strings with lengths in `lengths`.
    ///
    /// - Throws: `xLSTMError` when the shortest length is below 1.
    public init(lengths: ClosedRange<Int>) throws(xLSTMError) {
        try require(lengths.lowerBound >= 1, "lengths", expected: "lengths of at least 1", received: "\(lengths)")
        self.lengths = lengths
    }

    /// `count` random bit strings with uniformly drawn lengths, and their parities.
    public func batch(count: Int, using generator: inout some RandomNumberGenerator) -> SequenceBatch {
        let sequences = (0..<count).map { _ in
            (0..<Int.random(in: lengths, using: &generator)).map { _ in Int.random(in: 0...1, using: &generator) }
        }
        return SequenceBatch(validSequences: sequences, labels: sequences.map { $0.reduce(0, +) % 2 })
    }
}
