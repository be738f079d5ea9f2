import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// Hugging Face `xLSTMForCausalLM` checkpoints (made by
/// scripts/golden/make_hf_xlstm_golden.py with `transformers`: random
/// weights, gates and logits beyond their soft-caps, one checkpoint in
/// shards, one in BF16, one with biases, other soft-caps and `norm_eps` !=
/// `eps`) open by their own key names and give the same logits and greedy
/// continuations.
@Suite struct HuggingFaceCheckpointTests {
    struct Expected: Decodable {
        let input_ids: [[Int]]
        let logits_shape: [Int]
        let logits_reference_float64: [[[Double]]]
        let greedy: Greedy

        struct Greedy: Decodable {
            let prompt_ids: [[Int]]
            let max_new_tokens: Int
            let new_tokens: [[Int]]
        }
    }

    static func directory(_ name: String) throws -> URL {
        try #require(Bundle.module.url(forResource: "Fixtures/hf/\(name)", withExtension: nil))
    }

    /// Float against transformers' float64 run of the same weights: the logits
    /// reach +-30, and Float's rounding over a few blocks stays below 2e-3.
    static let tolerance = Tolerance(relative: 1e-4, absolute: 2e-3)

    @Test(arguments: ["a_tiny_f32", "b_heads4_qk16_v32_sharded_f32", "c_tiny_bf16", "d_bias_caps_eps_f32"])
    func logitsAndGreedyContinuationsMatchTransformers(name: String) throws {
        let directory = try Self.directory(name)
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
        let model = try xLSTMLarge<Float>(huggingFaceDirectory: directory)
        let (logits, _) = withoutGradients { model(expected.input_ids) }
        #expect(logits.shape == expected.logits_shape)
        expectClose(logits.scalars, expected.logits_reference_float64.flatMap { $0.flatMap { $0 } }, Self.tolerance, "\(name) logits")
        for (prompt, continuation) in zip(expected.greedy.prompt_ids, expected.greedy.new_tokens) {
            let tokens = try model.generate(prompt: prompt, maxNewTokens: expected.greedy.max_new_tokens)
            #expect(tokens == continuation, "\(name) greedy")
        }
    }

    @Test func unknownFieldsAndKeysAreNamed() throws {
        let source = try Self.directory("a_tiny_f32")
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("hf-\(UUID())")
        try FileManager.default.copyItem(at: source, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let config = copy.appendingPathComponent("config.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as! [String: Any]
        object["rope_theta"] = 10000
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        let unknown = #expect(throws: CheckpointError.self) { try xLSTMLarge<Float>(huggingFaceDirectory: copy) }
        #expect(unknown?.description == "\(config.path): unknown fields rope_theta (not an xLSTM-Large configuration this reader understands)")
        object["rope_theta"] = nil
        object["num_heads"] = 3
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        let heads = #expect(throws: CheckpointError.self) { try xLSTMLarge<Float>(huggingFaceDirectory: copy) }
        #expect(heads?.reason == "invalid qk_dim_factor: expected a width (embedding_dim x factor) that num_heads (3) divides, received 64.0")
        object["num_heads"] = 2
        object["num_blocks"] = 1
        object["num_hidden_layers"] = 1
        try JSONSerialization.data(withJSONObject: object).write(to: config)
        let extra = #expect(throws: CheckpointError.self) { try xLSTMLarge<Float>(huggingFaceDirectory: copy) }
        #expect(extra?.reason.hasPrefix("tensor \"backbone.blocks.1.") == true)
        #expect(extra?.reason.hasSuffix("not a parameter of an xLSTM-Large model of this configuration") == true)
    }

    /// Greedy decoding with the recurrent step equals greedy decoding by
    /// repeated full forwards (Double, a random model, odd prompt length).
    @Test func generationEqualsRepeatedFullForwards() throws {
        let configuration = try xLSTMLargeConfiguration(huggingFaceConfig: try Self.directory("a_tiny_f32").appendingPathComponent("config.json"))
        let model = try Random.withSeed(3) { try xLSTMLarge<Double>(configuration: configuration) }
        var streamed: [Int] = []
        let generated = try model.generate(prompt: [3, 9, 27, 17, 51], maxNewTokens: 6) { streamed.append($0) }
        var context = [3, 9, 27, 17, 51]
        for _ in 0..<6 {
            let (logits, _) = withoutGradients { model([context]) }
            let last = Array(logits.scalars.suffix(configuration.vocabularySize))
            context.append(last.indices.max { last[$0] < last[$1] }!)
        }
        #expect(generated == Array(context.dropFirst(5)))
        #expect(streamed == generated)
    }
}

/// The feed-forward width follows the checkpoints' rounding, not a true ceiling
/// (values from transformers' xLSTMConfig: 512 -> 1408, 4096 -> 10944, 24 -> 64).
@Test func feedForwardWidthRoundsAsTheCheckpointsDo() throws {
    for (width, expected) in [(512, 1408), (4096, 10944), (24, 64)] {
        #expect(xLSTMLargeConfiguration(vocabularySize: 8, embeddingSize: width, blocks: 1, heads: 4).feedForwardSize == expected)
    }
    // Another factor and multiple: ceil(4 x 64 / 64) x 64 and ceil(1.5 x 24 / 8) x 8.
    let wide = xLSTMLargeConfiguration(vocabularySize: 8, embeddingSize: 64, blocks: 1, heads: 4, feedForwardFactor: 4)
    #expect(wide.feedForwardSize == 256)
    #expect(try xLSTMLarge<Float>(configuration: wide).backbone.blocks[0].ffn.up.weight.shape == [256, 64])
    let narrow = xLSTMLargeConfiguration(
        vocabularySize: 8, embeddingSize: 24, blocks: 1, heads: 4, feedForwardFactor: 1.5, feedForwardMultiple: 8)
    #expect(narrow.feedForwardSize == 40)
}

/// States handed to xLSTM-Large are checked by name, and detached states carry
/// the same values out of the graph.
@Test func xLSTMLargeChecksTheStatesItIsGiven() async throws {
    let model = try Random.withSeed(8) {
        try xLSTMLarge<Double>(configuration: xLSTMLargeConfiguration(vocabularySize: 8, embeddingSize: 8, blocks: 2, heads: 2))
    }
    let (_, states) = model([[1, 2, 3]])
    let detached = states.map { $0.detached() }
    #expect(detached.allSatisfy { !$0.C.requiresGrad } && detached[1].C.scalars == states[1].C.scalars)
    expectClose(model([[4]], states: detached).logits, model([[1, 2, 3, 4]]).logits.slice(alongAxis: 1, 3..<4), .sameMath(Double.self), "carried")
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
        let model = try! xLSTMLarge<Double>(configuration: xLSTMLargeConfiguration(vocabularySize: 8, embeddingSize: 8, blocks: 2, heads: 2))
        _ = model([[1]], states: model.zeroStates(batch: 2))
    }
    #expect(standardError(of: result).contains("invalid states[0].C: expected shape [1, 2, 2, 4], received shape [2, 2, 2, 4]"))
}
