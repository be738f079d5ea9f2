import ArgumentParser
import Foundation
import xLSTM

/// Times one sLSTM layer's forward and forward+backward pass at one shape and
/// prints one JSON line (see Benchmarks/README.md).
struct BenchLayerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layer", abstract: "Time one sLSTM layer (forward, forward+backward) and print a JSON line.")

    @Option(help: "The kernel: \(sLSTMBackend.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kernel = "fast"
    @Option(help: "Batch size B.") var batch = 8
    @Option(help: "Sequence length T.") var steps = 256
    @Option(help: "Input size D.") var inputSize = 256
    @Option(help: "Hidden size H.") var hiddenSize = 256
    @Option(help: "Heads K.") var heads = 4
    @OptionGroup var timing: TimingOptions

    func validate() throws {
        try requireOption(
            sLSTMBackend(rawValue: kernel) != nil, "--kernel",
            expected: "one of \(sLSTMBackend.allCases.map(\.rawValue).joined(separator: ", "))", received: kernel)
        for (value, option) in [
            (batch, "--batch"), (steps, "--steps"), (inputSize, "--input-size"), (hiddenSize, "--hidden-size"),
            (heads, "--heads"),
        ] {
            try requirePositive(value, option)
        }
        try requireOption(
            hiddenSize % heads == 0, "--heads", expected: "a divisor of --hidden-size (\(hiddenSize))", received: heads)
    }

    func run() throws {
        Parallelism.threadCount = timing.threads
        Random.seed(1)
        let model = sLSTM<Float>(inputSize: inputSize, hiddenSize: hiddenSize, numHeads: heads)
        guard let backend = sLSTMBackend(rawValue: kernel) else { throw ValidationError("--kernel: \(kernel)") }
        model.backend = backend
        let x = Tensor<Float>.randomNormal([steps, batch, inputSize])
        let upstream = Tensor<Float>.randomNormal([steps, batch, hiddenSize])
        let baseline = Measurement.residentMegabytes()
        Measurement.resetPeak()
        var record = BenchmarkRecord(
            impl: "xlstm-\(kernel)", batch: batch, steps: steps, inputSize: inputSize, hiddenSize: hiddenSize,
            heads: heads, threads: timing.threads)
        let forward = timing.times {
            _ = withoutGradients { model(x) }
        }
        x.requiresGrad = true
        let forwardBackward = timing.times {
            model.zeroGrad()
            x.zeroGrad()
            let (outputs, _) = model(x)
            (outputs * upstream).sum().backward()
        }
        (record.forwardMs, record.forwardBestMs) = (forward.median, forward.best)
        (record.forwardBackwardMs, record.forwardBackwardBestMs) = (forwardBackward.median, forwardBackward.best)
        record.recordMemory(since: baseline)
        try record.printLine()
    }
}
