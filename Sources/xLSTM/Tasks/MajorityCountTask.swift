import xLSTMNN
import xLSTMTensor

/// Majority count: a string over 8 symbols, as in ``MajorityTask``; the
/// label is how often its most frequent symbol occurs, minus one (label k:
/// k + 1 occurrences). Unlike majority, the answer grows with the length:
/// strings longer than the training ones have counts never seen in training,
/// so it tests whether a model counts rather than compares.
///
/// The classes are fixed, `0..<maximumLength`, so one model serves every
/// length up to ``maximumLength``.
public struct MajorityCountTask: FormalTask {
    /// The name the command line uses.
    public static let name = "majority-count"
    /// Distinct symbols.
    public static let symbols = MajorityTask.symbols
    /// The longest string: counts run from 1 to this.
    public static let maximumLength = 256
    public var vocabularySize: Int { Self.symbols }
    public var classCount: Int { Self.maximumLength }
    public let lengths: ClosedRange<Int>

    /// A majority-count task drawing strings with lengths in `lengths`.
    ///
    /// - Throws: `xLSTMError` when the shortest length is below 1 or the longest above ``maximumLength``.
    public init(lengths: ClosedRange<Int>) throws(xLSTMError) {
        try validateTaskLengths(lengths)
        try require(
            lengths.upperBound <= Self.maximumLength, "lengths", expected: "lengths of at most \(Self.maximumLength)",
            received: "\(lengths)")
        self.lengths = lengths
    }

    public func with(lengths: ClosedRange<Int>) throws(xLSTMError) -> MajorityCountTask {
        try MajorityCountTask(lengths: lengths)
    }

    public func sample(length: Int, using generator: inout Xoshiro256) -> [Int] {
        (0..<length).map { _ in Int.random(in: 0..<Self.symbols, using: &generator) }
    }

    public func label(of sequence: [Int]) -> Int {
        var counts = [Int](repeating: 0, count: Self.symbols)
        for token in sequence { counts[token] += 1 }
        return counts.max()! - 1
    }
}
