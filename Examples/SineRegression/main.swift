// A complete training example: an sLSTM learns to continue sine waves of
// random frequency and phase (predict x_{t+1} from x_1...x_t), trained by
// backpropagation through time with AdamW, a warm-up/cosine schedule and
// gradient clipping. Run: swift run -c release sine-regression
import Foundation
import xLSTM

Random.seed(0)
var generator = Xoshiro256(seed: 0)
let (steps, batch, hidden) = (40, 16, 32)

/// A batch of waves, (steps + 1, batch, 1): inputs are the first `steps`
/// values, targets the last `steps`.
func waves(using generator: inout Xoshiro256) throws -> Tensor<Float> {
    var values = [Float](repeating: 0, count: (steps + 1) * batch)
    for row in 0..<batch {
        let frequency = Float.random(in: 0.1...0.4, using: &generator)
        let phase = Float.random(in: 0...(2 * .pi), using: &generator)
        for t in 0...steps { values[t * batch + row] = sin(frequency * Float(t) + phase) }
    }
    return try Tensor(shape: [steps + 1, batch, 1], scalars: values)
}

let slstm = sLSTM(inputSize: 1, hiddenSize: hidden, numLayers: 2, numHeads: 4)
let readout = Linear(inputFeatures: hidden, outputFeatures: 1)
let parameters = slstm.parameters + readout.parameters
let optimizer = try AdamW(parameters: parameters, learningRate: 1e-2)
let schedule = try WarmupCosineSchedule(peakLearningRate: 1e-2, warmupSteps: 20, totalSteps: 300)

for step in 0..<300 {
    let wave = try waves(using: &generator)
    let inputs = wave.slice(alongAxis: 0, 0..<steps)
    let targets = wave.slice(alongAxis: 0, 1..<(steps + 1))
    optimizer.learningRate = schedule.learningRate(atStep: step)
    optimizer.zeroGrad()
    let (hiddenStates, _) = slstm(inputs)
    let loss = meanSquaredError(readout(hiddenStates), targets)
    loss.backward()
    try clipGradientNorm(parameters, maxNorm: 1)
    optimizer.step()
    if step % 50 == 0 || step == 299 { print("step \(step): mean squared error \(loss.scalar)") }
}
