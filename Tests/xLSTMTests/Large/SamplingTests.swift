import Foundation
import Testing
@testable import xLSTM

/// The samplers: seeded draws are reproducible, top-k = 1 and a tiny top-p
/// are greedy, and the empirical frequencies follow softmax(logits / temperature)
/// restricted to the top-k and top-p sets.
@Suite struct SamplingTests {
    let logits: [Double] = [2.0, 1.0, 0.5, -1.0, 3.0]

    @Test func seededDrawsRepeatAndDegenerateCasesAreGreedy() throws {
        var a = Xoshiro256(seed: 4)
        var b = Xoshiro256(seed: 4)
        let sampling = Sampling.sample(temperature: 0.7, topK: 3, topP: 0.9)
        #expect((0..<50).map { _ in sampling.choose(logits, using: &a) } == (0..<50).map { _ in sampling.choose(logits, using: &b) })
        var generator = Xoshiro256(seed: 5)
        for _ in 0..<20 {
            #expect(Sampling.sample(topK: 1).choose(logits, using: &generator) == 4)
            #expect(Sampling.sample(topP: 1e-9).choose(logits, using: &generator) == 4)
            #expect(Sampling.greedy.choose(logits, using: &generator) == 4)
        }
    }

    @Test(arguments: [(1.0, nil, nil), (0.5, 3, nil), (2.0, nil, 0.8)] as [(Double, Int?, Double?)])
    func frequenciesFollowTheDistribution(temperature: Double, topK: Int?, topP: Double?) throws {
        // The distribution, by hand.
        let scaled = logits.map { $0 / temperature }
        var order = scaled.indices.sorted { scaled[$0] > scaled[$1] }
        if let topK { order = Array(order.prefix(topK)) }
        var weights = order.map { Foundation.exp(scaled[$0]) }
        if let topP {
            let total = weights.reduce(0, +)
            var (kept, mass) = (0, 0.0)
            while mass < topP * total { mass += weights[kept]; kept += 1 }
            (order, weights) = (Array(order.prefix(kept)), Array(weights.prefix(kept)))
        }
        let total = weights.reduce(0, +)
        var generator = Xoshiro256(seed: 6)
        let draws = 40_000
        var counts = [Int](repeating: 0, count: logits.count)
        let sampling = Sampling.sample(temperature: temperature, topK: topK, topP: topP)
        for _ in 0..<draws { counts[sampling.choose(logits, using: &generator)] += 1 }
        for token in logits.indices {
            let expected = order.firstIndex(of: token).map { weights[$0] / total } ?? 0
            // Four standard deviations of a binomial frequency.
            let allowed = 4 * (expected * (1 - expected) / Double(draws)).squareRoot() + 1e-9
            #expect(abs(Double(counts[token]) / Double(draws) - expected) <= allowed, "token \(token)")
        }
    }

    @Test func badParametersAreNamed() throws {
        let model = try Random.withSeed(1) {
            try xLSTMLanguageModel<Float>(configuration: .init(
                vocabularySize: 5, pattern: "m", blocks: xLSTMBlockConfiguration(embeddingSize: 8, mLSTMHeads: 2)))
        }
        #expect(throws: xLSTMError(argument: "prompt[1]", expected: "a token in 0..<5", received: "7")) {
            try model.generate(prompt: [1, 7], maxNewTokens: 2)
        }
        #expect(throws: xLSTMError(argument: "temperature", expected: "a finite value > 0", received: "0.0")) {
            try model.generate(prompt: [1], maxNewTokens: 2, sampling: .sample(temperature: 0))
        }
        #expect(throws: xLSTMError(argument: "topP", expected: "a value in (0, 1]", received: "1.5")) {
            try model.generate(prompt: [1], maxNewTokens: 2, sampling: .sample(topP: 1.5))
        }
        #expect(try model.generate(prompt: [1, 2], maxNewTokens: 4, sampling: .sample(temperature: 0.9), seed: 3).count == 4)
    }
}

/// `seed` and `stopToken` of `generate`.
@Suite struct GenerationOptionTests {
    static func model() throws -> xLSTMLanguageModel<Double> {
        try Random.withSeed(2) {
            try xLSTMLanguageModel<Double>(configuration: .init(
                vocabularySize: 6, pattern: "ms", blocks: xLSTMBlockConfiguration(embeddingSize: 8, mLSTMHeads: 2, sLSTMHeads: 2)))
        }
    }

    @Test func theSameSeedDrawsTheSameTokensAndAnotherSeedOthers() throws {
        let model = try Self.model()
        let sampling = Sampling.sample(temperature: 3)
        let first = try model.generate(prompt: [1, 2], maxNewTokens: 24, sampling: sampling, seed: 5)
        #expect(try model.generate(prompt: [1, 2], maxNewTokens: 24, sampling: sampling, seed: 5) == first)
        #expect(try model.generate(prompt: [1, 2], maxNewTokens: 24, sampling: sampling, seed: 6) != first)
    }

    @Test func generationStopsAtTheStopToken() throws {
        let model = try Self.model()
        let greedy = try model.generate(prompt: [3], maxNewTokens: 5)
        #expect(try model.generate(prompt: [3], maxNewTokens: 5, stopToken: greedy[0]) == [greedy[0]])
        #expect(try model.generate(prompt: [3], maxNewTokens: 0).isEmpty)
    }
}
