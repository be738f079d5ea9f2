import TestSupport
import Testing
import xLSTMTensor

/// The graph is freed by backward, a second backward through it is an error
/// unless retained, a tensor changed after the forward is caught at
/// backward, and a custom backward's gradients are checked.
@Suite struct GraphSafetyTests {
    @Test func backwardFreesWhatTheForwardSaved() throws {
        let x = Tensor<Double>([1, 2, 3], requiresGrad: true)
        weak var intermediate: Tensor<Double>?
        let loss: Tensor<Double> = {
            let y = x * x
            intermediate = y
            return y.sum()
        }()
        #expect(intermediate != nil)
        loss.backward()
        #expect(intermediate == nil)
        #expect(x.grad?.scalars == [2, 4, 6])
    }

    @Test func retainGraphKeepsItAndTheSecondPassAdds() throws {
        let x = Tensor<Double>([1, 2, 3], requiresGrad: true)
        let loss = (x * x).sum()
        loss.backward(retainGraph: true)
        loss.backward()
        #expect(x.grad?.scalars == [4, 8, 12])
    }

    @Test func aSecondBackwardThroughAFreedGraphStops() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor<Double>([1, 2], requiresGrad: true)
            let loss = (x * x).sum()
            loss.backward()
            loss.backward()
        }
        #expect(standardError(of: result).contains(
            "invalid backward(): expected a graph that no earlier backward() has freed (pass retainGraph: true"))
    }

    @Test func changingAnInputAfterTheForwardStopsTheBackward() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let w = Tensor<Double>([1, 2], requiresGrad: true)
            let loss = (w * w).sum()
            try w.assign([3, 4])
            loss.backward()
        }
        #expect(standardError(of: result).contains(
            "invalid backward(): expected the tensors the forward pass read to be unchanged (one of shape [2] was read at version 0), received version 1"))
    }

    @Test func versionCountsEveryChangeOfValues() throws {
        let t = Tensor<Double>.zeros([2, 2])
        #expect(t.version == 0)
        t[1, 0] = 5
        try t.assign([1, 2, 3, 4])
        try t.assign(Tensor.ones([2, 2]))
        #expect(t.version == 3)
        _ = t + t
        #expect(t.version == 3)
    }

    @Test func aCustomBackwardMustReturnOneGradientPerInput() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Tensor<Double>([1, 2], requiresGrad: true)
            let b = Tensor<Double>([3, 4], requiresGrad: true)
            let out = Tensor<Double>([0, 0])
            recordOperation(outputs: [out], inputs: [a, b]) { _ in [Tensor.ones([2])] }
            out.backward(Tensor.ones([2]))
        }
        #expect(standardError(of: result).contains(
            "invalid gradients of a recorded operation: expected 2 (one per input, nil for none), received 1"))
    }

    @Test func aCustomBackwardMustKeepEachInputsShape() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let a = Tensor<Double>([1, 2], requiresGrad: true)
            let out = Tensor<Double>([0, 0])
            recordOperation(outputs: [out], inputs: [a]) { _ in [Tensor.ones([2, 1])] }
            out.backward(Tensor.ones([2]))
        }
        #expect(standardError(of: result).contains(
            "invalid gradients[0] of a recorded operation: expected shape [2] (its input's), received shape [2, 1]"))
    }
}
