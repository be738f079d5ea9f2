import ArgumentParser
import Foundation
import xLSTM

/// Times an xLSTM-Large language model of random weights: prefill
/// (forward over B x T tokens), a training step (forward and backward over
/// the same tokens) and greedy decoding after a prompt; prints one JSON line
/// (see Benchmarks/README.md), the counterpart of Benchmarks/hf_xlstm_baseline.py.
struct BenchLanguageModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm", abstract: "Time an xLSTM-Large model: prefill, training step, greedy decoding; print a JSON line.")

    @Option(help: "Batch size B of prefill and training.") var batch = 4
    @Option(help: "Sequence length T of prefill and training.") var steps = 512
    @Option(help: "Model width D.") var hiddenSize = 512
    @Option(help: "mLSTM heads.") var heads = 4
    @Option(help: "Blocks.") var blocks = 6
    @Option(help: "Vocabulary size.") var vocab = 256
    @Option(help: "Prompt tokens before decoding.") var prompt = 64
    @Option(help: "Greedy tokens decoded (the time per token is their mean).") var newTokens = 32
    @OptionGroup var timing: TimingOptions

    func validate() throws {
        for (value, option) in [
            (batch, "--batch"), (steps, "--steps"), (hiddenSize, "--hidden-size"), (heads, "--heads"), (blocks, "--blocks"),
            (vocab, "--vocab"), (prompt, "--prompt"), (newTokens, "--new-tokens"),
        ] {
            try requirePositive(value, option)
        }
        try requireOption(
            hiddenSize % (2 * heads) == 0, "--heads", expected: "heads with hidden-size / 2 divisible by them (q, k at half width)",
            received: heads)
    }

    func run() throws {
        Parallelism.threadCount = timing.threads
        Random.seed(1)
        let model = try xLSTMLarge<Float>(
            configuration: xLSTMLargeConfiguration(vocabularySize: vocab, embeddingSize: hiddenSize, blocks: blocks, heads: heads))
        var generator = Xoshiro256(seed: 2)
        let tokens = (0..<batch).map { _ in (0..<steps).map { _ in Int.random(in: 0..<vocab, using: &generator) } }
        let targets = (0..<(batch * steps)).map { _ in Int.random(in: 0..<vocab, using: &generator) }
        let promptTokens = Array(tokens[0].prefix(prompt))
        let baseline = Measurement.residentMegabytes()
        Measurement.resetPeak()
        var record = LanguageModelRecord(
            batch: batch, steps: steps, hiddenSize: hiddenSize, heads: heads, blocks: blocks, vocab: vocab,
            parameters: model.parameterCount, threads: timing.threads, prompt: prompt, newTokens: newTokens)
        record.prefillMs = timing.median { _ = withoutGradients { model(tokens) } }
        record.trainMs = timing.median {
            model.zeroGrad()
            let (logits, _) = model(tokens)
            crossEntropy(logits: logits.reshaped([batch * steps, vocab]), targets: targets).backward()
        }
        // The time between the first new token (right after the prompt) and
        // the last: `newTokens` recurrent steps, whatever the prompt cost.
        var perToken: [Double] = []
        for run in 0..<(timing.warmup + timing.runs) {
            var times: [Date] = []
            _ = try? model.generate(prompt: promptTokens, maxNewTokens: newTokens + 1) { _ in times.append(Date()) }
            if run >= timing.warmup, let first = times.first, let last = times.last {
                perToken.append(last.timeIntervalSince(first) * 1000 / Double(newTokens))
            }
        }
        record.decodeMsPerToken = perToken.sorted()[perToken.count / 2]
        record.peakRssMb = Measurement.peakResidentMegabytes()
        if let peak = record.peakRssMb, let baseline { record.rssIncreaseMb = peak - baseline }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        print(String(decoding: try encoder.encode(record), as: UTF8.self))
    }
}

/// One `bench lm` measurement, as one JSON line.
struct LanguageModelRecord: Encodable {
    let impl = "xlstm-lm"
    let batch: Int
    let steps: Int
    let hiddenSize: Int
    let heads: Int
    let blocks: Int
    let vocab: Int
    let parameters: Int
    let threads: Int
    let prompt: Int
    let newTokens: Int
    var prefillMs: Double?
    var trainMs: Double?
    var decodeMsPerToken: Double?
    var peakRssMb: Double?
    var rssIncreaseMb: Double?

    enum CodingKeys: String, CodingKey {
        case impl, batch, steps, heads, blocks, vocab, parameters, threads, prompt
        case hiddenSize = "hidden_size", newTokens = "new_tokens", prefillMs = "prefill_ms", trainMs = "train_ms"
        case decodeMsPerToken = "decode_ms_per_token", peakRssMb = "peak_rss_mb", rssIncreaseMb = "rss_increase_mb"
    }
}
