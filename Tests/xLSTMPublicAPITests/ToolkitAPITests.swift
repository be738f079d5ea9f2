import Foundation
import Testing
import xLSTM

/// Modules, losses, optimizers and schedules through `import xLSTM` alone.
@Suite struct ToolkitAPITests {
    @Test func layersNameAndCountTheirParameters() throws {
        let linear = Linear(inputFeatures: 3, outputFeatures: 2)
        #expect(linear.namedParameters.map(\.name) == ["weight", "bias"] && linear.parameterCount == 8)
        let x = try Tensor<Float>(shape: [4, 3], scalars: (0..<12).map { Float($0) / 12 })
        let y = linear(x)
        for row in 0..<4 {
            for output in 0..<2 {
                let expected = (0..<3).reduce(linear.bias![output]) { $0 + linear.weight[output, $1] * x[row, $1] }
                #expect(abs(y[row, output] - expected) < 1e-5)
            }
        }
        let embedding = Embedding(count: 5, dimension: 2)
        let rows: [Float] = Array(embedding.weight.scalars[8..<10]) + Array(embedding.weight.scalars[0..<2])
        #expect(embedding([4, 0], shape: [2]).scalars == rows)
        let norm = LayerNorm(size: 3)
        let normalized = norm(x)
        for row in 0..<4 { #expect(abs((0..<3).reduce(0) { $0 + normalized[row, $1] }) < 1e-5) }
        let dropout = Dropout(probability: 0.5)
        dropout.eval()
        #expect(dropout(x).scalars == x.scalars && !dropout.isTraining)
        dropout.train()
        let dropped = Random.withSeed(1) { dropout(Tensor<Float>.ones([1000])) }
        #expect(Set(dropped.scalars).isSubset(of: [0, 2]))
    }

    @Test func lossesMatchTheirFormulas() throws {
        let logits = try Tensor<Double>(rows: [[1, 2, 3], [0, 0, 0]])
        let loss = crossEntropy(logits: logits, targets: [2, 1]).scalar
        let logSumExp = Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0))
        let expected = ((logSumExp - 3) + Foundation.log(3.0)) / 2
        #expect(abs(loss - expected) < 1e-12)
        #expect(abs(crossEntropy(logits: logits, targets: [2, -100]).scalar - (expected * 2 - Foundation.log(3.0))) < 1e-12)
        let mse = meanSquaredError(Tensor<Double>([1, 2]), Tensor<Double>([0, 4])).scalar
        #expect(mse == 2.5)
    }

    /// XOR with a two-layer perceptron, a real, small training run, once
    /// per optimizer, each from the same fresh model.
    @Test(arguments: ["Adam", "AdamW", "SGD"])
    func optimizersScheduleAndClippingTrainAModel(name: String) throws {
        try Random.withSeed(4) {
            let hidden = Linear<Double>(inputFeatures: 2, outputFeatures: 8)
            let output = Linear<Double>(inputFeatures: 8, outputFeatures: 2)
            let parameters = hidden.parameters + output.parameters
            let inputs = try Tensor<Double>(rows: [[0, 0], [0, 1], [1, 0], [1, 1]])
            let targets = [0, 1, 1, 0]
            func loss() -> Tensor<Double> { crossEntropy(logits: output(hidden(inputs).tanh()), targets: targets) }
            let schedule = try WarmupCosineSchedule(peakLearningRate: 0.05, warmupSteps: 10, totalSteps: 300)
            #expect(schedule.learningRate(atStep: 0) == 0.005 && schedule.learningRate(atStep: 300) == 0)
            let optimizer: any Optimizer =
                switch name {
                case "Adam": try Adam(parameters: parameters)
                case "AdamW": try AdamW(parameters: parameters)
                default: try SGD(parameters: parameters, learningRate: 0.1, momentum: 0.9, nesterov: true)
                }
            let initialLoss = loss().scalar
            var stepsClipped = 0
            for step in 0..<300 {
                optimizer.learningRate = schedule.learningRate(atStep: step)
                optimizer.zeroGrad()
                loss().backward()
                let norm = try clipGradientNorm(parameters, maxNorm: 0.1)
                // After clipping the joint norm is min(norm, 0.1) (the scale is 0.1 / (norm + 1e-6)).
                let clipped = try clipGradientNorm(parameters, maxNorm: .greatestFiniteMagnitude)
                #expect(abs(clipped - min(norm, 0.1)) <= 1e-6, "\(name), step \(step): \(norm) clipped to \(clipped)")
                if norm > 0.1 { stepsClipped += 1 }
                optimizer.step()
            }
            #expect(stepsClipped > 0, "\(name): clipping never acted")
            let finalLoss = loss().scalar
            #expect(finalLoss < 0.1 * initialLoss, "\(name): loss \(initialLoss) -> \(finalLoss)")
            #expect(output(hidden(inputs).tanh()).argmax(alongAxis: 1) == targets, "\(name)")
        }
    }
}
