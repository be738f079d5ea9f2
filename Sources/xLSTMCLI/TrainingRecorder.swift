import Foundation

/// What every `xlstm train` step leaves behind: the progress a person
/// watches, and every ``TrainingProgress/interval`` steps a point of the
/// report's loss curve and a metrics line, each the mean of the steps since
/// the previous one.
struct TrainingRecorder {
    let progress: TrainingProgress
    let log: MetricsLog?
    /// The task and model names the metrics lines carry.
    let task: String
    let model: String
    /// (step, mean training loss since the previous point).
    private(set) var curve: [(x: Double, y: Double)] = []
    private var window = LossWindow()
    /// What one step processes, in the speed's unit.
    private let unitsPerStep: Int

    /// A recorder for a run of `totalSteps` from `firstStep` (non-zero when
    /// resumed), appending to `log`; the speed counts `unitsPerStep` `unit`s a step.
    init(
        task: String, model: String, totalSteps: Int, firstStep: Int, unitsPerStep: Int, unit: String, log: MetricsLog?
    ) {
        self.task = task
        self.model = model
        self.log = log
        self.unitsPerStep = unitsPerStep
        progress = TrainingProgress(totalSteps: totalSteps, firstStep: firstStep, unit: unit)
    }

    /// Records completed step `step` (1-based): its loss and how many of
    /// `count` predictions were right.
    mutating func record(step: Int, loss: Float, correct: Int, of count: Int) throws {
        window.add(loss: loss, correct: correct, of: count)
        progress.show(
            step: step, loss: window.meanLoss, accuracy: window.accuracy, units: (step - progress.firstStep) * unitsPerStep)
        guard step % TrainingProgress.interval == 0 || step == progress.totalSteps else { return }
        curve.append((Double(step), Double(window.meanLoss)))
        try log?.append([
            "event": "train", "task": task, "model": model, "step": step, "loss": Double(window.meanLoss),
            "train_accuracy": window.accuracy, "elapsed_s": progress.elapsed,
        ])
        window = LossWindow()
    }
}

/// The mean loss and accuracy of the steps since the last progress line.
struct LossWindow {
    private var losses: [Float] = []
    private var correct = 0
    private var seen = 0

    mutating func add(loss: Float, correct: Int, of count: Int) {
        losses.append(loss)
        self.correct += correct
        seen += count
    }

    var meanLoss: Float { losses.reduce(0, +) / Float(max(losses.count, 1)) }
    var accuracy: Double { Double(correct) / Double(max(seen, 1)) }
}
