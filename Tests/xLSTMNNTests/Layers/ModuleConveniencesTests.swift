import TestSupport
import Testing
import xLSTMNN
import xLSTMTensor

/// Layers default to Float, modules count their parameters, clipping
/// reports a non-finite norm, optimizer steps count as changes of values.
@Suite struct ModuleConveniencesTests {
    @Test func layersDefaultToFloat() throws {
        #expect(type(of: Linear(inputFeatures: 3, outputFeatures: 2)) == Linear<Float>.self)
        #expect(type(of: Embedding(count: 5, dimension: 2)) == Embedding<Float>.self)
        #expect(type(of: LayerNorm(size: 4)) == LayerNorm<Float>.self)
        #expect(type(of: Dropout(probability: 0.5)) == Dropout<Float>.self)
        #expect(type(of: Linear<Double>(inputFeatures: 3, outputFeatures: 2)) == Linear<Double>.self)
    }

    @Test func parameterCountIsTheSumOfElementCounts() throws {
        #expect(Linear(inputFeatures: 4, outputFeatures: 3).parameterCount == 4 * 3 + 3)
        #expect(Linear(inputFeatures: 4, outputFeatures: 3, bias: false).parameterCount == 4 * 3)
        #expect(LayerNorm(size: 7).parameterCount == 14)
        #expect(Dropout(probability: 0.1).parameterCount == 0)
    }

    @Test func clippingReportsANonFiniteNormAndLeavesTheGradients() throws {
        let p = Tensor<Double>([1, 2], requiresGrad: true)
        (p * Tensor([Double.infinity, 1])).sum().backward()
        let error = #expect(throws: xLSTMError.self) { try clipGradientNorm([p], maxNorm: 1) }
        #expect(error?.argument == "gradients")
        #expect(error?.received.hasPrefix("inf") == true)
        #expect(p.grad?.scalars == [.infinity, 1])
        let nanError = #expect(throws: xLSTMError.self) { try clipGradientNorm([p], maxNorm: .nan) }
        #expect(nanError?.description == "invalid maxNorm: expected a finite value > 0, received nan")
    }

    @Test func anOptimizerStepIsAChangeOfValues() throws {
        let p = Tensor<Double>([1, 2], requiresGrad: true)
        let optimizer = try SGD(parameters: [p], learningRate: 0.1)
        (p * p).sum().backward()
        optimizer.step()
        #expect(p.version == 1)
        let expected: [Double] = [1 - 0.1 * 2, 2 - 0.1 * 4]
        #expect(p.scalars == expected)
    }

    @Test func optimizersAndSchedulesRejectNonFiniteValues() throws {
        #expect(throws: xLSTMError(argument: "learningRate", expected: "a finite value >= 0", received: "nan")) {
            try Adam<Double>(parameters: [], learningRate: .nan)
        }
        #expect(throws: xLSTMError(argument: "epsilon", expected: "a finite value > 0", received: "inf")) {
            try AdamW<Double>(parameters: [], epsilon: .infinity)
        }
        #expect(throws: xLSTMError(argument: "peakLearningRate", expected: "a finite value >= 0", received: "nan")) {
            try WarmupCosineSchedule(peakLearningRate: .nan, warmupSteps: 0, totalSteps: 10)
        }
    }
}
