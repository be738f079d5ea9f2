import xLSTMNN
import xLSTMTensor

/// Majority: a string over 8 symbols; the label is the symbol that occurs
/// most often (the smallest such symbol on a tie).
public struct MajorityTask: FormalTask {
    /// The name the command line uses.
    public static let name = "majority"
    /// Distinct symbols.
    public static let symbols = 8
    public var vocabularySize: Int { Self.symbols }
    public var classCount: Int { Self.symbols }
    public let lengths: ClosedRange<Int>

    /// A majority task drawing strings with lengths in `lengths`.
    ///
    /// - Throws: `xLSTMError` when the shortest length is below 1.
    public init(lengths: ClosedRange<Int>) throws(xLSTMError) {
        try validateTaskLengths(lengths)
        self.lengths = lengths
    }

    public func with(lengths: ClosedRange<Int>) throws(xLSTMError) -> MajorityTask { try MajorityTask(lengths: lengths) }

    public func sample(length: Int, using generator: inout Xoshiro256) -> [Int] {
        (0..<length).map { _ in Int.random(in: 0..<Self.symbols, using: &generator) }
    }

    public func label(of sequence: [Int]) -> Int {
        var counts = [Int](repeating: 0, count: Self.symbols)
        for token in sequence { counts[token] += 1 }
        return counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) }!
    }
}
