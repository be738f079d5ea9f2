import Foundation
import TestSupport
import Testing
@testable import xLSTMTensor

@Suite struct TensorTests {
    @Test func creationAndDescription() throws {
        let t = try Tensor<Float>(rows: [[1, 2, 3], [4, 5, 6]])
        #expect(t.shape == [2, 3])
        #expect(t.scalars == [1, 2, 3, 4, 5, 6])
        #expect(Tensor<Double>.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor<Double>.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor<Double>.full(2, shape: [1, 2]).scalars == [2, 2])
        #expect(Tensor<Double>(scalar: 4).shape == [])
        #expect(t.description == "Tensor<Float> [2, 3]\n[[1.0, 2.0, 3.0],\n [4.0, 5.0, 6.0]]")
        #expect(Tensor<Float>(Array(repeating: 0, count: 9)).description.contains("..."))
    }

    @Test func seededRandomTensorsAreReproducibleAndDistributed() throws {
        let first = Random.withSeed(3) { Tensor<Double>.randomNormal([20_000]) }
        let again = Random.withSeed(3) { Tensor<Double>.randomNormal([20_000]) }
        #expect(first.scalars == again.scalars)
        #expect(Random.withSeed(4) { Tensor<Double>.randomNormal([4]) }.scalars != Array(first.scalars[0..<4]))
        let mean = first.scalars.reduce(0, +) / 20_000
        let variance = first.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
        let shifted = Tensor<Double>.randomNormal([20_000], mean: 5, standardDeviation: 0.5).scalars
        #expect(abs(shifted.reduce(0, +) / 20_000 - 5) < 0.02)
        #expect(abs(shifted.map { ($0 - 5) * ($0 - 5) }.reduce(0, +) / 20_000 - 0.25) < 0.02)
        let uniform = Tensor<Double>.randomUniform([20_000], low: -2, high: 4)
        #expect(uniform.scalars.allSatisfy { $0 >= -2 && $0 < 4 })
        #expect(abs(uniform.scalars.reduce(0, +) / 20_000 - 1) < 0.05)
    }

    /// The global seed is shared by everything in the process, so it is
    /// checked in a process of its own.
    @Test func globalSeedRestartsTheDefaultGenerator() async throws {
        await #expect(processExitsWith: .success) {
            Random.seed(3)
            let first = Tensor<Double>.randomUniform([8]).scalars
            Random.seed(3)
            precondition(Tensor<Double>.randomUniform([8]).scalars == first)
        }
    }

    @Test func broadcastingShapes() throws {
        #expect(try broadcastShape([2, 3, 4], [4]) == [2, 3, 4])
        #expect(try broadcastShape([2, 1, 4], [3, 1]) == [2, 3, 4])
        #expect(try broadcastShape([], [2]) == [2])
        #expect(throws: xLSTMError.self) { try broadcastShape([2, 3], [2]) }
        let sum = try Tensor<Double>(rows: [[1, 2, 3], [4, 5, 6]]) + Tensor([10, 20, 30])
        #expect(sum.scalars == [11, 22, 33, 14, 25, 36])
        let columnProduct = try Tensor<Double>(rows: [[1, 2], [3, 4]]) * Tensor(shape: [2, 1], scalars: [2, 3])
        #expect(columnProduct.scalars == [2, 4, 9, 12])
    }

    @Test func reductionShapesAndValues() throws {
        let t = try Tensor<Double>(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        #expect(t.sum().scalar == 21)
        #expect(t.mean().scalar == 3.5)
        #expect(t.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(t.sum(alongAxis: 1, keepingAxis: true).shape == [2, 1])
        #expect(t.mean(alongAxis: -1).scalars == [3, 4])
        #expect(t.max(alongAxis: 1).scalars == [5, 6])
        #expect(t.max(alongAxis: 0, keepingAxis: true).shape == [1, 3])
    }

    @Test func shapeOperationValues() throws {
        let t = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(t.reshaped([3, -1]).shape == [3, 2])
        #expect(t.slice(alongAxis: 1, 1..<3).scalars == [2, 3, 5, 6])
        #expect(Tensor.concatenate([t, t], alongAxis: 0).shape == [4, 3])
        #expect(Tensor.concatenate([t, t], alongAxis: 1).scalars == [1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6])
        // stack along axis a: out[..., j, ...] (j at position a) = tensors[j][...].
        let u = t + 6
        #expect(Tensor.stack([t, u]).scalars == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        let middle = Tensor.stack([t, u], alongAxis: 1)
        #expect(middle.shape == [2, 2, 3] && middle.scalars == [1, 2, 3, 7, 8, 9, 4, 5, 6, 10, 11, 12])
        let last = Tensor.stack([t, u], alongAxis: -1)
        #expect(last.shape == [2, 3, 2] && last.scalars == [1, 7, 2, 8, 3, 9, 4, 10, 5, 11, 6, 12])
        #expect(Tensor.matmul(t, t.transposed()).scalars == [14, 32, 32, 77])
    }

    @Test func activationValues() throws {
        let x = Tensor<Double>([-30, -1, 0, 2, 40])
        let sigmoid = x.sigmoid().scalars
        #expect(abs(sigmoid[1] - 1 / (1 + exp(1))) < 1e-15)
        #expect(x.logSigmoid().scalars.allSatisfy { $0.isFinite })
        #expect(abs(x.logSigmoid().scalars[0] - (-30 - log1p(exp(-30)))) < 1e-12)
        #expect(x.relu().scalars == [0, 0, 0, 2, 40])
        #expect(abs(x.gelu().scalars[3] - 2 * 0.5 * (1 + erf(2 / 2.0.squareRoot()))) < 1e-12)  // the exact (erf) GELU
        #expect(abs(x.silu().scalars[3] - 2 / (1 + exp(-2))) < 1e-15)
        // Along the first axis: each column normalized by itself.
        let columns = try Tensor<Double>(rows: [[1, -2, 0.5], [3, 4, -1]])
        let columnSoftmax = columns.softmax(alongAxis: 0)
        let columnLogSoftmax = columns.logSoftmax(alongAxis: 0)
        for column in 0..<3 {
            let total = exp(columns[0, column]) + exp(columns[1, column])
            for row in 0..<2 {
                #expect(abs(columnSoftmax[row, column] - exp(columns[row, column]) / total) < 1e-15)
                #expect(abs(columnLogSoftmax[row, column] - (columns[row, column] - log(total))) < 1e-14)
            }
        }
        let softmax = try Tensor<Double>(rows: [[1, 2, 1000]]).softmax()
        #expect(softmax.scalars.allSatisfy { $0.isFinite })
        #expect(abs(softmax.scalars.reduce(0, +) - 1) < 1e-12)
    }

    @Test func gradientsAccumulateAndReset() throws {
        let x = Tensor<Double>([1, 2], requiresGrad: true)
        (x * 3).sum().backward()
        (x * x).sum().backward()
        #expect(x.grad?.scalars == [5, 7])
        x.zeroGrad()
        #expect(x.grad == nil)
        (x * 2).backward(Tensor([1, 10]))
        #expect(x.grad?.scalars == [2, 20])
    }

    @Test func noGradientModeRecordsNothing() throws {
        let x = Tensor<Double>([1, 2], requiresGrad: true)
        let y = withoutGradients { (x * 3).sum() }
        #expect(!y.requiresGrad)
        #expect(GradientRecording.isActive)
    }

    @Test func multiOutputCustomOperation() throws {
        let x = Tensor<Double>([1, 2, 3], requiresGrad: true)
        let doubled = Tensor<Double>(x.scalars.map { 2 * $0 })
        let total = Tensor<Double>(scalar: x.scalars.reduce(0, +))
        recordOperation(outputs: [doubled, total], inputs: [x]) { grads in
            let fromDoubled = grads[0]?.scalars.map { 2 * $0 } ?? [0, 0, 0]
            let fromTotal = grads[1]?.scalar ?? 0
            return [Tensor(fromDoubled.map { $0 + fromTotal })]
        }
        (doubled.sum() + total * 10).backward()
        #expect(x.grad?.scalars == [12, 12, 12])
    }

    @Test func deepGraphsDoNotOverflowTheStack() throws {
        let x = Tensor<Double>([1], requiresGrad: true)
        var y = x
        for _ in 0..<20_000 { y = y * 1.0001 }
        y.sum().backward()
        #expect(abs(x.grad!.scalar - pow(1.0001, 20_000)) < 1e-9)
    }
}

/// One-row products take the matrix-vector path: every transpose
/// combination against a plain loop (Float and Double).
@Test func oneRowProductsMatchPlainLoops() throws {
    var generator = Xoshiro256(seed: 21)
    for (k, n) in [(5, 3), (1, 7), (64, 33)] {
        for transposeA in [false, true] {
            for transposeB in [false, true] {
                let a = Tensor<Double>.randomNormal([k], using: &generator).scalars  // 1 x k, or k x 1 when transposed
                let b = Tensor<Double>.randomNormal([k * n], using: &generator).scalars
                var c = [Double](repeating: 0.5, count: n)
                Double.gemm(
                    transposeA: transposeA, transposeB: transposeB, m: 1, n: n, k: k, alpha: 2, a: a, lda: transposeA ? 1 : k,
                    b: b, ldb: transposeB ? k : n, beta: 1, c: &c, ldc: n)
                for column in 0..<n {
                    let dot = (0..<k).reduce(0.0) { $0 + a[$1] * (transposeB ? b[column * k + $1] : b[$1 * n + column]) }
                    #expect(abs(c[column] - (0.5 + 2 * dot)) < 1e-12)
                }
                let floats = b.map { Float($0) }
                var cf = [Float](repeating: 0, count: n)
                Float.gemm(
                    transposeA: transposeA, transposeB: transposeB, m: 1, n: n, k: k, alpha: 1, a: a.map { Float($0) },
                    lda: transposeA ? 1 : k, b: floats, ldb: transposeB ? k : n, beta: 0, c: &cf, ldc: n)
                for column in 0..<n {
                    let dot = (0..<k).reduce(0.0) { $0 + a[$1] * (transposeB ? b[column * k + $1] : b[$1 * n + column]) }
                    #expect(abs(Double(cf[column]) - dot) < 1e-4 * max(1, abs(dot)))
                }
            }
        }
    }
}

/// A one-row product large enough to be split by columns over the workers
/// (from 256 KB of matrix, and well above) equals the same product computed
/// row by row of a two-row batch.
@Test(arguments: [(600, 700), (300, 400)])
func oneRowProductsSplitByColumnsAgree(inputs: Int, outputs: Int) throws {
    var generator = Xoshiro256(seed: 22)
    let x = Tensor<Double>.randomNormal([1, inputs], using: &generator)
    let weight = Tensor<Double>.randomNormal([outputs, inputs], using: &generator)
    let single = Tensor.linear(x, weight: weight, bias: nil)
    let pair = Tensor.linear(Tensor.concatenate([x, x], alongAxis: 0), weight: weight, bias: nil)
    expectClose(single.scalars, Array(pair.scalars[0..<outputs]), .sameMath(Double.self), "columns")
    let product = Tensor.matmul(x, weight.transposed())
    expectClose(product.scalars, single.scalars, .sameMath(Double.self), "matmul")
}

/// Batched products large enough to be split over the workers by whole
/// products (per product below and above the size that splits one by rows):
/// values and both gradients against plain loops of the definition,
/// C = A B, dA = W Bᵀ and dB = Aᵀ W for the loss sum(C * W).
@Test(arguments: [(5, 40, 50, 70), (3, 100, 60, 80)])
func batchedProductsSplitByProductsMatchTheDefinition(batch: Int, m: Int, k: Int, n: Int) {
    let a = random([batch, m, k], seed: 31)
    let b = random([batch, k, n], seed: 32)
    let w = random([batch, m, n], seed: 33)
    a.requiresGrad = true
    b.requiresGrad = true
    let c = Tensor.matmul(a, b)
    (c * w).sum().backward()
    var (worstC, worstA, worstB) = (0.0, 0.0, 0.0)
    for p in 0..<batch {
        for row in 0..<m {
            for column in 0..<n {
                let value = (0..<k).reduce(0.0) { $0 + a.scalars[(p * m + row) * k + $1] * b.scalars[(p * k + $1) * n + column] }
                worstC = worstError(worstC, abs(c.scalars[(p * m + row) * n + column] - value))
            }
            for inner in 0..<k {
                let value = (0..<n).reduce(0.0) { $0 + w.scalars[(p * m + row) * n + $1] * b.scalars[(p * k + inner) * n + $1] }
                worstA = worstError(worstA, abs((a.grad?.scalars[(p * m + row) * k + inner] ?? .infinity) - value))
            }
        }
        for inner in 0..<k {
            for column in 0..<n {
                let value = (0..<m).reduce(0.0) { $0 + a.scalars[(p * m + $1) * k + inner] * w.scalars[(p * m + $1) * n + column] }
                worstB = worstError(worstB, abs((b.grad?.scalars[(p * k + inner) * n + column] ?? .infinity) - value))
            }
        }
    }
    #expect(worstC < 1e-12 && worstA < 1e-12 && worstB < 1e-12, "C \(worstC), dA \(worstA), dB \(worstB)")
}

/// `firstNonFiniteIndex`, which state validation uses: the first NaN or
/// infinity wherever it sits, and nil for finite values however extreme.
@Test func theFirstNonFiniteElementIsFound() {
    let finite: [Float] = [0, -0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 1]
    #expect(Tensor(finite + finite + finite).firstNonFiniteIndex() == nil)
    for bad in [Float.nan, .infinity, -.infinity] {
        for position in [0, 7, 40] {
            var values = [Float](repeating: 1, count: 41)
            values[position] = bad
            #expect(Tensor(values).firstNonFiniteIndex() == position, "\(bad) at \(position)")
            values[40] = .nan
            #expect(Tensor(values).firstNonFiniteIndex() == position, "\(bad) at \(position), NaN at the end")
        }
    }
    #expect(Tensor<Double>([1, 2, .infinity, .nan]).firstNonFiniteIndex() == 2)
}
