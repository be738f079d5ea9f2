import ArgumentParser
import Foundation
import xLSTM

/// Times one end-to-end training step of a small language model (embedding,
/// sLSTM stack, linear, cross-entropy, Adam) and prints one JSON line.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Time one training step of embedding -> sLSTM -> linear -> Adam.")

    @Option(help: "Batch size B.") var batch = 16
    @Option(help: "Sequence length T.") var steps = 128
    @Option(help: "Vocabulary size.") var vocab = 256
    @Option(help: "Embedding size.") var embed = 128
    @Option(help: "Hidden size H.") var hiddenSize = 256
    @Option(help: "sLSTM layers.") var layers = 2
    @Option(help: "sLSTM heads (the paper's sLSTM uses 4; 1 has nn.LSTM's FLOPs).") var heads = 4
    @OptionGroup var timing: TimingOptions

    func validate() throws {
        for (value, option) in [
            (batch, "--batch"), (steps, "--steps"), (vocab, "--vocab"), (embed, "--embed"),
            (hiddenSize, "--hidden-size"), (layers, "--layers"), (heads, "--heads"),
        ] {
            try requirePositive(value, option)
        }
        try requireOption(
            hiddenSize % heads == 0, "--heads", expected: "a divisor of --hidden-size (\(hiddenSize))", received: heads)
    }

    func run() throws {
        Parallelism.threadCount = timing.threads
        Random.seed(1)
        let embedding = Embedding<Float>(count: vocab, dimension: embed)
        let slstm = sLSTM<Float>(inputSize: embed, hiddenSize: hiddenSize, numLayers: layers, numHeads: heads)
        let head = Linear<Float>(inputFeatures: hiddenSize, outputFeatures: vocab)
        let parameters = embedding.parameters + slstm.parameters + head.parameters
        let optimizer = try Adam(parameters: parameters, learningRate: 1e-3)
        var generator = Xoshiro256(seed: 2)
        let tokens = (0..<(steps * batch)).map { _ in Int.random(in: 0..<vocab, using: &generator) }
        let targets = (0..<(steps * batch)).map { _ in Int.random(in: 0..<vocab, using: &generator) }
        let baseline = Measurement.residentMegabytes()
        Measurement.resetPeak()
        var record = BenchmarkRecord(
            impl: "xlstm-train", batch: batch, steps: steps, inputSize: embed, hiddenSize: hiddenSize, heads: heads,
            threads: timing.threads)
        record.trainStepMs = timing.median {
            optimizer.zeroGrad()
            let (hidden, _) = slstm(embedding(tokens, shape: [steps, batch]))
            let logits = head(hidden).reshaped([steps * batch, vocab])
            crossEntropy(logits: logits, targets: targets).backward()
            optimizer.step()
        }
        record.recordMemory(since: baseline)
        try record.printLine()
    }
}
