import ArgumentParser
import Foundation
import xLSTM

/// Trains an sLSTM sequence classifier on a built-in task and reports how
/// well it generalizes to longer sequences than it saw in training.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an sLSTM classifier on the parity task; report accuracy on longer strings.")

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

    func validate() throws {
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
    }

    func run() throws {
        Parallelism.threadCount = threads
        Random.seed(seed)
        var generator = Xoshiro256(seed: seed)
        let train = try ParityTask(lengths: try lengthRange(trainLengths, "--train-lengths"))
        let test = try ParityTask(lengths: try lengthRange(testLengths, "--test-lengths"))
        let model = try SequenceClassifier<Float>(
            vocabularySize: ParityTask.vocabularySize, embeddingSize: 8, classCount: ParityTask.classCount,
            slstm: sLSTMConfiguration(inputSize: 8, hiddenSize: hiddenSize, numHeads: heads))
        let optimizer = try Adam(parameters: model.parameters, learningRate: learningRate)
        let schedule = try WarmupCosineSchedule(
            peakLearningRate: learningRate, warmupSteps: steps / 20, totalSteps: steps,
            minimumLearningRate: learningRate / 20)
        print("parity: train lengths \(train.lengths) (growing over the first half), test lengths \(test.lengths); sLSTM H=\(hiddenSize) K=\(heads), \(model.parameterCount) parameters")
        let start = Date()
        var recentLoss: [Float] = []
        var recentCorrect = 0
        for step in 0..<steps {
            let batch = try curriculum(train, step: step).batch(count: batchSize, using: &generator)
            optimizer.learningRate = schedule.learningRate(atStep: step)
            optimizer.zeroGrad()
            let logits = model(batch)
            let loss = crossEntropy(logits: logits, targets: batch.labels)
            loss.backward()
            // A non-finite gradient norm (a diverging run) skips the update
            // instead of writing NaN into every parameter.
            if (try? clipGradientNorm(model.parameters, maxNorm: 1)) != nil { optimizer.step() }
            recentLoss.append(loss.scalar)
            recentCorrect += correctCount(logits, batch.labels)
            if (step + 1) % 50 == 0 || step + 1 == steps {
                let accuracy = Double(recentCorrect) / Double(recentLoss.count * batchSize)
                let meanLoss = recentLoss.reduce(0, +) / Float(recentLoss.count)
                print(String(format: "step %5d  loss %.4f  train accuracy %.3f  %.1fs", step + 1, meanLoss, accuracy, Date().timeIntervalSince(start)))
                recentLoss.removeAll()
                recentCorrect = 0
            }
        }
        model.eval()
        var correct = 0
        var remaining = testCount
        while remaining > 0 {
            let batch = test.batch(count: min(64, remaining), using: &generator)
            correct += withoutGradients { correctCount(model(batch), batch.labels) }
            remaining -= batch.count
        }
        let accuracy = Double(correct) / Double(testCount)
        print(String(format: "test accuracy on lengths %@: %.3f (%d of %d strings, chance 0.5)", "\(test.lengths)", accuracy, correct, testCount))
    }

    /// A curriculum: the longest training string grows linearly from the
    /// shortest to the longest over the first half of training. Parity is
    /// hard to learn from long strings at once (the loss stays at log 2); from
    /// short ones the sLSTM finds the flip-flop solution, which then extends.
    private func curriculum(_ task: ParityTask, step: Int) throws -> ParityTask {
        let (shortest, longest) = (task.lengths.lowerBound, task.lengths.upperBound)
        let progress = min(1, Double(step) / Double(max(1, steps / 2)))
        return try ParityTask(lengths: shortest...(shortest + Int(progress * Double(longest - shortest))))
    }

    /// Sequences whose highest logit is their label; a NaN logit counts as
    /// the highest (``Tensor/argmax(alongAxis:)``), so a diverged model scores, never crashes.
    private func correctCount(_ logits: Tensor<Float>, _ labels: [Int]) -> Int {
        zip(logits.argmax(alongAxis: 1), labels).filter { $0 == $1 }.count
    }
}
