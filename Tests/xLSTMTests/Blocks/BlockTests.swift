import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// The paper's blocks, their stack and the language model: step by step ==
/// whole sequence, gradients against finite differences, a tiny model that
/// overfits, save -> load -> the same logits, configuration errors.
@Suite struct BlockTests {
    static let configuration = xLSTMBlockConfiguration(
        embeddingSize: 8, mLSTMHeads: 2, sLSTMHeads: 2, convolutionKernelSize: 3, qkvBlockSize: 4, chunkSize: 3)

    /// Runs `block` one step at a time, carrying its state.
    static func stepwise(
        _ x: Tensor<Double>, _ run: (Tensor<Double>, xLSTMBlockState<Double>?) -> (outputs: Tensor<Double>, state: xLSTMBlockState<Double>)
    ) -> Tensor<Double> {
        var state: xLSTMBlockState<Double>? = nil
        var outputs: [Tensor<Double>] = []
        for t in 0..<x.shape[1] {
            let (y, next) = run(x.slice(alongAxis: 1, t..<(t + 1)), state)
            outputs.append(y)
            state = next
        }
        return Tensor.concatenate(outputs, alongAxis: 1)
    }

    @Test func eachBlockStepByStepEqualsTheWholeSequence() throws {
        let x = random([2, 7, 8], seed: 1)
        let m = try Random.withSeed(2) { try mLSTMBlock<Double>(configuration: Self.configuration) }
        let s = try Random.withSeed(3) { try sLSTMBlock<Double>(configuration: Self.configuration) }
        expectClose(Self.stepwise(x) { m($0, state: $1) }, m(x).outputs, .sameMath(Double.self), "mLSTM block")
        expectClose(Self.stepwise(x) { s($0, state: $1) }, s(x).outputs, .sameMath(Double.self), "sLSTM block")
        // Two calls with the state carried equal one.
        let (first, state) = m(x.slice(alongAxis: 1, 0..<4))
        let (second, _) = m(x.slice(alongAxis: 1, 4..<7), state: state)
        expectClose(Tensor.concatenate([first, second], alongAxis: 1), m(x).outputs, .sameMath(Double.self), "chunks")
    }

    @Test func blockGradientsMatchFiniteDifferences() throws {
        let x = random([1, 4, 8], seed: 4)
        for block in [
            try Random.withSeed(5) { try mLSTMBlock<Double>(configuration: Self.configuration) } as any Module<Double>,
            try Random.withSeed(6) { try sLSTMBlock<Double>(configuration: Self.configuration) },
        ] {
            let run: () -> Tensor<Double> = {
                if let m = block as? mLSTMBlock<Double> { return weightedSum(m(x).outputs, seed: 7) }
                return weightedSum((block as! sLSTMBlock<Double>)(x).outputs, seed: 7)
            }
            checkGradients(of: [("x", x)] + block.namedParameters, sampled: 6, run)
        }
    }

    @Test func theStackFollowsItsPatternAndCarriesState() throws {
        let stack = try Random.withSeed(8) { try xLSTMBlockStack<Double>(pattern: "msm", configuration: Self.configuration) }
        #expect(stack.children.map(\.name) == ["blocks.0", "blocks.1", "blocks.2", "norm"])
        #expect(stack.namedParameters.contains { $0.name == "blocks.1.weight_hh" })
        let x = random([2, 5, 8], seed: 9)
        let whole = stack(x).outputs
        var states: [xLSTMBlockState<Double>]? = nil
        var steps: [Tensor<Double>] = []
        for t in 0..<5 {
            let (y, next) = stack(x.slice(alongAxis: 1, t..<(t + 1)), states: states)
            steps.append(y)
            states = next
        }
        expectClose(Tensor.concatenate(steps, alongAxis: 1), whole, .sameMath(Double.self), "stack step by step")
        #expect(throws: xLSTMError.self) { try xLSTMBlockStack<Double>(pattern: "mx", configuration: Self.configuration) }
        #expect(throws: xLSTMError(argument: "sLSTMHeads", expected: "a divisor of embeddingSize (8)", received: "3")) {
            try sLSTMBlock<Double>(configuration: xLSTMBlockConfiguration(embeddingSize: 8, sLSTMHeads: 3))
        }
    }

    @Test func aTinyLanguageModelOverfitsOneBatchAndRoundTrips() throws {
        try Random.withSeed(10) {
            let configuration = xLSTMLanguageModel<Float>.Configuration(
                vocabularySize: 12, pattern: "ms", blocks: Self.configuration.withEmbedding(16), tieWeights: true)
            let model = try xLSTMLanguageModel<Float>(configuration: configuration)
            #expect(model.head == nil)
            let tokens = [[1, 5, 3, 7, 2, 9, 4], [8, 6, 0, 11, 10, 5, 3]]
            let targets = tokens.flatMap { Array($0.dropFirst()) + [0] }
            let optimizer = try Adam(parameters: model.parameters, learningRate: 0.02)
            var loss: Float = .infinity
            for _ in 0..<150 {
                optimizer.zeroGrad()
                let (logits, _) = model(tokens)
                let objective = crossEntropy(logits: logits.reshaped([14, 12]), targets: targets)
                objective.backward()
                optimizer.step()
                loss = objective.scalar
            }
            #expect(loss < 0.05, "final loss \(loss)")
            // save -> load -> identical logits, the model rebuilt from its configuration alone.
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lm-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try CheckpointStore(directory: directory)
            try store.save(model: model, optimizer: optimizer, trainer: TrainerState(step: 150, random: Random.state))
            let loaded = try #require(try store.latest()).model(xLSTMLanguageModel<Float>.self)
            #expect(withoutGradients { loaded(tokens).logits.scalars } == withoutGradients { model(tokens).logits.scalars })
        }
    }
}

extension xLSTMBlockConfiguration {
    /// The same sizes on a residual stream of `width`.
    func withEmbedding(_ width: Int) -> xLSTMBlockConfiguration {
        var copy = self
        copy.embeddingSize = width
        return copy
    }
}

/// The sizes a block configuration sets, read off the parameters' shapes.
@Test func blockConfigurationSizesTheParameters() throws {
    let configuration = xLSTMBlockConfiguration(
        embeddingSize: 12, mLSTMHeads: 3, sLSTMHeads: 2, convolutionKernelSize: 5, mLSTMProjectionFactor: 3, qkvBlockSize: 6,
        feedForwardFactor: 7)
    let m = try mLSTMBlock<Float>(configuration: configuration)
    let shapes = Dictionary(uniqueKeysWithValues: m.namedParameters.map { ($0.name, $0.tensor.shape) })
    #expect(shapes["up.weight"] == [2 * 36, 12] && shapes["convolution.weight"] == [36, 5])
    #expect(shapes["q.weight"] == [6, 6, 6] && shapes["inputGate.weight"] == [3, 3 * 36] && shapes["groupNorm.weight"] == [36])
    let s = try sLSTMBlock<Float>(configuration: configuration)
    let sShapes = Dictionary(uniqueKeysWithValues: s.namedParameters.map { ($0.name, $0.tensor.shape) })
    // 7 x 12 = 84, rounded up to a multiple of 64.
    #expect(sShapes["ffn.up.weight"] == [128, 12] && sShapes["weight_hh"] == [2, 24, 6] && sShapes["inputGate.weight"] == [2, 6, 6])
    let untied = try xLSTMLanguageModel<Float>(configuration: .init(vocabularySize: 9, pattern: "m", blocks: configuration))
    #expect(untied.head?.weight.shape == [9, 12] && untied.namedParameters.last?.name == "head.weight")
}

/// With `useBias`, every projection and norm of xLSTM-Large has a bias, as the checkpoints do.
@Test func xLSTMLargeWithBiasesHasTheirParameters() throws {
    let model = try xLSTMLarge<Float>(configuration: xLSTMLargeConfiguration(
        vocabularySize: 8, embeddingSize: 16, blocks: 1, heads: 2, useBias: true))
    let names = Set(model.namedParameters.map(\.name))
    for name in ["q", "k", "v", "ogate_preact", "out_proj", "multihead_norm"] {
        #expect(names.contains("backbone.blocks.0.mlstm_layer.\(name).bias"), "\(name)")
    }
    #expect(names.contains("backbone.blocks.0.norm_mlstm.bias") && names.contains("backbone.blocks.0.ffn.gate.bias"))
    #expect(!names.contains("backbone.out_norm.bias"))
}
