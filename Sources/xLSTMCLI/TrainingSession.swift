import ArgumentParser
import Foundation
import xLSTM

/// The state of one `xlstm train` run: model, optimizer, schedule, the data
/// sampler and the step, built fresh or resumed from a checkpoint, and saved as one.
struct TrainingSession<Model: ConfigurableModule> where Model.Scalar == Float {
    let model: Model
    let optimizer: Adam<Float>
    let schedule: WarmupCosineSchedule
    /// Draws the training and test data.
    var data: Xoshiro256
    /// Steps completed.
    private(set) var step: Int

    /// A new run from `seed`.
    init(configuration: Model.Configuration, schedule: WarmupCosineSchedule, learningRate: Double, seed: UInt64) throws {
        model = try Model(configuration: configuration)
        optimizer = try Adam(parameters: model.parameters, learningRate: learningRate)
        self.schedule = schedule
        data = Xoshiro256(seed: seed)
        step = 0
    }

    /// The run whose latest checkpoint is in `store`; its model and schedule
    /// must be the ones these options describe.
    init(
        resumingFrom store: CheckpointStore, configuration: Model.Configuration, schedule: WarmupCosineSchedule,
        learningRate: Double
    ) throws {
        guard let checkpoint = try store.latest() else {
            throw ValidationError("--resume: expected a checkpoint in \(store.directory.path), found none")
        }
        model = try checkpoint.model(Model.self)
        guard model.configuration == configuration else {
            throw ValidationError(
                "--resume: \(checkpoint.directory.path) holds a model of another configuration; pass the options of the run that wrote it")
        }
        optimizer = try Adam(parameters: model.parameters, learningRate: learningRate)
        try checkpoint.restore(optimizer, of: model)
        let trainer = try checkpoint.trainerState()
        guard trainer.schedule == schedule, let data = trainer.generators["data"] else {
            throw ValidationError(
                "--resume: \(checkpoint.directory.path) was written by a run with other --steps or --learning-rate; pass the options of the run that wrote it")
        }
        self.schedule = schedule
        self.data = data
        step = trainer.step
        Random.state = trainer.random
    }

    /// One optimizer step on the loss `loss` computes from the model.
    ///
    /// - Returns: the loss before the step.
    mutating func trainStep(_ loss: (Model) -> Tensor<Float>) -> Float {
        optimizer.learningRate = schedule.learningRate(atStep: step)
        optimizer.zeroGrad()
        let value = loss(model)
        value.backward()
        // A non-finite gradient norm (a diverging run) skips the update
        // instead of writing NaN into every parameter.
        if (try? clipGradientNorm(model.parameters, maxNorm: 1)) != nil { optimizer.step() }
        step += 1
        return value.scalar
    }

    /// Saves everything a resumed run needs as checkpoint `step-<step>`.
    func save(to store: CheckpointStore) throws {
        try store.save(
            model: model, optimizer: optimizer,
            trainer: TrainerState(step: step, random: Random.state, generators: ["data": data], schedule: schedule))
    }
}

/// Sequences whose highest logit is their label; a NaN logit counts as the
/// highest (`Tensor.argmax(alongAxis:)`), so a diverged model scores, never crashes.
func correctCount(_ logits: Tensor<Float>, _ labels: [Int]) -> Int {
    zip(logits.argmax(alongAxis: 1), labels).filter { $0 == $1 }.count
}
