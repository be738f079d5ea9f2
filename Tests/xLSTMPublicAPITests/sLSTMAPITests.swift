import Foundation
import Testing
import xLSTM

/// The sLSTM family as the README shows it, through `import xLSTM` alone.
@Suite struct sLSTMAPITests {
    @Test func theReadmeExample() throws {
        let slstm = sLSTM(inputSize: 32, hiddenSize: 128, numLayers: 2, dropout: 0.1)
        let inputs = Tensor<Float>.randomNormal([50, 8, 32])
        let (outputs, hiddenStates) = slstm(inputs)
        #expect(outputs.shape == [50, 8, 128])
        for tensor in [hiddenStates.h, hiddenStates.c, hiddenStates.n, hiddenStates.m] { #expect(tensor.shape == [2, 8, 128]) }
        #expect(outputs.scalars.allSatisfy { abs($0) < 1 })  // |h| < 1 (DESIGN's invariant)
        #expect(hiddenStates.n.scalars.allSatisfy { $0 >= 1 - 1e-5 })  // n >= 1 after a step
        #expect(slstm.parameterCount == 2 * (4 * 128 * 128 + 4 * 128 * 128 + 4 * 128) - 4 * 128 * (128 - 32))
    }

    @Test func everyCallFormAgrees() throws {
        try Random.withSeed(2) {
            let slstm = sLSTM<Double>(inputSize: 3, hiddenSize: 6, numHeads: 2, forgetGate: .sigmoid)
            let x = Tensor<Double>.randomNormal([5, 2, 3])
            let whole = slstm(x)
            // Two chunks with the state carried equal one call.
            let (early, state) = slstm(x.slice(alongAxis: 0, 0..<2))
            let (late, final) = slstm(x.slice(alongAxis: 0, 2..<5), state.detached())
            expectEqual(Tensor.concatenate([early, late], alongAxis: 0).scalars, whole.outputs.scalars)
            expectEqual(final.c.scalars, whole.state.c.scalars)
            // The throwing form, batch-first and unbatched layouts, lengths.
            let thrown = try slstm.forward(x, state: nil, lengths: [5, 3])
            expectEqual(thrown.outputs.slice(alongAxis: 1, 0..<1).scalars, whole.outputs.slice(alongAxis: 1, 0..<1).scalars)
            #expect(thrown.outputs.slice(alongAxis: 0, 3..<5).slice(alongAxis: 1, 1..<2).scalars.allSatisfy { $0 == 0 })
            let unbatched = slstm(x.slice(alongAxis: 1, 0..<1).reshaped([5, 3])).outputs
            expectEqual(unbatched.scalars, whole.outputs.slice(alongAxis: 1, 0..<1).scalars)
            let batchFirst = try sLSTM<Double>(configuration: sLSTMConfiguration(
                inputSize: 3, hiddenSize: 6, numHeads: 2, batchFirst: true, forgetGate: .sigmoid))
            for (to, from) in zip(batchFirst.parameters, slstm.parameters) { try to.assign(from) }
            expectEqual(batchFirst(x.transposed(0, 1)).outputs.transposed(0, 1).scalars, whole.outputs.scalars)
        }
    }

    @Test func theCellStepsAndBackendsAgree() throws {
        try Random.withSeed(5) {
            let slstm = sLSTM<Float>(inputSize: 4, hiddenSize: 20, numHeads: 4)
            let cell = sLSTMCell<Float>(inputSize: 4, hiddenSize: 20, numHeads: 4)
            #expect(cell.namedParameters.map(\.name) == ["weight_ih", "weight_hh", "bias"])
            for (to, from) in zip(cell.parameters, slstm.parameters) { try to.assign(from) }
            let x = Tensor<Float>.randomNormal([6, 3, 4])
            slstm.backend = .reference
            let reference = slstm(x).outputs
            slstm.backend = .fast
            let fast = slstm(x).outputs
            var state: sLSTMState<Float>? = nil
            for t in 0..<6 {
                let (h, next) = try cell.step(x.slice(alongAxis: 0, t..<(t + 1)).reshaped([3, 4]), state: state)
                state = next
                expectClose(h.scalars, reference.slice(alongAxis: 0, t..<(t + 1)).scalars, tolerance: 1e-4)
            }
            expectClose(fast.scalars, reference.scalars, tolerance: 1e-4)
            #expect(sLSTMBackend.allCases == [.fast, .reference])
        }
    }

    /// The reference's gradient of one weight against a central difference,
    /// set through the public subscript.
    @Test func gradientsMatchFiniteDifferences() throws {
        Random.withSeed(6) {
            let slstm = sLSTM<Double>(inputSize: 2, hiddenSize: 4, numLayers: 2, bidirectional: true)
            let x = Tensor<Double>.randomNormal([4, 2, 2])
            let weights = Tensor<Double>.randomNormal([4, 2, 8])
            func objective() -> Tensor<Double> { (slstm(x).outputs * weights).sum() }
            objective().backward()
            for (name, parameter) in slstm.namedParameters where name.hasPrefix("weight_hh_l1") {
                let analytic = parameter.grad![0, 1, 0]
                let original = parameter[0, 1, 0]
                parameter[0, 1, 0] = original + 1e-6
                let plus = withoutGradients { objective().scalar }
                parameter[0, 1, 0] = original - 1e-6
                let minus = withoutGradients { objective().scalar }
                parameter[0, 1, 0] = original
                #expect(abs(analytic - (plus - minus) / 2e-6) < 1e-6 * max(1, abs(analytic)), "\(name)")
            }
        }
    }

    @Test func theParityClassifierLearns() throws {
        try Random.withSeed(7) {
            var generator = Xoshiro256(seed: 7)
            let task = try ParityTask(lengths: 2...6)
            let model = try SequenceClassifier<Float>(
                vocabularySize: ParityTask.vocabularySize, embeddingSize: 4, classCount: ParityTask.classCount,
                slstm: sLSTMConfiguration(inputSize: 4, hiddenSize: 16))
            let optimizer = try Adam(parameters: model.parameters, learningRate: 1e-2)
            for _ in 0..<150 {
                let batch = task.batch(count: 32, using: &generator)
                optimizer.zeroGrad()
                crossEntropy(logits: model(batch), targets: batch.labels).backward()
                optimizer.step()
            }
            model.eval()
            let test = try SequenceBatch(sequences: [[1], [1, 1], [0, 1, 0], [1, 1, 1], [0, 0, 0, 0, 1]], labels: [1, 0, 1, 1, 1])
            #expect(withoutGradients { model(test) }.argmax(alongAxis: 1) == test.labels)
            let json = try JSONEncoder().encode(try #require(model.slstm).configuration)
            #expect(try JSONDecoder().decode(sLSTMConfiguration.self, from: json) == model.slstm?.configuration)
        }
    }

    func expectEqual(_ a: [Double], _ b: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= 1e-10 * max(1, abs($1)) }, sourceLocation: sourceLocation)
    }

    func expectClose(_ a: [Float], _ b: [Float], tolerance: Float, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(1, abs($1)) }, sourceLocation: sourceLocation)
    }
}
