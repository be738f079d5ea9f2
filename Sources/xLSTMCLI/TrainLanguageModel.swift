import ArgumentParser
import Foundation
import xLSTM

extension TrainCommand {
    /// Trains the `kind` character language model on the text (the built-in
    /// Genesis or `--text`), then measures it on the held-out last tenth and
    /// prints a greedy continuation.
    func trainLanguageModel(_ kind: ModelKind) throws -> RunResult {
        Random.seed(seed)
        let languageTask = try characterTask(text: text)
        guard languageTask.training.count > context else {
            throw ValidationError(
                "--context: expected fewer characters than the training part of the text (\(languageTask.training.count)), received \(context)")
        }
        let vocabulary = languageTask.vocabulary
        let configuration = CharacterLanguageModel<Float>.Configuration(
            vocabulary: vocabulary, architecture: languageModelArchitecture(kind, vocabularySize: vocabulary.count))
        let store = try checkpointDir.map { try CheckpointStore(directory: URL(fileURLWithPath: $0)) }
        var session: TrainingSession<CharacterLanguageModel<Float>> = try session(configuration, schedule: try schedule(), store: store)
        let model = session.model
        let shape = kind == .xlstm ? "pattern \(pattern)" : "\(blocks) blocks"
        print("\(task): \(languageTask.training.count) training and \(languageTask.heldOut.count) held-out characters, \(vocabulary.count) distinct; \(kind.rawValue) H=\(hiddenSize) K=\(heads) \(shape), \(model.parameterCount) parameters")
        if resume { print("resumed from \(checkpointDir!) at step \(session.step)") }
        let log = try metrics.map { try MetricsLog(path: $0) }
        var recorder = TrainingRecorder(
            task: task, model: kind.rawValue, totalSteps: steps, firstStep: session.step, unitsPerStep: batchSize * context,
            unit: "characters", log: log)
        while session.step < steps {
            let (inputs, targets) = languageTask.batch(count: batchSize, length: context, using: &session.data)
            var correct = 0
            let loss = session.trainStep { model in
                let logits = model(inputs).reshaped([batchSize * context, vocabulary.count])
                correct = correctCount(logits, targets)
                return crossEntropy(logits: logits, targets: targets)
            }
            if let store, session.step % checkpointEvery == 0 { try session.save(to: store) }
            try recorder.record(step: session.step, loss: loss, correct: correct, of: targets.count)
        }
        recorder.progress.finish()
        model.eval()
        let heldOutLoss = model.meanLoss(over: languageTask.heldOutWindows(length: context))
        let bits = heldOutLoss / Foundation.log(2)
        print(String(format: "held-out loss %.4f nats per character, %.3f bits per character", heldOutLoss, bits))
        let prompt = vocabulary.decode(Array(languageTask.heldOut.prefix(40)))
        let continuation = try model.generate(prompt: prompt, maxNewCharacters: 120)
        print("greedy continuation of \(prompt.debugDescription): \(continuation.debugDescription)")
        try log?.append([
            "event": "test", "task": task, "model": kind.rawValue, "step": session.step,
            "held_out_loss": heldOutLoss, "bits_per_character": bits,
        ])
        return RunResult(
            model: kind.rawValue, parameters: model.parameterCount, seconds: recorder.progress.elapsed,
            scores: [("held-out loss (nats/char)", heldOutLoss), ("bits per character", bits)], curve: recorder.curve, buckets: [],
            sample: (prompt, continuation))
    }
}
