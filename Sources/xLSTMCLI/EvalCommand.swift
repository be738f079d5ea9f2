import ArgumentParser
import Foundation
import xLSTM

/// Evaluates the latest checkpoint of a `xlstm train` run on a task, by
/// length bucket: the length-generalization table of the paper.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Evaluate a checkpoint on a task by length bucket (accuracy and scaled accuracy).")

    @Option(help: "The run's checkpoint directory (its latest checkpoint is evaluated).")
    var checkpointDir: String
    @Option(help: "The task: \(TrainCommand.tasks.map { $0.name }.joined(separator: ", ")).")
    var task = ParityTask.name
    @Option(help: "Shortest and longest test strings, as MIN-MAX.")
    var testLengths = "40-256"
    @Option(help: "Length buckets of equal width over --test-lengths.")
    var buckets = 4
    @Option(help: "Test strings per bucket.")
    var count = 256
    @Option(help: "Seed of the test strings.")
    var seed: UInt64 = 7
    @Option(help: "Worker threads of the sLSTM kernels.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        try requireOption(
            TrainCommand.tasks.contains { $0.name == task }, "--task",
            expected: "one of \(TrainCommand.tasks.map { $0.name }.joined(separator: ", "))", received: task)
        let lengths = try lengthRange(testLengths, "--test-lengths")
        try requirePositive(buckets, "--buckets")
        try requireOption(
            buckets <= lengths.count, "--buckets", expected: "at most \(lengths.count) (one length per bucket)", received: buckets)
        try requirePositive(count, "--count")
        try requirePositive(threads, "--threads")
    }

    func run() throws {
        Parallelism.threadCount = threads
        let store = try CheckpointStore(directory: URL(fileURLWithPath: checkpointDir))
        guard let checkpoint = try store.latest() else {
            throw ValidationError("--checkpoint-dir: expected a checkpoint in \(checkpointDir), found none")
        }
        let model = try checkpoint.model(SequenceClassifier<Float>.self)
        model.eval()
        let kind = TrainCommand.tasks.first { $0.name == task }!
        let lengths = try lengthRange(testLengths, "--test-lengths")
        let probe = try kind.init(lengths: lengths)
        guard model.configuration.vocabularySize == probe.vocabularySize, model.configuration.classCount == probe.classCount
        else {
            throw ValidationError(
                "--task: \(task) has \(probe.vocabularySize) tokens and \(probe.classCount) classes; the checkpoint's model has \(model.configuration.vocabularySize) and \(model.configuration.classCount)")
        }
        var generator = Xoshiro256(seed: seed)
        print("\(task), \(checkpoint.directory.lastPathComponent), \(count) strings per bucket (chance \(String(format: "%.3f", probe.chanceAccuracy)))")
        print("| lengths | accuracy | scaled accuracy |")
        print("|---|---|---|")
        for bucket in lengthBuckets(lengths, count: buckets) {
            let (low, high) = (bucket.lowerBound, bucket.upperBound)
            let bucketAccuracy = try testAccuracy(of: model, on: probe, lengths: bucket, strings: count, using: &generator)
            print(String(format: "| %d-%d | %.3f | %.3f |", low, high, bucketAccuracy, probe.scaledAccuracy(bucketAccuracy)))
        }
    }
}
