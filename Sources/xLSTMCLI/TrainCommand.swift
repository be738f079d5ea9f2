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
        guard steps > 0, batchSize > 0, testCount > 0, threads > 0 else {
            throw ValidationError("--steps, --batch-size, --test-count and --threads must be positive")
        }
        guard heads > 0, hiddenSize % heads == 0 else {
            throw ValidationError("--heads must divide --hidden-size (\(hiddenSize)); received \(heads)")
        }
    }

    func run() throws {
        Parallelism.threadCount = threads
        Random.seed(seed)
        var generator = Xoshiro256(seed: seed)
        let train = ParityTask(lengths: try lengthRange(trainLengths, "--train-lengths"))
        let test = ParityTask(lengths: try lengthRange(testLengths, "--test-lengths"))
        let model = SequenceClassifier<Float>(
            vocabularySize: ParityTask.vocabularySize, embeddingSize: 8, classCount: ParityTask.classCount,
            slstm: sLSTMConfiguration(inputSize: 8, hiddenSize: hiddenSize, numHeads: heads))
        let optimizer = Adam(parameters: model.parameters, learningRate: learningRate)
        let schedule = WarmupCosineSchedule(
            peakLearningRate: learningRate, warmupSteps: steps / 20, totalSteps: steps,
            minimumLearningRate: learningRate / 20)
        print("parity: train lengths \(train.lengths) (growing over the first half), test lengths \(test.lengths); sLSTM H=\(hiddenSize) K=\(heads), \(model.parameters.map(\.count).reduce(0, +)) parameters")
        let start = Date()
        var recentLoss: [Float] = []
        var recentCorrect = 0
        for step in 0..<steps {
            let batch = curriculum(train, step: step).batch(count: batchSize, using: &generator)
            optimizer.learningRate = schedule.learningRate(atStep: step)
            optimizer.zeroGrad()
            let logits = model(batch)
            let loss = crossEntropy(logits: logits, targets: batch.labels)
            loss.backward()
            clipGradientNorm(model.parameters, maxNorm: 1)
            optimizer.step()
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
    private func curriculum(_ task: ParityTask, step: Int) -> ParityTask {
        let (shortest, longest) = (task.lengths.lowerBound, task.lengths.upperBound)
        let progress = min(1, Double(step) / Double(max(1, steps / 2)))
        return ParityTask(lengths: shortest...(shortest + Int(progress * Double(longest - shortest))))
    }

    private func correctCount(_ logits: Tensor<Float>, _ labels: [Int]) -> Int {
        let classes = logits.shape[1]
        return labels.enumerated().filter { row, label in
            let scores = logits.scalars[(row * classes)..<((row + 1) * classes)]
            return scores.firstIndex(of: scores.max()!)! - row * classes == label
        }.count
    }
}

/// Parses `MIN-MAX` into a range of lengths >= 1.
func lengthRange(_ text: String, _ option: String) throws -> ClosedRange<Int> {
    let parts = text.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 2, parts[0] >= 1, parts[0] <= parts[1] else {
        throw ValidationError("\(option): expected MIN-MAX with 1 <= MIN <= MAX, received \(text)")
    }
    return parts[0]...parts[1]
}
