import xLSTMNN
import xLSTMTensor

/// Cycle navigation (regular): moves on a cycle of 5 positions, starting at
/// 0; tokens 0 (stay), 1 (one step forward), 2 (one step back); the label is
/// the final position.
public struct CycleNavigationTask: FormalTask {
    /// The name the command line uses.
    public static let name = "cycle-navigation"
    /// Positions on the cycle.
    public static let cycleLength = 5
    public var vocabularySize: Int { 3 }
    public var classCount: Int { Self.cycleLength }
    public let lengths: ClosedRange<Int>

    /// A cycle-navigation task drawing strings with lengths in `lengths`.
    ///
    /// - Throws: `xLSTMError` when the shortest length is below 1.
    public init(lengths: ClosedRange<Int>) throws(xLSTMError) {
        try validateTaskLengths(lengths)
        self.lengths = lengths
    }

    public func with(lengths: ClosedRange<Int>) throws(xLSTMError) -> CycleNavigationTask {
        try CycleNavigationTask(lengths: lengths)
    }

    public func sample(length: Int, using generator: inout Xoshiro256) -> [Int] {
        (0..<length).map { _ in Int.random(in: 0...2, using: &generator) }
    }

    public func label(of sequence: [Int]) -> Int {
        let steps = sequence.reduce(0) { $0 + ($1 == 1 ? 1 : $1 == 2 ? -1 : 0) }
        return ((steps % Self.cycleLength) + Self.cycleLength) % Self.cycleLength
    }
}
