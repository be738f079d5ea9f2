import Testing
import xLSTM

/// Every toolkit error path stops the process with a message that names the
/// argument, what was expected and what was received.
@Suite struct ToolkitErrorTests {
    @Test func tensorWithWrongElementCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(standardError(of: result).contains("invalid scalars: expected 4 elements for shape [2, 2], received 3"))
    }

    @Test func raggedRows() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>(rows: [[1, 2], [3]])
        }
        #expect(standardError(of: result).contains("invalid rows[1]: expected 2 elements, received 1"))
    }

    @Test func incompatibleBroadcast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]) + Tensor<Double>.zeros([2])
        }
        #expect(standardError(of: result).contains("invalid operands: expected broadcastable shapes"))
        #expect(standardError(of: result).contains("received [2, 3] and [2]"))
    }

    @Test func matmulInnerMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.matmul(.zeros([2, 3]), .zeros([4, 2]))
        }
        #expect(standardError(of: result).contains("invalid operands: expected the inner extents to agree, received [2, 3] x [4, 2]"))
    }

    @Test func reshapeToWrongCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).reshaped([4, 2])
        }
        #expect(standardError(of: result).contains("invalid shape: expected a shape with 6 elements (from [2, 3]), received [4, 2]"))
    }

    @Test func axisOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).sum(alongAxis: 2)
        }
        #expect(standardError(of: result).contains("invalid axis: expected a value in -2..<2 for shape [2, 3], received 2"))
    }

    @Test func sliceOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).slice(alongAxis: 1, 2..<5)
        }
        #expect(standardError(of: result).contains("invalid range: expected a range within 0..<3"))
    }

    @Test func concatenateMismatch() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.concatenate([.zeros([2, 3]), .zeros([3, 3])], alongAxis: 1)
        }
        #expect(standardError(of: result).contains("invalid tensors[1]: expected shape [2, 3] except along axis 1, received shape [3, 3]"))
    }

    @Test func permutationInvalid() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).permuted([0, 0])
        }
        #expect(standardError(of: result).contains("invalid axes: expected a permutation of 0..<2, received [0, 0]"))
    }

    @Test func backwardOfNonScalarNeedsUpstream() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor<Double>.zeros([2], requiresGrad: true).backward()
        }
        #expect(standardError(of: result).contains("invalid upstream"))
    }

    @Test func embeddingIndexOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Embedding<Double>(count: 3, dimension: 2)([0, 3], shape: [2])
        }
        #expect(standardError(of: result).contains("invalid indices[1]: expected an index in 0..<3, received 3"))
    }

    @Test func crossEntropyBadTarget() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Tensor<Double>.zeros([2, 4]), targets: [1, 4])
        }
        #expect(standardError(of: result).contains("invalid targets[1]: expected a class index in 0..<4 or the ignore index -100, received 4"))
    }

    @Test func crossEntropyWrongTargetCount() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(logits: Tensor<Double>.zeros([2, 4]), targets: [1])
        }
        #expect(standardError(of: result).contains("invalid targets: expected 2 targets (one per row of logits), received 1"))
    }

    @Test func meanSquaredErrorDoesNotBroadcast() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = meanSquaredError(Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([3]))
        }
        #expect(standardError(of: result).contains("invalid target: expected shape [2, 3], received shape [3]"))
    }

    @Test func linearWrongInputWidth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Linear<Double>(inputFeatures: 3, outputFeatures: 2)(.zeros([4, 5]))
        }
        #expect(standardError(of: result).contains("invalid input: expected last extent 3, received shape [4, 5]"))
    }

    @Test func layerNormWrongWidth() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = LayerNorm<Double>(size: 3)(.zeros([2, 4]))
        }
        #expect(standardError(of: result).contains("invalid input: expected last extent 3, received shape [2, 4]"))
    }

    @Test func dropoutOutsideTheUnitInterval() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Dropout<Double>(probability: 1)
        }
        #expect(standardError(of: result).contains("invalid probability: expected a probability in [0, 1), received 1.0"))
    }

    @Test func negativeLearningRate() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD<Double>(parameters: [], learningRate: -0.1)
        }
        #expect(standardError(of: result).contains("invalid learningRate: expected a finite value >= 0, received -0.1"))
    }

    @Test func nesterovWithoutMomentum() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD<Double>(parameters: [], learningRate: 0.1, nesterov: true)
        }
        #expect(standardError(of: result).contains("invalid nesterov: expected false unless momentum > 0"))
    }

    @Test func adamBetaOutOfRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = AdamW<Double>(parameters: [], beta2: 1)
        }
        #expect(standardError(of: result).contains("invalid beta2: expected a value in [0, 1), received 1.0"))
    }

    @Test func negativeWeightDecay() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Adam<Double>(parameters: [], weightDecay: -1)
        }
        #expect(standardError(of: result).contains("invalid weightDecay: expected a finite value >= 0, received -1.0"))
    }

    @Test func clippingNeedsAPositiveNorm() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            clipGradientNorm([Tensor<Double>](), maxNorm: 0)
        }
        #expect(standardError(of: result).contains("invalid maxNorm: expected a value > 0, received 0.0"))
    }

    @Test func warmupLongerThanTheSchedule() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = WarmupCosineSchedule(peakLearningRate: 1, warmupSteps: 10, totalSteps: 10)
        }
        #expect(standardError(of: result).contains("invalid warmupSteps: expected a value in 0..<totalSteps (10), received 10"))
    }
}
