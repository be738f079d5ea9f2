import TestSupport
import Testing
@testable import xLSTMTensor

/// Every differentiable operation of the toolkit against central finite
/// differences in Double.
@Suite struct OperationGradientTests {
    let a = random([2, 3, 4], seed: 1)
    let b = random([2, 3, 4], seed: 2)

    @Test func arithmeticOfEqualShapes() throws {
        let positive = (random([2, 3, 4], seed: 3).squared() + 0.5).detached()
        checkGradients(of: [("a", a), ("b", b)]) { weightedSum(a + b, seed: 10) }
        checkGradients(of: [("a", a), ("b", b)]) { weightedSum(a - b, seed: 11) }
        checkGradients(of: [("a", a), ("b", b)]) { weightedSum(a * b, seed: 12) }
        checkGradients(of: [("a", a), ("positive", positive)]) { weightedSum(a / positive, seed: 13) }
    }

    @Test func arithmeticWithBroadcasting() throws {
        let row = random([4], seed: 4)
        let column = random([2, 3, 1], seed: 5)
        let middle = random([3, 1], seed: 6)
        checkGradients(of: [("a", a), ("row", row)]) { weightedSum(a + row, seed: 14) }
        checkGradients(of: [("a", a), ("column", column)]) { weightedSum(a * column, seed: 15) }
        checkGradients(of: [("middle", middle), ("row", row)]) { weightedSum(middle - row, seed: 16) }
        checkGradients(of: [("a", a), ("column", column)]) { weightedSum(a / (column * column + 1), seed: 17) }
    }

    @Test func arithmeticWithScalars() throws {
        checkGradients(of: [("a", a)]) { weightedSum(2.5 * a + 1, seed: 18) }
        checkGradients(of: [("a", a)]) { weightedSum(3 - a / 4, seed: 19) }
        checkGradients(of: [("a", a)]) { weightedSum(-a - 2, seed: 20) }
        checkGradients(of: [("a", a)]) { weightedSum(a.squared(), seed: 21) }
        checkGradients(of: [("a", a)]) { weightedSum((a.squared() + 0.5).squareRoot(), seed: 22) }
    }

    @Test func elementwiseFunctions() throws {
        let positive = (a.squared() + 0.3).detached()
        let functions: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("exp", { $0.exp() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }),
            ("logSigmoid", { $0.logSigmoid() }), ("relu", { $0.relu() }), ("gelu", { $0.gelu() }),
            ("silu", { $0.silu() }),
        ]
        for (index, (name, function)) in functions.enumerated() {
            checkGradients(of: [(name, a)]) { weightedSum(function(a), seed: 30 + UInt64(index)) }
        }
        checkGradients(of: [("log", positive)]) { weightedSum(positive.log(), seed: 40) }
    }

    @Test func normalizedExponentials() throws {
        for axis in [0, 1, -1] {
            checkGradients(of: [("softmax", a)]) { weightedSum(a.softmax(alongAxis: axis), seed: 41) }
            checkGradients(of: [("logSoftmax", a)]) { weightedSum(a.logSoftmax(alongAxis: axis), seed: 42) }
        }
    }

    @Test func reductions() throws {
        checkGradients(of: [("a", a)]) { a.sum() * 1.5 }
        checkGradients(of: [("a", a)]) { a.mean() * 2 }
        for axis in [0, 1, 2, -1] {
            for keep in [false, true] {
                checkGradients(of: [("a", a)]) { weightedSum(a.sum(alongAxis: axis, keepingAxis: keep), seed: 50) }
                checkGradients(of: [("a", a)]) { weightedSum(a.mean(alongAxis: axis, keepingAxis: keep), seed: 51) }
                checkGradients(of: [("a", a)]) { weightedSum(a.max(alongAxis: axis, keepingAxis: keep), seed: 52) }
            }
        }
    }

    @Test func shapeOperations() throws {
        checkGradients(of: [("a", a)]) { weightedSum(a.reshaped([4, -1]), seed: 60) }
        checkGradients(of: [("a", a)]) { weightedSum(a.permuted([2, 0, 1]), seed: 61) }
        checkGradients(of: [("a", a)]) { weightedSum(a.transposed(0, 2), seed: 62) }
        checkGradients(of: [("a", a)]) { weightedSum(a.slice(alongAxis: 1, 1..<3), seed: 63) }
        checkGradients(of: [("a", a), ("b", b)]) { weightedSum(Tensor.concatenate([a, b, a], alongAxis: 1), seed: 64) }
        checkGradients(of: [("a", a), ("b", b)]) { weightedSum(Tensor.stack([a, b], alongAxis: 2), seed: 65) }
    }

    @Test func matrixProducts() throws {
        let left = random([3, 5], seed: 70)
        let right = random([5, 2], seed: 71)
        let batchedLeft = random([2, 3, 4], seed: 72)
        let batchedRight = random([2, 4, 5], seed: 73)
        let shared = random([4, 5], seed: 74)
        checkGradients(of: [("left", left), ("right", right)]) { weightedSum(Tensor.matmul(left, right), seed: 75) }
        checkGradients(of: [("left", batchedLeft), ("right", batchedRight)]) {
            weightedSum(Tensor.matmul(batchedLeft, batchedRight), seed: 76)
        }
        checkGradients(of: [("left", batchedLeft), ("shared", shared)]) {
            weightedSum(Tensor.matmul(batchedLeft, shared), seed: 77)
        }
    }

    @Test func linearWithAndWithoutBias() throws {
        let x = random([2, 3, 4], seed: 80)
        let weight = random([5, 4], seed: 81)
        let bias = random([5], seed: 82)
        checkGradients(of: [("x", x), ("weight", weight), ("bias", bias)]) {
            weightedSum(Tensor.linear(x, weight: weight, bias: bias), seed: 83)
        }
        checkGradients(of: [("x", x), ("weight", weight)]) {
            weightedSum(Tensor.linear(x, weight: weight, bias: nil), seed: 84)
        }
    }

    @Test func gatherRowsWithRepeatedIndices() throws {
        let table = random([5, 3], seed: 90)
        checkGradients(of: [("table", table)]) { weightedSum(table.gatherRows([4, 0, 4, 2], shape: [2, 2]), seed: 91) }
    }
}
