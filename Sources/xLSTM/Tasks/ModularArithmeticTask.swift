import xLSTMNN
import xLSTMTensor

/// Modular arithmetic without brackets (regular): an expression of numbers
/// in 0...4 and the operators +, - and *, evaluated modulo 5 with the usual
/// precedence (* before + and -, left to right). Tokens 0...4 are the
/// numbers, 5, 6 and 7 the operators; the label is the value.
///
/// Expressions alternate numbers and operators, so a drawn length l gives
/// an expression of l tokens when l is odd and l - 1 when it is even.
public struct ModularArithmeticTask: FormalTask {
    /// The name the command line uses.
    public static let name = "modular-arithmetic"
    /// The modulus, and the count of number tokens.
    public static let modulus = 5
    /// The token of +.
    public static let plus = 5
    /// The token of -.
    public static let minus = 6
    /// The token of *.
    public static let times = 7
    public var vocabularySize: Int { 8 }
    public var classCount: Int { Self.modulus }
    public let lengths: ClosedRange<Int>

    /// A task drawing expressions of `lengths` tokens (see the type).
    ///
    /// - Throws: `xLSTMError` when the shortest length is below 1.
    public init(lengths: ClosedRange<Int>) throws(xLSTMError) {
        try validateTaskLengths(lengths)
        self.lengths = lengths
    }

    public func with(lengths: ClosedRange<Int>) throws(xLSTMError) -> ModularArithmeticTask {
        try ModularArithmeticTask(lengths: lengths)
    }

    public func sample(length: Int, using generator: inout Xoshiro256) -> [Int] {
        let tokens = length % 2 == 1 ? length : length - 1
        return (0..<tokens).map { position in
            position % 2 == 0
                ? Int.random(in: 0..<Self.modulus, using: &generator) : Int.random(in: Self.plus...Self.times, using: &generator)
        }
    }

    /// The value modulo 5: products of runs joined by *, then the sum of the
    /// signed products, left to right.
    public func label(of sequence: [Int]) -> Int {
        var total = 0
        var sign = 1
        var product = sequence.first ?? 0
        var position = 1
        while position + 1 < sequence.count {
            let (operation, number) = (sequence[position], sequence[position + 1])
            if operation == Self.times {
                product = product * number % Self.modulus
            } else {
                total += sign * product
                sign = operation == Self.plus ? 1 : -1
                product = number
            }
            position += 2
        }
        total += sign * product
        return ((total % Self.modulus) + Self.modulus) % Self.modulus
    }
}
