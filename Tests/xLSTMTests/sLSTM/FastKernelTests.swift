import TestSupport
import Testing
@testable import xLSTM

/// The fast Float kernel against the reference, both in Float on the same
/// inputs: outputs, final states and every gradient (x, W, R, bias and the
/// four initial states) under random upstream gradients on the outputs and
/// on the final h, c and n.
@Suite struct FastKernelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var steps = 5
        var batch = 3
        var inputSize = 7
        var hiddenSize = 6
        var heads = 1
        var forgetGate = ForgetGate.exponential
        var reverse = false
        var lengths: [Int]? = nil
        var bias = true
        /// A random initial state (with some n0 == 0) instead of zeros.
        var carried = false
        /// Multiplies every weight and the bias range: 40 drives the
        /// pre-activations to about +-50.
        var scale: Float = 1
        var threads = 2

        var testDescription: String {
            "T=\(steps) B=\(batch) D=\(inputSize) H=\(hiddenSize) K=\(heads) \(forgetGate) reverse=\(reverse) "
                + "lengths=\(lengths ?? []) bias=\(bias) carried=\(carried) scale=\(scale) threads=\(threads)"
        }
    }

    /// T = 1 and odd T; H = 6, 20, 36, 130 (not powers of two, so padded
    /// lanes); 1, 2 and 4 heads; batch 1 and batches that split unevenly into
    /// chunks (5 rows in 3, 11 in 2, 3 in 2); both forget gates; reverse and
    /// lengths; no bias; carried states with n0 == 0 in a quarter of the
    /// units; pre-activations near +-50; 1, 2 and 3 threads.
    static let cases: [Case] = [
        Case(steps: 1),
        Case(steps: 7, hiddenSize: 20, heads: 2, forgetGate: .sigmoid),
        Case(steps: 4, batch: 1, hiddenSize: 36, heads: 4),
        Case(steps: 5, batch: 1, hiddenSize: 20, forgetGate: .sigmoid, carried: true),
        // One sequence, one head of at least 128 units, two threads: the head is split by units
        // between a team of workers that meet at a barrier every step.
        Case(steps: 5, batch: 1, inputSize: 5, hiddenSize: 128, carried: true),
        Case(
            steps: 4, batch: 1, inputSize: 5, hiddenSize: 130, forgetGate: .sigmoid, reverse: true, lengths: [3],
            carried: true),
        Case(batch: 5, hiddenSize: 6, heads: 2, carried: true, threads: 3),
        // 9 rows in one chunk: the micro-kernel's 4-, 2- and 1-row paths.
        Case(steps: 6, batch: 9, hiddenSize: 32, heads: 2, threads: 1),
        Case(steps: 6, batch: 11, inputSize: 5, hiddenSize: 20, forgetGate: .sigmoid, carried: true),
        Case(reverse: true, lengths: [5, 2, 4], carried: true),
        Case(steps: 6, batch: 4, hiddenSize: 20, heads: 4, forgetGate: .sigmoid, reverse: true, lengths: [3, 6, 1, 5]),
        Case(hiddenSize: 20, heads: 2, bias: false),
        Case(steps: 6, hiddenSize: 20, heads: 2, carried: true, scale: 40),
        Case(steps: 6, hiddenSize: 20, heads: 2, forgetGate: .sigmoid, lengths: [6, 3, 5], carried: true, scale: 40),
        // Per-step products large enough that the oneDNN engine hands them to oneDNN: 8 x 512 x 256
        // multiply-adds for each half of the head the forward splits (the oneDNN engine splits rather
        // than run chunks of 4 rows), 4 x 256 x 1024 for each batch chunk of the backward.
        Case(steps: 3, batch: 8, inputSize: 5, hiddenSize: 256, carried: true),
    ]

    /// Every case with the recurrent products of every engine (the build's
    /// own and the others).
    @Test(arguments: cases, RecurrentProduct.Engine.available)
    func fastEqualsReference(_ config: Case, _ engine: RecurrentProduct.Engine) throws {
        var generator = Xoshiro256(seed: 17)
        let (geometry, inputs) = Self.problem(config, using: &generator)
        let upstream = Self.upstream(geometry, using: &generator)
        let reference = sLSTMReference.run(geometry, inputs)
        let fast = sLSTMFastKernel.run(geometry, inputs, threads: config.threads, engine: engine)
        let tolerance = Tolerance.fastAgainstReference
        expectClose(fast.outputs, reference.outputs, tolerance, "outputs")
        for (name, a, b) in Self.states(fast.final, reference.final) { expectClose(a, b, tolerance, "final \(name)") }
        // A pass that saves nothing runs a loop of its own (FastPointwise.Forward): the same results, bit for bit.
        let unrecorded = withoutGradients {
            sLSTMFastKernel.run(geometry, inputs, threads: config.threads, engine: engine)
        }
        #expect(unrecorded.outputs == fast.outputs, "outputs without gradients")
        for (name, a, b) in Self.states(unrecorded.final, fast.final) { #expect(a == b, "final \(name) without gradients") }
        if let lengths = config.lengths {
            for (row, length) in lengths.enumerated() {
                for time in length..<config.steps {
                    let start = (time * config.batch + row) * config.hiddenSize
                    #expect(fast.outputs[start..<(start + config.hiddenSize)].allSatisfy { $0 == 0 }, "padding is zero")
                }
            }
        }
        let fastGradients = fast.backward(upstream)
        let referenceGradients = reference.backward(upstream)
        expectClose(fastGradients.x, referenceGradients.x, tolerance, "dx")
        expectClose(fastGradients.inputWeights, referenceGradients.inputWeights, tolerance, "dW")
        expectClose(fastGradients.recurrentWeights, referenceGradients.recurrentWeights, tolerance, "dR")
        if config.bias { expectClose(fastGradients.bias, referenceGradients.bias, tolerance, "db") }
        for (name, a, b) in Self.states(fastGradients.initial, referenceGradients.initial) {
            expectClose(a, b, tolerance, "d\(name)0")
        }
        // The backward may run again (the graph can be back-propagated twice).
        #expect(fast.backward(upstream).recurrentWeights == fastGradients.recurrentWeights)
    }

    @Test func scaledCaseReachesFiftyAndStartsFreshUnits() throws {
        var generator = Xoshiro256(seed: 17)
        let config = Self.cases.first { $0.scale == 40 }!
        let (geometry, inputs) = Self.problem(config, using: &generator)
        let (B, D, H) = (geometry.batch, geometry.inputSize, geometry.hiddenSize)
        var largest: Float = 0
        for row in 0..<(geometry.steps * B) {
            for gate in 0..<(4 * H) {
                var sum = inputs.bias[gate]
                for e in 0..<D { sum += inputs.inputWeights[gate * D + e] * inputs.x[row * D + e] }
                largest = max(largest, abs(sum))
            }
        }
        #expect(largest >= 40)
        #expect(inputs.initial.n.contains(0) && inputs.initial.n.contains { $0 > 0 })
    }

    @Test func backwardOfAPassRunWithoutRecordingRunsTheForwardAgain() throws {
        var generator = Xoshiro256(seed: 5)
        let config = Case(steps: 4, hiddenSize: 20, heads: 2, forgetGate: .sigmoid, carried: true)
        let (geometry, inputs) = Self.problem(config, using: &generator)
        let upstream = Self.upstream(geometry, using: &generator)
        let recorded = sLSTMFastKernel.run(geometry, inputs)
        let unrecorded = withoutGradients { sLSTMFastKernel.run(geometry, inputs) }
        #expect(unrecorded.outputs == recorded.outputs)
        let (a, b) = (recorded.backward(upstream), unrecorded.backward(upstream))
        #expect(a.x == b.x && a.inputWeights == b.inputWeights && a.recurrentWeights == b.recurrentWeights)
        #expect(a.bias == b.bias && a.initial.c == b.initial.c && a.initial.m == b.initial.m)
    }

    @Test func fastSelectsTheSIMDKernelForFloatAndTheReferenceForDouble() throws {
        let geometry = sLSTMLayerGeometry(
            steps: 3, batch: 2, inputSize: 2, hiddenSize: 4, heads: 2, forgetGate: .exponential, reverse: false,
            lengths: [3, 3])
        let inputs = sLSTMLayerInputs<Double>(
            x: (0..<12).map { Double($0) / 12 }, inputWeights: (0..<32).map { Double($0 % 5) / 10 - 0.2 },
            recurrentWeights: (0..<32).map { Double($0 % 3) / 10 - 0.1 }, bias: Array(repeating: 0.1, count: 16),
            initial: sLSTMLayerState(
                h: Array(repeating: 0, count: 8), c: Array(repeating: 0, count: 8), n: Array(repeating: 0, count: 8),
                m: Array(repeating: 0, count: 8)))
        #expect(sLSTMBackend.fast.kernel(for: Double.self) is sLSTMReference<Double>.Type)
        #expect(sLSTMBackend.fast.kernel(for: Float.self) is sLSTMFastKernel.Type)
        #expect(sLSTMBackend.reference.kernel(for: Float.self) is sLSTMReference<Float>.Type)
        let fast = sLSTMBackend.fast.kernel(for: Double.self).run(geometry, inputs)
        #expect(fast.outputs == sLSTMReference.run(geometry, inputs).outputs)
    }

    /// The whole module, `.fast` against `.reference`: two bidirectional
    /// layers with unequal lengths and a carried state, parameter and input
    /// gradients through the gradient engine.
    @Test func moduleWithFastBackendEqualsReference() throws {
        let models = (0..<2).map { _ in
            makesLSTM(Float.self, inputSize: 5, hiddenSize: 20, numLayers: 2, numHeads: 2, bidirectional: true)
        }
        let (fast, reference) = (models[0], models[1])
        fast.backend = .fast
        reference.backend = .reference
        #expect(sLSTM<Float>(inputSize: 2, hiddenSize: 4).backend == .fast)
        var generator = Xoshiro256(seed: 3)
        let carried = randomState([4, 3, 20], seed: 4)
        func float(_ tensor: Tensor<Double>) -> Tensor<Float> {
            Tensor(validatedShape: tensor.shape, scalars: tensor.scalars.map { Float($0) })
        }
        let state = sLSTMState(h: float(carried.h), c: float(carried.c), n: float(carried.n), m: float(carried.m))
        state.n.scalars[5] = 0
        let x = Tensor<Float>.randomUniform([6, 3, 5], low: -1, high: 1, using: &generator)
        var results: [(outputs: Tensor<Float>, state: sLSTMState<Float>, gradients: [[Float]])] = []
        for model in [fast, reference] {
            let input = x.detached()
            input.requiresGrad = true
            let start = state.map { $0.detached() }
            for tensor in [start.h, start.c, start.n, start.m] { tensor.requiresGrad = true }
            let (outputs, final) = model(input, start, lengths: [6, 4, 5])
            let loss = (outputs * outputs).sum() + (final.h * final.c).sum() + final.n.sum()
            loss.backward()
            let gradients = (model.parameters + [input, start.h, start.c, start.n, start.m]).map {
                $0.grad?.scalars ?? []
            }
            results.append((outputs, final, gradients))
        }
        let tolerance = Tolerance.fastAgainstReference
        expectClose(results[0].outputs, results[1].outputs, tolerance, "outputs")
        for ((name, a), (_, b)) in zip(results[0].state.named, results[1].state.named) {
            expectClose(a, b, tolerance, "final \(name)")
        }
        for (index, (a, b)) in zip(results[0].gradients, results[1].gradients).enumerated() {
            #expect(!a.isEmpty, "gradient \(index) reached")
            expectClose(a, b, tolerance, "gradient \(index)")
        }
    }

    // MARK: - Problems

    /// A random layer problem for `config`.
    static func problem(
        _ config: Case, using generator: inout Xoshiro256
    ) -> (sLSTMLayerGeometry, sLSTMLayerInputs<Float>) {
        let (T, B, D, H, K) = (config.steps, config.batch, config.inputSize, config.hiddenSize, config.heads)
        let d = H / K
        let geometry = sLSTMLayerGeometry(
            steps: T, batch: B, inputSize: D, hiddenSize: H, heads: K, forgetGate: config.forgetGate,
            reverse: config.reverse, lengths: config.lengths ?? Array(repeating: T, count: B))
        let bound = config.scale / Float(H).squareRoot()
        func uniform(_ count: Int, _ bound: Float) -> [Float] {
            (0..<count).map { _ in Float.random(in: -bound...bound, using: &generator) }
        }
        let x = uniform(T * B * D, 1)
        let inputWeights = uniform(4 * H * D, bound)
        let recurrentWeights = uniform(K * 4 * d * d, bound)
        let bias = config.bias ? uniform(4 * H, config.scale) : Array(repeating: 0, count: 4 * H)
        var initial = sLSTMLayerState<Float>(
            h: Array(repeating: 0, count: B * H), c: Array(repeating: 0, count: B * H),
            n: Array(repeating: 0, count: B * H), m: Array(repeating: 0, count: B * H))
        if config.carried {
            initial.n = (0..<(B * H)).map { $0 % 4 == 1 ? 0 : Float.random(in: 1...3, using: &generator) }
            initial.c = initial.n.map { $0 * Float.random(in: -0.9...0.9, using: &generator) }
            initial.h = uniform(B * H, 0.9)
            initial.m = uniform(B * H, 2)
        }
        return (
            geometry,
            sLSTMLayerInputs(
                x: x, inputWeights: inputWeights, recurrentWeights: recurrentWeights, bias: bias, initial: initial)
        )
    }

    /// Random upstream gradients on the outputs and on the final h, c and n.
    static func upstream(
        _ geometry: sLSTMLayerGeometry, using generator: inout Xoshiro256
    ) -> sLSTMLayerUpstream<Float> {
        let (T, B, H) = (geometry.steps, geometry.batch, geometry.hiddenSize)
        func uniform(_ count: Int) -> [Float] { (0..<count).map { _ in Float.random(in: -1...1, using: &generator) } }
        return sLSTMLayerUpstream(outputs: uniform(T * B * H), h: uniform(B * H), c: uniform(B * H), n: uniform(B * H))
    }

    static func states(
        _ a: sLSTMLayerState<Float>, _ b: sLSTMLayerState<Float>
    ) -> [(String, [Float], [Float])] {
        [("h", a.h, b.h), ("c", a.c, b.c), ("n", a.n, b.n), ("m", a.m, b.m)]
    }
}
