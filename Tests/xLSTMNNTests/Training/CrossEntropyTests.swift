import Foundation
import TestSupport
import Testing
import xLSTMTensor
@testable import xLSTMNN

/// The cross-entropy on logits large enough to be shared out by rows among
/// the workers, the Float rows through the SIMD `exp`: loss and gradient
/// against the definition in Double, class counts below, at and above one
/// 16-lane vector, ignored rows, logits up to ±80 and -inf.
@Suite struct CrossEntropyTests {
    /// (rows, classes): rows * classes above two workers' share, and small.
    static let shapes = [(3_001, 37), (2_500, 16), (7_000, 5), (3, 17)]

    static func problem(rows: Int, classes: Int) -> (logits: [Float], targets: [Int]) {
        var generator = Xoshiro256(seed: UInt64(rows * 31 + classes))
        let targets = (0..<rows).map { row in row % 10 == 4 ? -100 : Int.random(in: 0..<classes, using: &generator) }
        var logits = (0..<(rows * classes)).map { _ in Float.random(in: -30...30, using: &generator) }
        for row in stride(from: 0, to: rows, by: 7) { logits[row * classes + row % classes] = 80 }
        // -inf beside the target (a -inf target would make the loss infinite).
        for row in stride(from: 3, to: rows, by: 11) { logits[row * classes + (max(targets[row], 0) + 1) % classes] = -.infinity }
        return (logits, targets)
    }

    @Test(arguments: shapes)
    func lossAndGradientEqualTheDefinitionInDouble(rows: Int, classes: Int) throws {
        let (values, targets) = Self.problem(rows: rows, classes: classes)
        let logits = try Tensor<Float>(shape: [rows, classes], scalars: values, requiresGrad: true)
        let loss = crossEntropy(logits: logits, targets: targets)
        loss.backward()
        let gradient = try #require(logits.grad?.scalars)
        let counted = Double(targets.filter { $0 != -100 }.count)
        var expectedLoss = 0.0
        var worstGradient = 0.0
        for (row, target) in targets.enumerated() {
            let line = (0..<classes).map { Double(values[row * classes + $0]) }
            let maximum = line.max()!
            let logTotal = Foundation.log(line.reduce(0) { $0 + Foundation.exp($1 - maximum) }) + maximum
            if target != -100 { expectedLoss -= (line[target] - logTotal) / counted }
            for column in 0..<classes {
                let expected =
                    target == -100 ? 0 : (Foundation.exp(line[column] - logTotal) - (column == target ? 1 : 0)) / counted
                worstGradient = worstError(worstGradient, abs(Double(gradient[row * classes + column]) - expected) * counted)
            }
        }
        #expect(abs(Double(loss.scalar) - expectedLoss) <= 1e-5 * abs(expectedLoss), "loss \(loss.scalar), expected \(expectedLoss)")
        // In units of 1 / counted, the largest an entry can be.
        #expect(worstGradient <= 2e-6, "gradient off by \(worstGradient) / counted")
    }

    @Test func noRowsAndNoClassesGiveZero() throws {
        let empty = try Tensor<Float>(shape: [0, 4], scalars: [], requiresGrad: true)
        let loss = crossEntropy(logits: empty, targets: [])
        loss.backward()
        #expect(loss.scalar == 0 && empty.grad?.shape == [0, 4])
        let noClasses = try Tensor<Float>(shape: [3, 0], scalars: [], requiresGrad: true)
        let ignored = crossEntropy(logits: noClasses, targets: [-100, -100, -100])
        ignored.backward()
        #expect(ignored.scalar == 0 && noClasses.grad?.shape == [3, 0])
    }

    /// Another `ignoreIndex`: its rows drop out of the mean and get no
    /// gradient; -100 is then an ordinary (here out-of-range) value no row uses.
    @Test func anotherIgnoreIndexSkipsItsRows() throws {
        let rows: [[Double]] = [[1, 2, 3], [0.5, -1, 4], [2, 0, -2]]
        let logits = try Tensor<Double>(rows: rows, requiresGrad: true)
        let loss = crossEntropy(logits: logits, targets: [2, 7, 0], ignoreIndex: 7)
        loss.backward()
        func negativeLogLikelihood(_ row: [Double], _ target: Int) -> Double {
            Foundation.log(row.reduce(0) { $0 + Foundation.exp($1) }) - row[target]
        }
        let expected = (negativeLogLikelihood(rows[0], 2) + negativeLogLikelihood(rows[2], 0)) / 2
        #expect(abs(loss.scalar - expected) < 1e-12, "loss \(loss.scalar), expected \(expected)")
        let gradient = try #require(logits.grad?.scalars)
        #expect(gradient[3..<6].allSatisfy { $0 == 0 } && gradient[0..<3].contains { $0 != 0 })
    }

    /// Rows are whole work items and the loss is summed on one thread, so the
    /// results do not depend on the thread count. In a process of its own:
    /// the count is global.
    @Test func resultsDoNotDependOnTheThreadCount() async {
        await #expect(processExitsWith: .success) {
            let (values, targets) = CrossEntropyTests.problem(rows: 3_001, classes: 37)
            func results() -> [Float] {
                let logits = try! Tensor<Float>(shape: [3_001, 37], scalars: values, requiresGrad: true)
                let loss = crossEntropy(logits: logits, targets: targets)
                loss.backward()
                return [loss.scalar] + logits.grad!.scalars
            }
            Parallelism.threadCount = 1
            let single = results()
            for count in [2, 3, 5] {
                Parallelism.threadCount = count
                precondition(results() == single, "\(count) threads")
            }
        }
    }
}
