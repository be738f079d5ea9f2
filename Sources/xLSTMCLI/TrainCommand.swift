import ArgumentParser
import Foundation
import xLSTM

/// Trains an sLSTM sequence classifier on a built-in task and reports how
/// well it generalizes to longer sequences than it saw in training.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an sLSTM classifier on a formal-language task; report accuracy on longer strings.")

    /// The tasks `--task` names.
    static let tasks: [any FormalTask.Type] = [
        ParityTask.self, EvenPairsTask.self, CycleNavigationTask.self, ModularArithmeticTask.self, MajorityTask.self,
    ]

    @Option(help: "The task: \(Self.tasks.map { $0.name }.joined(separator: ", ")).")
    var task = ParityTask.name

    @Option(help: "The recurrent core: slstm, or lstm (the classic LSTM baseline, one head).")
    var model = "slstm"
    @Option(help: "Train several cores on the same data, one after another, and print one table (for example slstm,lstm).")
    var compare: String?
    @Option(help: "Optimizer steps.")
    var steps = 1000
    @Option(help: "Sequences per step.")
    var batchSize = 32
    @Option(help: "sLSTM hidden size.")
    var hiddenSize = 64
    @Option(help: "sLSTM heads (must divide the hidden size).")
    var heads = 1
    @Option(help: "Peak learning rate of Adam (linear warm-up, then cosine decay).")
    var learningRate = 1e-2
    @Option(help: "Shortest and longest training strings, as MIN-MAX.")
    var trainLengths = "3-40"
    @Option(help: "Shortest and longest test strings, as MIN-MAX.")
    var testLengths = "40-256"
    @Option(help: "Test strings.")
    var testCount = 1024
    @Option(help: "Seed of initialization and data.")
    var seed: UInt64 = 1
    @Option(help: "Worker threads of the sLSTM kernels.")
    var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Write an HTML report with SVG charts (training loss, accuracy against test length) into this directory.")
    var report: String?
    @Option(help: "Append the progress and test results as JSON lines (JSONL) to this file.")
    var metrics: String?
    @Option(help: "Directory for checkpoints (step-N folders and a 'latest' pointer); none when omitted.")
    var checkpointDir: String?
    @Option(help: "Save a checkpoint every N steps (with --checkpoint-dir); multiples of 50 keep the progress lines of a resumed run identical.")
    var checkpointEvery = 100
    @Flag(help: "Continue from the latest checkpoint in --checkpoint-dir, with the same options as the run that wrote it.")
    var resume = false

    func validate() throws {
        try requireOption(
            Self.tasks.contains { $0.name == task }, "--task",
            expected: "one of \(Self.tasks.map { $0.name }.joined(separator: ", "))", received: task)
        try requireOption(
            SequenceClassifier<Float>.Core(rawValue: model) != nil, "--model",
            expected: "one of \(SequenceClassifier<Float>.Core.allCases.map(\.rawValue).joined(separator: ", "))", received: model)
        try requireOption(model != "lstm" || heads == 1, "--heads", expected: "1 with --model lstm", received: heads)
        _ = try lengthRange(trainLengths, "--train-lengths")
        _ = try lengthRange(testLengths, "--test-lengths")
        try requirePositive(steps, "--steps")
        try requirePositive(batchSize, "--batch-size")
        try requirePositive(hiddenSize, "--hidden-size")
        try requirePositive(heads, "--heads")
        try requireOption(
            hiddenSize % heads == 0, "--heads", expected: "a divisor of --hidden-size (\(hiddenSize))", received: heads)
        try requireOption(
            learningRate > 0 && learningRate.isFinite, "--learning-rate", expected: "a finite value > 0",
            received: learningRate)
        try requirePositive(testCount, "--test-count")
        try requirePositive(threads, "--threads")
        try requirePositive(checkpointEvery, "--checkpoint-every")
        try requireOption(!resume || checkpointDir != nil, "--resume", expected: "a --checkpoint-dir to resume from", received: "none")
        if let compare {
            let models = compare.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            try requireOption(
                models.count >= 2 && models.allSatisfy { SequenceClassifier<Float>.Core(rawValue: $0) != nil }
                    && Set(models).count == models.count,
                "--compare", expected: "two or more distinct cores of slstm, lstm separated by commas", received: compare)
            try requireOption(checkpointDir == nil, "--compare", expected: "no --checkpoint-dir (one run per core)", received: compare)
            try requireOption(!models.contains("lstm") || heads == 1, "--heads", expected: "1 with lstm in --compare", received: heads)
        }
    }

    func run() throws {
        let cores = compare.map { $0.split(separator: ",").map(String.init) } ?? [model]
        var results: [RunResult] = []
        for core in cores {
            results.append(try train(core: core))
            if cores.count > 1 { print() }
        }
        let summary = "\(task), trained on \(trainLengths), tested on \(testLengths) (\(testCount) strings), \(steps) steps, H=\(hiddenSize), seed \(seed)"
        if cores.count > 1 {
            print(summary + ":")
            print("| model | parameters | test accuracy | scaled accuracy | wall |")
            print("|---|---|---|---|---|")
            for result in results {
                print(String(
                    format: "| %@ | %d | %.3f | %.3f | %.1f s |", result.core, result.parameters, result.accuracy, result.scaled,
                    result.seconds))
            }
        }
        if let report {
            // The length-generalization table: accuracy by test-length bucket.
            let buckets = results.first?.buckets.map(\.lengths) ?? []
            print("accuracy by test length:")
            print("| model | " + buckets.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: " | ") + " |")
            print("|---|" + String(repeating: "---|", count: buckets.count))
            for result in results {
                print("| \(result.core) | " + result.buckets.map { String(format: "%.3f", $0.accuracy) }.joined(separator: " | ") + " |")
            }
            try TrainingReport(title: summary, results: results).write(to: URL(fileURLWithPath: report))
            print("report: \(report)/index.html")
        }
    }

    /// Trains the `core` classifier on the task (from the same seed, so
    /// every core sees the same data) and tests it.
    ///
    /// - Returns: the test results, and for a report the loss curve and the accuracy by length bucket.
    private func train(core: String) throws -> RunResult {
        let started = Date()
        Parallelism.threadCount = threads
        Random.seed(seed)
        let kind = Self.tasks.first { $0.name == task }!
        let train = try kind.init(lengths: try lengthRange(trainLengths, "--train-lengths"))
        let test = try train.with(lengths: try lengthRange(testLengths, "--test-lengths"))
        let configuration = SequenceClassifier<Float>.Configuration(
            vocabularySize: train.vocabularySize, embeddingSize: 8, classCount: train.classCount,
            slstm: sLSTMConfiguration(inputSize: 8, hiddenSize: hiddenSize, numHeads: heads),
            core: SequenceClassifier<Float>.Core(rawValue: core)!)
        let schedule = try WarmupCosineSchedule(
            peakLearningRate: learningRate, warmupSteps: steps / 20, totalSteps: steps,
            minimumLearningRate: learningRate / 20)
        let store = try checkpointDir.map { try CheckpointStore(directory: URL(fileURLWithPath: $0)) }
        var session = try resume
            ? TrainingSession(resumingFrom: store!, configuration: configuration, schedule: schedule, learningRate: learningRate)
            : TrainingSession(configuration: configuration, schedule: schedule, learningRate: learningRate, seed: seed)
        let model = session.model
        print("\(task): train lengths \(train.lengths) (growing over the first half), test lengths \(test.lengths); \(core) H=\(hiddenSize) K=\(heads), \(model.parameterCount) parameters")
        if resume { print("resumed from \(checkpointDir!) at step \(session.step)") }
        let start = Date()
        let log = try metrics.map { try MetricsLog(path: $0) }
        var recentLoss: [Float] = []
        var recentCorrect = 0
        var curve: [(x: Double, y: Double)] = []
        while session.step < steps {
            let step = session.step
            let batch = try curriculum(train, step: step).batch(count: batchSize, using: &session.data)
            let (loss, correct) = session.trainStep(on: batch)
            recentLoss.append(loss)
            recentCorrect += correct
            if let store, session.step % checkpointEvery == 0 { try session.save(to: store) }
            if (step + 1) % 50 == 0 || step + 1 == steps {
                let accuracy = Double(recentCorrect) / Double(recentLoss.count * batchSize)
                let meanLoss = recentLoss.reduce(0, +) / Float(recentLoss.count)
                let elapsed = Date().timeIntervalSince(start)
                curve.append((Double(step + 1), Double(meanLoss)))
                print(String(format: "step %5d  loss %.4f  train accuracy %.3f  %.1fs", step + 1, meanLoss, accuracy, elapsed))
                try log?.append([
                    "event": "train", "task": task, "model": core, "step": step + 1, "loss": Double(meanLoss),
                    "train_accuracy": accuracy, "elapsed_s": elapsed,
                ])
                recentLoss.removeAll()
                recentCorrect = 0
            }
        }
        model.eval()
        var correct = 0
        var remaining = testCount
        while remaining > 0 {
            let batch = test.batch(count: min(64, remaining), using: &session.data)
            correct += withoutGradients { correctCount(model(batch), batch.labels) }
            remaining -= batch.count
        }
        let accuracy = Double(correct) / Double(testCount)
        print(String(
            format: "test accuracy on lengths %@: %.3f (%d of %d strings, chance %.3f), scaled accuracy %.3f", "\(test.lengths)",
            accuracy, correct, testCount, test.chanceAccuracy, test.scaledAccuracy(accuracy)))
        try log?.append([
            "event": "test", "task": task, "model": core, "step": session.step, "test_lengths": testLengths,
            "test_accuracy": accuracy, "scaled_accuracy": test.scaledAccuracy(accuracy), "chance": test.chanceAccuracy,
        ])
        var buckets: [(lengths: ClosedRange<Int>, accuracy: Double)] = []
        if report != nil {
            for bucket in lengthBuckets(test.lengths, count: min(8, test.lengths.count)) {
                buckets.append((bucket, try testAccuracy(of: model, on: test, lengths: bucket, strings: max(64, testCount / 8), using: &session.data)))
            }
        }
        return RunResult(
            core: core, accuracy: accuracy, scaled: test.scaledAccuracy(accuracy), parameters: model.parameterCount,
            seconds: Date().timeIntervalSince(started), curve: curve, buckets: buckets)
    }

    /// A curriculum: the longest training string grows linearly from the
    /// shortest to the longest over the first half of training. Parity is
    /// hard to learn from long strings at once (the loss stays at log 2); from
    /// short ones the sLSTM finds the flip-flop solution, which then extends.
    private func curriculum(_ task: any FormalTask, step: Int) throws -> any FormalTask {
        let (shortest, longest) = (task.lengths.lowerBound, task.lengths.upperBound)
        let progress = min(1, Double(step) / Double(max(1, steps / 2)))
        return try task.with(lengths: shortest...(shortest + Int(progress * Double(longest - shortest))))
    }
}
