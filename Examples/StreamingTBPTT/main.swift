// Truncated backpropagation through time over one long signal, then
// streaming inference one step at a time.
//
// An sLSTM learns to predict a noisy sum of two sines 5 steps ahead from a
// 20 000-step signal, trained chunk by chunk: the state is carried from
// chunk to chunk with `detached()`, so each backward walks one chunk only.
// The trained weights then go into an `sLSTMCell`, which reads the signal
// one sample at a time, as a live stream would arrive.
// Run: swift run -c release streaming-tbptt
import Foundation
import xLSTM

Random.seed(0)
var generator = Xoshiro256(seed: 0)
let (length, chunk, horizon, hidden) = (20_000, 100, 5, 32)
let signal: [Float] = (0..<(length + horizon)).map { t in
    let time = Float(t)
    return sin(0.05 * time) + 0.5 * sin(0.13 * time + 1) + Float.random(in: -0.05...0.05, using: &generator)
}

let slstm = sLSTM(inputSize: 1, hiddenSize: hidden, numHeads: 4)
let readout = Linear(inputFeatures: hidden, outputFeatures: 1)
let parameters = slstm.parameters + readout.parameters
let optimizer = try Adam(parameters: parameters, learningRate: 3e-3)

/// Steps `start ..< start + count` of the signal as (T, 1, 1), and the targets `horizon` steps later.
func window(_ start: Int, _ count: Int) throws -> (inputs: Tensor<Float>, targets: Tensor<Float>) {
    (try Tensor(shape: [count, 1, 1], scalars: Array(signal[start..<(start + count)])),
     try Tensor(shape: [count, 1, 1], scalars: Array(signal[(start + horizon)..<(start + horizon + count)])))
}

for epoch in 0..<3 {
    var state: sLSTMState<Float>? = nil
    var total: Float = 0
    for start in stride(from: 0, to: length - chunk, by: chunk) {
        let (inputs, targets) = try window(start, chunk)
        optimizer.zeroGrad()
        let (outputs, next) = slstm(inputs, state)
        let loss = meanSquaredError(readout(outputs), targets)
        loss.backward()
        try clipGradientNorm(parameters, maxNorm: 1)
        optimizer.step()
        // Cut the graph at the chunk boundary: the next backward stops here.
        state = next.detached()
        total += loss.scalar
    }
    print("epoch \(epoch): mean squared error \(total / Float((length - chunk) / chunk))")
}

// Streaming: the same weights in a cell, one sample at a time.
let cell = sLSTMCell(inputSize: 1, hiddenSize: hidden, numHeads: 4)
for ((_, to), (_, from)) in zip(cell.namedParameters, slstm.namedParameters) { try to.assign(from) }
var streamState: sLSTMState<Float>? = nil
var squaredError: Float = 0
let streamed = 2_000
withoutGradients {
    for t in 0..<streamed {
        let (h, next) = cell(Tensor([signal[t]]), streamState)
        streamState = next
        let prediction = readout(h.reshaped([1, hidden])).scalar
        squaredError += (prediction - signal[t + horizon]) * (prediction - signal[t + horizon])
    }
}
print("streaming \(streamed) samples: mean squared error \(squaredError / Float(streamed))")
