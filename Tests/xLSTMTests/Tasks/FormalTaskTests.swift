import Testing
@testable import xLSTM

/// Every task generator against its definition, checked by brute force on
/// every string up to a length, and on drawn batches.
@Suite struct FormalTaskTests {
    /// Every string of `length` tokens over `0..<vocabulary`.
    static func allStrings(length: Int, vocabulary: Int) -> [[Int]] {
        var strings: [[Int]] = [[]]
        for _ in 0..<length { strings = strings.flatMap { prefix in (0..<vocabulary).map { prefix + [$0] } } }
        return strings
    }

    @Test func parityCountsOnes() throws {
        let task = try ParityTask(lengths: 1...8)
        for length in 1...8 {
            for bits in Self.allStrings(length: length, vocabulary: 2) {
                #expect(task.label(of: bits) == (bits.filter { $0 == 1 }.count.isMultiple(of: 2) ? 0 : 1))
            }
        }
    }

    @Test func evenPairsCountsABAndBASubstrings() throws {
        let task = try EvenPairsTask(lengths: 1...10)
        for length in 1...10 {
            for string in Self.allStrings(length: length, vocabulary: 2) {
                let pairs = zip(string, string.dropFirst()).filter { $0 != $1 }.count
                #expect(task.label(of: string) == (pairs.isMultiple(of: 2) ? 1 : 0), "\(string)")
            }
        }
    }

    @Test func cycleNavigationWalksTheCycle() throws {
        let task = try CycleNavigationTask(lengths: 1...7)
        for length in 1...7 {
            for moves in Self.allStrings(length: length, vocabulary: 3) {
                var position = 0
                for move in moves {
                    if move == 1 { position = (position + 1) % 5 }
                    if move == 2 { position = (position + 4) % 5 }
                }
                #expect(task.label(of: moves) == position, "\(moves)")
            }
        }
    }

    /// Against an evaluator of another shape: a two-stack (shunting-yard)
    /// evaluation with exact integers, reduced modulo 5 only at the end.
    @Test func modularArithmeticRespectsPrecedence() throws {
        let task = try ModularArithmeticTask(lengths: 1...7)
        func evaluate(_ tokens: [Int]) -> Int {
            var values: [Int] = []
            var operators: [Int] = []
            func apply() {
                let (b, a, operation) = (values.removeLast(), values.removeLast(), operators.removeLast())
                values.append(operation == ModularArithmeticTask.plus ? a + b : operation == ModularArithmeticTask.minus ? a - b : a * b)
            }
            for token in tokens {
                if token < 5 { values.append(token); continue }
                let precedence = token == ModularArithmeticTask.times ? 2 : 1
                while let top = operators.last, (top == ModularArithmeticTask.times ? 2 : 1) >= precedence { apply() }
                operators.append(token)
            }
            while !operators.isEmpty { apply() }
            return ((values[0] % 5) + 5) % 5
        }
        for numbers in 1...4 {
            for digits in Self.allStrings(length: numbers, vocabulary: 5) {
                for operations in Self.allStrings(length: numbers - 1, vocabulary: 3) {
                    var expression = [digits[0]]
                    for (operation, digit) in zip(operations, digits.dropFirst()) { expression += [5 + operation, digit] }
                    #expect(task.label(of: expression) == evaluate(expression), "\(expression)")
                }
            }
        }
        var generator = Xoshiro256(seed: 1)
        for length in [1, 2, 7, 8] {
            let expression = task.sample(length: length, using: &generator)
            #expect(expression.count == (length % 2 == 1 ? length : length - 1))
            #expect(expression.enumerated().allSatisfy { $0.offset % 2 == 0 ? $0.element < 5 : (5...7).contains($0.element) })
        }
    }

    @Test func majorityIsTheMostFrequentSymbol() throws {
        let task = try MajorityTask(lengths: 1...4)
        for length in 1...4 {
            for string in Self.allStrings(length: length, vocabulary: 8) {
                let best = (0..<8).max { a, b in
                    let (ca, cb) = (string.filter { $0 == a }.count, string.filter { $0 == b }.count)
                    return ca < cb || (ca == cb && a > b)
                }!
                #expect(task.label(of: string) == best)
            }
        }
    }

    @Test func majorityCountIsTheMostFrequentSymbolsCountMinusOne() throws {
        let task = try MajorityCountTask(lengths: 1...4)
        for length in 1...4 {
            for string in Self.allStrings(length: length, vocabulary: 8) {
                let count = (0..<8).map { symbol in string.filter { $0 == symbol }.count }.max()!
                #expect(task.label(of: string) == count - 1)
            }
        }
        // One symbol repeated 256 times is the highest class.
        #expect(task.label(of: [Int](repeating: 5, count: 256)) == task.classCount - 1)
        var generator = Xoshiro256(seed: 3)
        let batch = try task.with(lengths: 40...256).batch(count: 200, using: &generator)
        #expect(batch.labels.allSatisfy { (0..<task.classCount).contains($0) })
        #expect(throws: xLSTMError(argument: "lengths", expected: "lengths of at most 256", received: "40...257")) {
            try MajorityCountTask(lengths: 40...257)
        }
    }

    @Test func batchesDrawTheirLengthsTokensAndLabels() throws {
        let tasks: [any FormalTask] = [
            try ParityTask(lengths: 3...9), try EvenPairsTask(lengths: 3...9), try CycleNavigationTask(lengths: 3...9),
            try ModularArithmeticTask(lengths: 3...9), try MajorityTask(lengths: 3...9),
        ]
        var generator = Xoshiro256(seed: 2)
        for task in tasks {
            let batch = task.batch(count: 300, using: &generator)
            #expect(batch.lengths.allSatisfy { (2...9).contains($0) })
            for row in 0..<batch.count {
                let tokens = (0..<batch.lengths[row]).map { batch.tokens[$0 * batch.count + row] }
                #expect(tokens.allSatisfy { (0..<task.vocabularySize).contains($0) })
                #expect(batch.labels[row] == task.label(of: tokens))
                #expect((0..<task.classCount).contains(batch.labels[row]))
            }
            #expect(Set(batch.labels).count == task.classCount, "\(type(of: task).name): every class occurs")
            #expect(abs(task.scaledAccuracy(task.chanceAccuracy)) < 1e-12 && task.scaledAccuracy(1) == 1)
        }
        #expect(throws: xLSTMError(argument: "lengths", expected: "lengths of at least 1", received: "0...4")) {
            try CycleNavigationTask(lengths: 0...4)
        }
    }
}
