import TestSupport
import Testing
import xLSTMNN
import xLSTMTensor

/// Every layer, loss, optimizer and schedule error path stops the process with a message that names the
/// argument, what was expected and what was received.
@Suite struct ToolkitErrorTests {
    @Test func embeddingIndexOutOfRange() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Embedding<Double>(count: 3, dimension: 2)([0, 3], shape: [2])
        }
        #expect(standardError(of: result).contains("invalid indices[1]: expected an index in 0..<3, received 3"))
    }

    @Test func crossEntropyBadTarget() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Tensor<Double>.zeros([2, 4]), targets: [1, 4])
        }
        #expect(standardError(of: result).contains("invalid targets[1]: expected a class index in 0..<4 or the ignore index -100, received 4"))
    }

    @Test func crossEntropyWrongTargetCount() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Tensor<Double>.zeros([2, 4]), targets: [1])
        }
        #expect(standardError(of: result).contains("invalid targets: expected 2 targets (one per row of logits), received 1"))
    }

    @Test func meanSquaredErrorDoesNotBroadcast() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = meanSquaredError(Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([3]))
        }
        #expect(standardError(of: result).contains("invalid target: expected shape [2, 3], received shape [3]"))
    }

    @Test func linearWrongInputWidth() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Linear<Double>(inputFeatures: 3, outputFeatures: 2)(.zeros([4, 5]))
        }
        #expect(standardError(of: result).contains("invalid input: expected last extent 3, received shape [4, 5]"))
    }

    @Test func layerNormWrongWidth() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LayerNorm<Double>(size: 3)(.zeros([2, 4]))
        }
        #expect(standardError(of: result).contains("invalid input: expected last extent 3, received shape [2, 4]"))
    }

    @Test func dropoutOutsideTheUnitInterval() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Dropout<Double>(probability: 1)
        }
        #expect(standardError(of: result).contains("invalid probability: expected a probability in [0, 1), received 1.0"))
    }

    @Test func negativeLearningRate() throws {
        let error = #expect(throws: xLSTMError.self) {
            _ = try SGD<Double>(parameters: [], learningRate: -0.1)
        }
        #expect(error?.description.contains("invalid learningRate: expected a finite value >= 0, received -0.1") == true)
    }

    @Test func nesterovWithoutMomentum() throws {
        let error = #expect(throws: xLSTMError.self) {
            _ = try SGD<Double>(parameters: [], learningRate: 0.1, nesterov: true)
        }
        #expect(error?.description.contains("invalid nesterov: expected false unless momentum > 0") == true)
    }

    @Test func adamBetaOutOfRange() throws {
        let error = #expect(throws: xLSTMError.self) {
            _ = try AdamW<Double>(parameters: [], beta2: 1)
        }
        #expect(error?.description.contains("invalid beta2: expected a value in [0, 1), received 1.0") == true)
    }

    @Test func negativeWeightDecay() throws {
        let error = #expect(throws: xLSTMError.self) {
            _ = try Adam<Double>(parameters: [], weightDecay: -1)
        }
        #expect(error?.description.contains("invalid weightDecay: expected a finite value >= 0, received -1.0") == true)
    }

    @Test func clippingNeedsAPositiveNorm() throws {
        let error = #expect(throws: xLSTMError.self) {
            try clipGradientNorm([Tensor<Double>](), maxNorm: 0)
        }
        #expect(error?.description.contains("invalid maxNorm: expected a finite value > 0, received 0.0") == true)
    }

    @Test func warmupLongerThanTheSchedule() throws {
        let error = #expect(throws: xLSTMError.self) {
            _ = try WarmupCosineSchedule(peakLearningRate: 1, warmupSteps: 10, totalSteps: 10)
        }
        #expect(error?.description.contains("invalid warmupSteps: expected a value in 0..<totalSteps (10), received 10") == true)
    }
}
