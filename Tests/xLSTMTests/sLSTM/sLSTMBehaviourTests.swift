import TestSupport
import Testing
@testable import xLSTM

/// Equivalences a user relies on: chunking, cells, batching, lengths,
/// directions, layouts, layers and dropout.
@Suite struct sLSTMBehaviourTests {
    let tolerance = Tolerance.sameMath(Double.self)

    func gradients(_ tensors: [Tensor<Double>]) -> [Double] {
        tensors.flatMap { $0.grad?.scalars ?? [] }
    }

    @Test func twoChunksWithCarriedStateEqualOnePass() throws {
        let model = makesLSTM(numLayers: 2, numHeads: 2)
        let x = random([7, 3, 3], seed: 1)
        let (whole, wholeFinal) = model(x)
        objective(whole, wholeFinal).backward()
        let wholeGradients = gradients(model.parameters)
        model.zeroGrad()

        let (first, carried) = model(steps(x, 0..<3))
        let (second, final) = model(steps(x, 3..<7), carried)
        let outputs = Tensor.concatenate([first, second], alongAxis: 0)
        expectClose(outputs, whole, tolerance, "outputs")
        for ((name, a), (_, b)) in zip(final.named, wholeFinal.named) { expectClose(a, b, tolerance, name) }
        objective(outputs, final).backward()
        expectClose(gradients(model.parameters), wholeGradients, tolerance, "parameter gradients")
    }

    @Test func aLoopOfCellsEqualsTheSequence() throws {
        for forgetGate in ForgetGate.allCases {
            let model = makesLSTM(numHeads: 3, forgetGate: forgetGate)
            let cell = sLSTMCell<Double>(inputSize: 3, hiddenSize: 6, numHeads: 3, forgetGate: forgetGate)
            copyParameters(from: model.parameters, to: cell.parameters)
            #expect(cell.namedParameters.map(\.name) == ["weight_ih", "weight_hh", "bias"])
            let x = random([5, 2, 3], seed: 2)
            let (outputs, final) = model(x)
            var state: sLSTMState<Double>? = nil
            var hs: [Tensor<Double>] = []
            for t in 0..<5 {
                let (h, next) = cell(x.slice(alongAxis: 0, t..<(t + 1)).reshaped([2, 3]), state)
                hs.append(h)
                state = next
            }
            let looped = Tensor.stack(hs)
            expectClose(looped, outputs, tolerance, "outputs")
            expectClose(state!.c, final.c.reshaped([2, 6]), tolerance, "c")
            objective(outputs, final).backward()
            let sequenceGradients = gradients(model.parameters)
            let loopFinal = state!.map { $0.reshaped([1, 2, 6]) }
            objective(looped, loopFinal).backward()
            expectClose(gradients(cell.parameters), sequenceGradients, tolerance, "gradients")
        }
    }

    @Test func aRowAloneEqualsTheSameRowInABatch() throws {
        let model = makesLSTM(numLayers: 2, numHeads: 2)
        let x = random([5, 4, 3], seed: 3)
        let state = randomState([2, 4, 6], seed: 4)
        state.n.scalars[6] = 0  // row 1 starts fresh in one unit, the others do not
        let (outputs, final) = model(x, state)
        for row in 0..<4 {
            let alone = state.map { $0.slice(alongAxis: 1, row..<(row + 1)) }
            let (rowOutputs, rowFinal) = model(x.slice(alongAxis: 1, row..<(row + 1)), alone)
            expectClose(rowOutputs, outputs.slice(alongAxis: 1, row..<(row + 1)), tolerance, "row \(row)")
            expectClose(rowFinal.h, final.h.slice(alongAxis: 1, row..<(row + 1)), tolerance, "row \(row) h")
        }
    }

    @Test(arguments: [false, true])
    func unequalLengthsEqualPerSequenceRuns(bidirectional: Bool) throws {
        let model = makesLSTM(numLayers: 2, numHeads: 2, bidirectional: bidirectional)
        let lengths = [5, 2, 4]
        let x = random([5, 3, 3], seed: 5, requiresGrad: true)
        let (outputs, final) = model(x, lengths: lengths)
        objective(outputs, final).backward()
        let width = bidirectional ? 12 : 6
        for (row, length) in lengths.enumerated() {
            let sequence = x.slice(alongAxis: 1, row..<(row + 1)).slice(alongAxis: 0, 0..<length)
            let (alone, aloneFinal) = withoutGradients { model(sequence.detached()) }
            let rowOutputs = outputs.slice(alongAxis: 1, row..<(row + 1))
            expectClose(rowOutputs.slice(alongAxis: 0, 0..<length), alone, tolerance, "row \(row)")
            #expect(rowOutputs.slice(alongAxis: 0, length..<5).scalars.allSatisfy { $0 == 0 }, "padding is zero")
            for ((name, a), (_, b)) in zip(final.named, aloneFinal.named) {
                expectClose(a.slice(alongAxis: 1, row..<(row + 1)), b, tolerance, "row \(row) \(name)")
            }
            let padding = x.grad!.slice(alongAxis: 1, row..<(row + 1)).slice(alongAxis: 0, length..<5)
            #expect(padding.scalars.allSatisfy { $0 == 0 }, "padding gets no gradient")
        }
        #expect(outputs.shape == [5, 3, width])
    }

    @Test func bidirectionalEqualsAReverseRunOnTheFlippedInput() throws {
        let model = makesLSTM(numHeads: 2, bidirectional: true, forgetGate: .sigmoid)
        #expect(model.namedParameters.map(\.name) == [
            "weight_ih_l0", "weight_hh_l0", "bias_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_l0_reverse",
        ])
        let forward = makesLSTM(numHeads: 2, forgetGate: .sigmoid)
        let backward = makesLSTM(numHeads: 2, forgetGate: .sigmoid)
        copyParameters(from: Array(model.parameters[0..<3]), to: forward.parameters)
        copyParameters(from: Array(model.parameters[3..<6]), to: backward.parameters)
        let x = random([5, 2, 3], seed: 6)
        let flipped = Tensor.concatenate((0..<5).reversed().map { steps(x, $0..<($0 + 1)) }, alongAxis: 0)
        let (outputs, final) = model(x)
        let (reverseOutputs, reverseFinal) = backward(flipped)
        let unflipped = Tensor.concatenate((0..<5).reversed().map { steps(reverseOutputs, $0..<($0 + 1)) }, alongAxis: 0)
        expectClose(outputs.slice(alongAxis: 2, 0..<6), forward(x).outputs, tolerance, "forward half")
        expectClose(outputs.slice(alongAxis: 2, 6..<12), unflipped, tolerance, "reverse half")
        expectClose(final.h.slice(alongAxis: 0, 1..<2), reverseFinal.h, tolerance, "reverse final h")
    }

    @Test func batchFirstAndUnbatchedLayouts() throws {
        let model = makesLSTM(numLayers: 2, numHeads: 3, bidirectional: true)
        let batchFirst = makesLSTM(numLayers: 2, numHeads: 3, batchFirst: true, bidirectional: true)
        copyParameters(from: model.parameters, to: batchFirst.parameters)
        let x = random([5, 2, 3], seed: 7)
        let (outputs, final) = model(x)
        let (outputsBatchFirst, finalBatchFirst) = batchFirst(x.transposed(0, 1))
        #expect(outputsBatchFirst.shape == [2, 5, 12])
        expectClose(outputsBatchFirst.transposed(0, 1), outputs, tolerance, "batchFirst outputs")
        expectClose(finalBatchFirst.h, final.h, tolerance, "batchFirst state (never batch-first)")

        let single = x.slice(alongAxis: 1, 0..<1)
        let (unbatched, unbatchedFinal) = model(single.reshaped([5, 3]))
        #expect(unbatched.shape == [5, 12])
        #expect(unbatchedFinal.h.shape == [4, 6])
        expectClose(unbatched, outputs.slice(alongAxis: 1, 0..<1).reshaped([5, 12]), tolerance, "unbatched")
        let state = randomState([4, 6], seed: 8)
        let (withState, _) = model(single.reshaped([5, 3]), state)
        let (batchedWithState, _) = model(single, state.map { $0.reshaped([4, 1, 6]) })
        expectClose(withState, batchedWithState.reshaped([5, 12]), tolerance, "unbatched with state")
    }

    @Test func stackedLayersEqualLayersRunOneAfterAnother() throws {
        let model = makesLSTM(numLayers: 2, numHeads: 2)
        let first = makesLSTM(numHeads: 2)
        let second = makesLSTM(inputSize: 6, numHeads: 2)
        copyParameters(from: Array(model.parameters[0..<3]), to: first.parameters)
        copyParameters(from: Array(model.parameters[3..<6]), to: second.parameters)
        let x = random([4, 2, 3], seed: 9)
        let (outputs, final) = model(x)
        let (hidden, firstFinal) = first(x)
        let (stacked, secondFinal) = second(hidden)
        expectClose(outputs, stacked, tolerance, "outputs")
        expectClose(final.n, Tensor.concatenate([firstFinal.n, secondFinal.n], alongAxis: 0), tolerance, "n")
    }

    @Test func noBiasEqualsAZeroBias() throws {
        let withoutBias = makesLSTM(numHeads: 2, bias: false)
        let zeroBias = makesLSTM(numHeads: 2)
        #expect(withoutBias.namedParameters.map(\.name) == ["weight_ih_l0", "weight_hh_l0"])
        copyParameters(from: withoutBias.parameters, to: Array(zeroBias.parameters[0..<2]))
        zeroBias.parameters[2].scalars = Array(repeating: 0, count: 24)
        let x = random([4, 2, 3], seed: 10)
        expectClose(withoutBias(x).outputs, zeroBias(x).outputs, tolerance, "outputs")
    }

    @Test func aCellWithoutBiasEqualsOneWithAZeroBias() throws {
        let withoutBias = Random.withSeed(3) { sLSTMCell<Double>(inputSize: 3, hiddenSize: 6, numHeads: 2, bias: false) }
        let zeroBias = sLSTMCell<Double>(inputSize: 3, hiddenSize: 6, numHeads: 2)
        #expect(withoutBias.namedParameters.map(\.name) == ["weight_ih", "weight_hh"])
        copyParameters(from: withoutBias.parameters, to: Array(zeroBias.parameters[0..<2]))
        zeroBias.parameters[2].scalars = Array(repeating: 0, count: 24)
        let x = random([2, 3], seed: 10)
        let (h, state) = withoutBias(x)
        let (zeroH, zeroState) = zeroBias(x)
        expectClose(h, zeroH, tolerance, "h")
        expectClose(withoutBias(x, state).output, zeroBias(x, zeroState).output, tolerance, "second step")
    }

    @Test func givenZeroStateEqualsTheDefault() throws {
        let model = makesLSTM(numLayers: 2)
        let x = random([4, 2, 3], seed: 11)
        #expect(model(x).outputs.scalars == model(x, .zeros([2, 2, 6])).outputs.scalars)
    }

    @Test func dropoutActsBetweenLayersInTrainingOnly() throws {
        let model = makesLSTM(numLayers: 2, dropout: 0.5)
        let plain = makesLSTM(numLayers: 2)
        copyParameters(from: model.parameters, to: plain.parameters)
        let x = random([4, 2, 3], seed: 12)
        let reference = plain(x).outputs
        model.eval()
        #expect(model(x).outputs.scalars == reference.scalars)
        model.train()
        let trained = Random.withSeed(1) { model(x).outputs }
        #expect(Random.withSeed(1) { model(x).outputs.scalars } == trained.scalars, "masks follow the seed")
        #expect(trained.scalars != reference.scalars)
        // With one layer there is nothing between layers to drop (as nn.LSTM).
        let single = makesLSTM(dropout: 0.5)
        let singlePlain = makesLSTM()
        copyParameters(from: single.parameters, to: singlePlain.parameters)
        #expect(single(x).outputs.scalars == singlePlain(x).outputs.scalars)
    }

    @Test func initializationIsAsDocumented() throws {
        for forgetGate in ForgetGate.allCases {
            let model = sLSTM<Double>(inputSize: 5, hiddenSize: 8, numHeads: 2, forgetGate: forgetGate)
            let named = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor) })
            #expect(named["weight_ih_l0"]!.shape == [32, 5])
            #expect(named["weight_hh_l0"]!.shape == [2, 16, 4])
            let bound = 1 / 8.0.squareRoot()
            #expect(named["weight_ih_l0"]!.scalars.allSatisfy { abs($0) <= bound })
            #expect(named["weight_hh_l0"]!.scalars.allSatisfy { abs($0) <= bound })
            let bias = named["bias_l0"]!.scalars
            let logF = Array(bias[8..<16]).map { forgetGate == .sigmoid ? Double.logSigmoid($0) : $0 }
            #expect(abs(logF[0] - Double.logSigmoid(3)) < 1e-15 && abs(logF[7] - Double.logSigmoid(6)) < 1e-15)
            #expect(zip(logF, logF.dropFirst()).allSatisfy { $0 < $1 }, "spread evenly towards remembering")
            #expect((Array(bias[0..<8]) + Array(bias[16..<32])).allSatisfy { $0 == 0 })
        }
        #expect(type(of: sLSTM(inputSize: 2, hiddenSize: 4)) == sLSTM<Float>.self)
        #expect(type(of: sLSTMCell(inputSize: 2, hiddenSize: 4)) == sLSTMCell<Float>.self)
    }
}

/// A random tensor that requires gradients.
func random(_ shape: [Int], seed: UInt64, requiresGrad: Bool) -> Tensor<Double> {
    let tensor = random(shape, seed: seed)
    tensor.requiresGrad = requiresGrad
    return tensor
}
