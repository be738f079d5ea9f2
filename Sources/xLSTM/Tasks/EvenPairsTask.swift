import xLSTMNN
import xLSTMTensor

/// Even pairs (regular): a string over {a, b} (tokens 0 and 1); the label is
/// 1 when the number of "ab" and "ba" substrings together is even, which
/// holds exactly when the first and last tokens are equal.
public struct EvenPairsTask: FormalTask {
    /// The name the command line uses.
    public static let name = "even-pairs"
    public var vocabularySize: Int { 2 }
    public var classCount: Int { 2 }
    public let lengths: ClosedRange<Int>

    /// An even-pairs task drawing strings with lengths in `lengths`.
    ///
    /// - Throws: `xLSTMError` when the shortest length is below 1.
    public init(lengths: ClosedRange<Int>) throws(xLSTMError) {
        try validateTaskLengths(lengths)
        self.lengths = lengths
    }

    public func with(lengths: ClosedRange<Int>) throws(xLSTMError) -> EvenPairsTask { try EvenPairsTask(lengths: lengths) }

    public func sample(length: Int, using generator: inout Xoshiro256) -> [Int] {
        (0..<length).map { _ in Int.random(in: 0...1, using: &generator) }
    }

    public func label(of sequence: [Int]) -> Int { sequence.first == sequence.last ? 1 : 0 }
}
