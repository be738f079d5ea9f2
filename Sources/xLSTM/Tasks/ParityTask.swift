import xLSTMNN
import xLSTMTensor

/// Parity (regular): a string of bits; the label is 1 when it holds an odd
/// number of ones. It needs state tracking, which the sLSTM's memory mixing
/// provides.
public struct ParityTask: FormalTask {
    /// The name the command line uses.
    public static let name = "parity"
    /// Tokens: 0 and 1 (the bits).
    public static let vocabularySize = 2
    /// Labels: 0 (even number of ones) and 1 (odd).
    public static let classCount = 2

    public var vocabularySize: Int { Self.vocabularySize }
    public var classCount: Int { Self.classCount }
    public let lengths: ClosedRange<Int>

    /// A parity task drawing strings with lengths in `lengths`.
    ///
    /// - Throws: `xLSTMError` when the shortest length is below 1.
    public init(lengths: ClosedRange<Int>) throws(xLSTMError) {
        try validateTaskLengths(lengths)
        self.lengths = lengths
    }

    public func with(lengths: ClosedRange<Int>) throws(xLSTMError) -> ParityTask { try ParityTask(lengths: lengths) }

    public func sample(length: Int, using generator: inout Xoshiro256) -> [Int] {
        (0..<length).map { _ in Int.random(in: 0...1, using: &generator) }
    }

    public func label(of sequence: [Int]) -> Int { sequence.reduce(0, +) % 2 }
}
