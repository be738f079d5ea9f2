import Foundation
import xLSTM

extension TrainCommand {
    /// Trains the `kind` classifier on the formal task (from the same seed, so
    /// every model sees the same data) and tests it on longer strings.
    ///
    /// - Returns: the test results, and for a report the loss curve and the accuracy by length bucket.
    func trainClassifier(_ kind: ModelKind) throws -> RunResult {
        Random.seed(seed)
        let taskType = Self.tasks.first { $0.name == task }!
        let train = try taskType.init(lengths: try lengthRange(trainLengths, "--train-lengths"))
        let test = try train.with(lengths: try lengthRange(testLengths, "--test-lengths"))
        let configuration = classifierConfiguration(kind, vocabularySize: train.vocabularySize, classCount: train.classCount)
        let store = try checkpointDir.map { try CheckpointStore(directory: URL(fileURLWithPath: $0)) }
        var session: TrainingSession<SequenceClassifier<Float>> = try session(configuration, schedule: try schedule(), store: store)
        let model = session.model
        print("\(task): train lengths \(train.lengths) (growing over the first half), test lengths \(test.lengths); \(kind.rawValue) H=\(hiddenSize) K=\(heads)\(kind == .xlstm ? " pattern \(pattern)" : ""), \(model.parameterCount) parameters")
        if resume { print("resumed from \(checkpointDir!) at step \(session.step)") }
        let log = try metrics.map { try MetricsLog(path: $0) }
        var recorder = TrainingRecorder(
            task: task, model: kind.rawValue, totalSteps: steps, firstStep: session.step, unitsPerStep: batchSize, unit: "strings",
            log: log)
        while session.step < steps {
            let batch = try curriculum(train, step: session.step).batch(count: batchSize, using: &session.data)
            var correct = 0
            let loss = session.trainStep { model in
                let logits = model(batch)
                correct = correctCount(logits, batch.labels)
                return crossEntropy(logits: logits, targets: batch.labels)
            }
            if let store, session.step % checkpointEvery == 0 { try session.save(to: store) }
            try recorder.record(step: session.step, loss: loss, correct: correct, of: batchSize)
        }
        recorder.progress.finish()
        model.eval()
        let accuracy = try testAccuracy(of: model, on: test, lengths: test.lengths, strings: testCount, using: &session.data)
        let correct = Int((accuracy * Double(testCount)).rounded())
        print(String(
            format: "test accuracy on lengths %@: %.3f (%d of %d strings, chance %.3f), scaled accuracy %.3f", "\(test.lengths)",
            accuracy, correct, testCount, test.chanceAccuracy, test.scaledAccuracy(accuracy)))
        try log?.append([
            "event": "test", "task": task, "model": kind.rawValue, "step": session.step, "test_lengths": testLengths,
            "test_accuracy": accuracy, "scaled_accuracy": test.scaledAccuracy(accuracy), "chance": test.chanceAccuracy,
        ])
        var buckets: [(lengths: ClosedRange<Int>, accuracy: Double)] = []
        if report != nil {
            for bucket in lengthBuckets(test.lengths, count: min(8, test.lengths.count)) {
                buckets.append((bucket, try testAccuracy(of: model, on: test, lengths: bucket, strings: max(64, testCount / 8), using: &session.data)))
            }
        }
        return RunResult(
            model: kind.rawValue, parameters: model.parameterCount, seconds: recorder.progress.elapsed,
            scores: [("test accuracy", accuracy), ("scaled accuracy", test.scaledAccuracy(accuracy))], curve: recorder.curve,
            buckets: buckets, sample: nil)
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
