import xLSTMTensor

/// Where a training run stands, beside its model and optimizer: what a
/// checkpoint's `trainer.json` holds so that a resumed run continues
/// exactly as one that never stopped.
public struct TrainerState: Codable, Equatable, Sendable {
    /// Optimizer steps completed; also the position in ``schedule``, which
    /// is a function of the step alone.
    public var step: Int
    /// The library's generator (`Random.state`): initialization and dropout masks.
    public var random: Xoshiro256
    /// The trainer's own generators by name (for example the data sampler's).
    public var generators: [String: Xoshiro256]
    /// The learning-rate schedule, when the run uses one.
    public var schedule: WarmupCosineSchedule?

    /// The state after `step` steps.
    public init(
        step: Int, random: Xoshiro256, generators: [String: Xoshiro256] = [:], schedule: WarmupCosineSchedule? = nil
    ) {
        self.step = step
        self.random = random
        self.generators = generators
        self.schedule = schedule
    }
}
