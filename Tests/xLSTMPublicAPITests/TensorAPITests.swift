import Testing
import Foundation
import xLSTM

/// The tensor core as a user sees it through `import xLSTM` alone.
@Suite struct TensorAPITests {
    @Test func creationShapesAndAccess() throws {
        let t = try Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.rank == 2 && t.count == 6 && t[1, 2] == 6)
        #expect(try Tensor<Float>(rows: [[1, 2], [3, 4]]).scalars == [1, 2, 3, 4])
        #expect(Tensor<Float>([1, 2, 3]).shape == [3] && Tensor<Float>(scalar: 4).scalar == 4)
        #expect(Tensor<Double>.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor<Double>.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor<Double>.full(7, shape: [2]).scalars == [7, 7])
        let reshaped = t.reshaped([3, -1])
        #expect(reshaped.shape == [3, 2] && reshaped.scalars == t.scalars)
        #expect(t.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(t.permuted([1, 0]).scalars == t.transposed().scalars)
        #expect(t.slice(alongAxis: 1, 1..<3).scalars == [2, 3, 5, 6])
        #expect(Tensor.concatenate([t, t], alongAxis: 0).shape == [4, 3])
        #expect(Tensor.stack([t, t], alongAxis: 1).shape == [2, 2, 3])
        #expect(t.argmax(alongAxis: 0) == [1, 1, 1] && t.argmax(alongAxis: 1) == [2, 2])
        t[0, 0] = 10
        try t.assign([6, 5, 4, 3, 2, 1])
        #expect(t.scalars == [6, 5, 4, 3, 2, 1] && t.version == 2)
        #expect(t.description.hasPrefix("Tensor<Float> [2, 3]"))
    }

    @Test func arithmeticBroadcastsReductionsAndActivations() throws {
        let a = try Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let row = Tensor<Double>([10, 20, 30])
        #expect((a + row).scalars == [11, 22, 33, 14, 25, 36])
        #expect((a * 2 - 1).scalars == [1, 3, 5, 7, 9, 11])
        #expect((a / a).scalars == [1, 1, 1, 1, 1, 1])
        #expect(a.sum().scalar == 21 && a.mean().scalar == 3.5)
        #expect(a.sum(alongAxis: 0).scalars == [5, 7, 9] && a.max(alongAxis: 1).scalars == [3, 6])
        #expect(a.mean(alongAxis: 1, keepingAxis: true).shape == [2, 1])
        for (value, expected) in zip(a.softmax(alongAxis: 1).sum(alongAxis: 1).scalars, [1.0, 1.0]) {
            #expect(abs(value - expected) < 1e-12)
        }
        let x = Tensor<Double>([-2, 0, 3])
        #expect(x.relu().scalars == [0, 0, 3])
        #expect(zip(x.exp().log().scalars, x.scalars).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(x.sigmoid().log().scalars, x.logSigmoid().scalars).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(x.tanh().scalars, x.scalars.map { Foundation.tanh($0) }).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(zip(x.silu().scalars, x.scalars.map { $0 / (1 + Foundation.exp(-$0)) }).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(x.gelu().scalars[1] == 0)
        #expect(x.squared().scalars == [4, 0, 9] && Tensor<Double>([4, 9]).squareRoot().scalars == [2, 3])
        #expect(zip(x.logSoftmax().exp().scalars, x.softmax().scalars).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func matrixProductsAgreeWithLoops() throws {
        var generator = Xoshiro256(seed: 1)
        let a = Tensor<Double>.randomNormal([3, 4], using: &generator)
        let b = Tensor<Double>.randomUniform([4, 2], low: -1, high: 1, using: &generator)
        let c = Tensor.matmul(a, b)
        for i in 0..<3 {
            for j in 0..<2 {
                let loop = (0..<4).reduce(0.0) { $0 + a[i, $1] * b[$1, j] }
                #expect(abs(c[i, j] - loop) < 1e-12)
            }
        }
        let bias = Tensor<Double>([1, -1])
        let linear = Tensor.linear(a, weight: b.transposed(), bias: bias)
        #expect(zip(linear.scalars, (c + bias).scalars).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(Tensor.matmul(a.reshaped([1, 3, 4]), b.reshaped([1, 4, 2])).shape == [1, 3, 2])
    }

    @Test func gradientsRecordingAndCustomOperations() throws {
        let x = Tensor<Double>([1, 2, 3], requiresGrad: true)
        (x * x).sum().backward()
        #expect(x.grad?.scalars == [2, 4, 6])
        x.zeroGrad()
        #expect(x.grad == nil)
        let untracked = withoutGradients { (x * x).sum() }
        #expect(!untracked.requiresGrad && GradientRecording.isActive)
        // A custom operation y = 3x with its hand-written backward.
        let y = Tensor<Double>(x.scalars.map { 3 * $0 })
        recordOperation(outputs: [y], inputs: [x]) { grads in
            [grads[0].map { Tensor($0.scalars.map { 3 * $0 }) }]
        }
        y.backward(Tensor([1, 1, 1]), retainGraph: true)
        y.backward(Tensor([1, 1, 1]))
        #expect(x.grad?.scalars == [6, 6, 6])
        #expect(x.detached().requiresGrad == false)
    }

    @Test func seedsMakeRandomnessReproducible() async throws {
        // The global generator, in a process of its own: tests that run at
        // the same time in this process draw from it too.
        await #expect(processExitsWith: .success) {
            Random.seed(3)
            let first = Tensor<Float>.randomNormal([4])
            Random.seed(3)
            precondition(Tensor<Float>.randomNormal([4]).scalars == first.scalars)
        }
        let scoped = Random.withSeed(9) { Tensor<Float>.randomUniform([3]) }
        #expect(Random.withSeed(9) { Tensor<Float>.randomUniform([3]) }.scalars == scoped.scalars)
        // Other tests run at the same time: set the count it already has.
        let current = Parallelism.threadCount
        Parallelism.threadCount = current
        #expect(Parallelism.threadCount == current && current >= 1)
    }

    /// The library runs its products with one BLAS thread (its own workers
    /// split them) and gives the host program's setting back. In a process of
    /// its own: the setting is process-wide, and other tests run products at
    /// the same time.
    @Test func productsAndPassesGiveTheHostsBLASThreadCountBack() async throws {
        #if os(Linux)
        await #expect(processExitsWith: .success) {
            BLAS.setThreadCount(3)
            precondition(BLAS.threadCount == 3)
            Parallelism.threadCount = 2
            let a = Tensor<Float>.randomNormal([96, 128], requiresGrad: true)
            Tensor.matmul(a, a.transposed()).sum().backward()
            precondition(BLAS.threadCount == 3, "after matmul: \(BLAS.threadCount ?? 0)")
            let model = sLSTM<Float>(inputSize: 8, hiddenSize: 32, numHeads: 2)
            let (outputs, _) = model(Tensor<Float>.randomNormal([6, 4, 8]))
            outputs.sum().backward()
            precondition(BLAS.threadCount == 3, "after the sLSTM: \(BLAS.threadCount ?? 0)")
        }
        #endif
    }

    @Test func errorsNameTheArgument() throws {
        #expect(throws: xLSTMError(argument: "scalars", expected: "4 elements for shape [2, 2]", received: "3")) {
            try Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3])
        }
        let error = xLSTMError(argument: "input", expected: "rank 3", received: "shape [2]")
        #expect(error.description == "invalid input: expected rank 3, received shape [2]")
    }
}
