import xLSTMTensor
import RealModule

/// Linear warm-up followed by cosine decay:
///
///     step < warmupSteps:  peak * (step + 1) / warmupSteps
///     afterwards:          minimum + (peak - minimum) * (1 + cos(pi * progress)) / 2,
///                          progress = (step - warmupSteps) / (totalSteps - warmupSteps), capped at 1
///
/// Steps count from 0. With `warmupSteps: 0` it is a plain cosine decay.
public struct WarmupCosineSchedule: Sendable, Equatable, Codable {
    /// The rate reached at the end of the warm-up.
    public let peakLearningRate: Double
    /// Steps of linear warm-up.
    public let warmupSteps: Int
    /// The step at which the cosine reaches the minimum.
    public let totalSteps: Int
    /// The floor of the decay.
    public let minimumLearningRate: Double

    /// A schedule that warms up to `peakLearningRate` and decays to `minimumLearningRate` by `totalSteps`.
    ///
    /// - Throws: `xLSTMError` unless `peakLearningRate` is finite and `>= 0`,
    ///   `0 <= warmupSteps < totalSteps` and `0 <= minimumLearningRate <= peakLearningRate`.
    public init(
        peakLearningRate: Double, warmupSteps: Int, totalSteps: Int, minimumLearningRate: Double = 0
    ) throws(xLSTMError) {
        try require(
            peakLearningRate >= 0 && peakLearningRate.isFinite, "peakLearningRate", expected: "a finite value >= 0",
            received: "\(peakLearningRate)")
        try require(
            warmupSteps >= 0 && warmupSteps < totalSteps, "warmupSteps",
            expected: "a value in 0..<totalSteps (\(totalSteps))", received: "\(warmupSteps)")
        try require(
            minimumLearningRate >= 0 && minimumLearningRate <= peakLearningRate, "minimumLearningRate",
            expected: "a value in [0, \(peakLearningRate)]", received: "\(minimumLearningRate)")
        self.peakLearningRate = peakLearningRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumLearningRate = minimumLearningRate
    }

    private enum CodingKeys: String, CodingKey {
        case peakLearningRate, warmupSteps, totalSteps, minimumLearningRate
    }

    /// Decodes a schedule and checks it as ``init(peakLearningRate:warmupSteps:totalSteps:minimumLearningRate:)`` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            peakLearningRate: container.decode(Double.self, forKey: .peakLearningRate),
            warmupSteps: container.decode(Int.self, forKey: .warmupSteps),
            totalSteps: container.decode(Int.self, forKey: .totalSteps),
            minimumLearningRate: container.decode(Double.self, forKey: .minimumLearningRate))
    }

    /// The learning rate for step `step` (0-based).
    public func learningRate(atStep step: Int) -> Double {
        if step < warmupSteps { return peakLearningRate * Double(step + 1) / Double(warmupSteps) }
        let progress = min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
        return minimumLearningRate + (peakLearningRate - minimumLearningRate) * (1 + Double.cos(.pi * progress)) / 2
    }
}
