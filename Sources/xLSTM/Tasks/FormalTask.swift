import xLSTMNN
import xLSTMTensor

/// A formal-language task of the xLSTM paper's experiments (after Delétang
/// et al. 2023): read a token string, give one class. Strings are drawn on
/// the fly; training on short strings and testing on long ones measures
/// length generalization.
public protocol FormalTask: Sendable {
    /// The name the command line uses (`parity`, `even-pairs`, ...).
    static var name: String { get }
    /// A task drawing strings of `lengths`.
    ///
    /// - Throws: `xLSTMError` when the lengths do not suit the task.
    init(lengths: ClosedRange<Int>) throws(xLSTMError)
    /// Distinct input tokens, `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Distinct labels, `0..<classCount`.
    var classCount: Int { get }
    /// Inclusive bounds of the lengths drawn.
    var lengths: ClosedRange<Int> { get }
    /// The same task drawing strings of `lengths`.
    ///
    /// - Throws: `xLSTMError` when the lengths do not suit the task.
    func with(lengths: ClosedRange<Int>) throws(xLSTMError) -> Self
    /// A uniformly random string of `length` tokens (or, for tasks whose
    /// strings have a fixed form, the longest such string of at most `length`).
    func sample(length: Int, using generator: inout Xoshiro256) -> [Int]
    /// The label the task's definition gives `sequence`.
    func label(of sequence: [Int]) -> Int
}

extension FormalTask {
    /// `count` strings with uniformly drawn lengths, and their labels.
    public func batch(count: Int, using generator: inout Xoshiro256) -> SequenceBatch {
        let sequences = (0..<count).map { _ in sample(length: Int.random(in: lengths, using: &generator), using: &generator) }
        return SequenceBatch(validSequences: sequences, labels: sequences.map(label(of:)))
    }

    /// The accuracy of guessing a class uniformly at random, `1 / classCount`.
    public var chanceAccuracy: Double { 1 / Double(classCount) }

    /// The paper's scaled accuracy, `(accuracy - chance) / (1 - chance)`:
    /// 0 at chance, 1 when every string is right.
    public func scaledAccuracy(_ accuracy: Double) -> Double {
        (accuracy - chanceAccuracy) / (1 - chanceAccuracy)
    }
}

/// Checks the lengths every task shares: at least 1.
func validateTaskLengths(_ lengths: ClosedRange<Int>) throws(xLSTMError) {
    try require(lengths.lowerBound >= 1, "lengths", expected: "lengths of at least 1", received: "\(lengths)")
}
