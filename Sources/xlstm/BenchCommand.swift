import ArgumentParser
import Foundation
import xLSTM

/// Times one sLSTM layer's forward and forward+backward pass at one shape and
/// prints one JSON line (see Benchmarks/README.md).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Time one sLSTM layer (forward, forward+backward) and print a JSON line.")

    @Option(help: "The kernel: \(sLSTMBackend.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kernel = "fast"
    @Option(help: "Batch size B.") var batch = 8
    @Option(help: "Sequence length T.") var steps = 256
    @Option(help: "Input size D.") var inputSize = 256
    @Option(help: "Hidden size H.") var hiddenSize = 256
    @Option(help: "Heads K.") var heads = 4
    @Option(help: "Worker threads.") var threads = 2
    @Option(help: "Untimed warm-up runs.") var warmup = 2
    @Option(help: "Timed runs (the median is reported).") var runs = 5

    func validate() throws {
        guard sLSTMBackend(rawValue: kernel) != nil else {
            throw ValidationError("--kernel: expected one of \(sLSTMBackend.allCases.map(\.rawValue)), received \(kernel)")
        }
        guard [batch, steps, inputSize, hiddenSize, heads, threads, runs].allSatisfy({ $0 > 0 }), warmup >= 0 else {
            throw ValidationError("sizes, --threads and --runs must be positive and --warmup non-negative")
        }
        guard hiddenSize % heads == 0 else {
            throw ValidationError("--heads must divide --hidden-size (\(hiddenSize)); received \(heads)")
        }
    }

    func run() throws {
        Parallelism.threadCount = threads
        Random.seed(1)
        let model = sLSTM<Float>(inputSize: inputSize, hiddenSize: hiddenSize, numHeads: heads)
        model.backend = sLSTMBackend(rawValue: kernel)!
        let x = Tensor<Float>.randomNormal([steps, batch, inputSize])
        let upstream = Tensor<Float>.randomNormal([steps, batch, hiddenSize])
        let baseline = Measurement.residentMegabytes()
        Measurement.resetPeak()
        var record = BenchmarkRecord(
            impl: "xlstm-\(kernel)", batch: batch, steps: steps, inputSize: inputSize, hiddenSize: hiddenSize,
            heads: heads, threads: threads)
        record.forwardMs = Measurement.medianMilliseconds(warmup: warmup, runs: runs) {
            _ = withoutGradients { model(x) }
        }
        x.requiresGrad = true
        record.forwardBackwardMs = Measurement.medianMilliseconds(warmup: warmup, runs: runs) {
            model.zeroGrad()
            x.zeroGrad()
            let (outputs, _) = model(x)
            (outputs * upstream).sum().backward()
        }
        record.peakRssMb = Measurement.peakResidentMegabytes()
        if let peak = record.peakRssMb, let baseline { record.rssIncreaseMb = peak - baseline }
        try record.printLine()
    }
}
