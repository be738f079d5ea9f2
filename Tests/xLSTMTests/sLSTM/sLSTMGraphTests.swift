import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// Truncated BPTT: a detached state cuts the graph; carrying an undetached
/// state into a second backward stops with the advice to detach.
@Suite struct sLSTMGraphTests {
    /// Chunk 2's gradients with the detached state equal those of a fresh
    /// model run that starts from the same state values as constants.
    @Test func aDetachedStateCutsTheGraphAtTheChunkBoundary() throws {
        let slstm = makesLSTM(inputSize: 3, hiddenSize: 6, numLayers: 2, numHeads: 2)
        let first = random([4, 2, 3], seed: 1)
        let second = random([5, 2, 3], seed: 2)
        let (outputs, state) = slstm(first)
        weightedSum(outputs, seed: 3).backward()
        slstm.zeroGrad()
        let carried = state.detached()
        #expect(carried.h.requiresGrad == false)
        weightedSum(slstm(second, carried).outputs, seed: 4).backward()
        let chained = slstm.parameters.map { $0.grad!.scalars }

        let constant = sLSTMState(
            h: state.h.detached(), c: state.c.detached(), n: state.n.detached(), m: state.m.detached())
        slstm.zeroGrad()
        weightedSum(slstm(second, constant).outputs, seed: 4).backward()
        for (index, parameter) in slstm.parameters.enumerated() {
            expectClose(chained[index], parameter.grad!.scalars, .sameMath(Double.self), "parameter \(index)")
        }
    }

    @Test func anUndetachedStateInASecondBackwardStopsWithAdvice() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let slstm = sLSTM(inputSize: 2, hiddenSize: 4)
            let (outputs, state) = slstm(.ones([3, 1, 2]))
            outputs.sum().backward()
            slstm(.ones([3, 1, 2]), state).outputs.sum().backward()
        }
        #expect(standardError(of: result).contains("to carry a state across truncated-BPTT chunks, carry state.detached()"))
    }

    @Test func aConfigurationFromDataThrows() throws {
        let json = #"{"inputSize":4,"hiddenSize":64,"numLayers":1,"dropout":0,"numHeads":3,"bias":true,"#
            + #""batchFirst":false,"bidirectional":false,"forgetGate":"exponential"}"#
        let configuration = try JSONDecoder().decode(sLSTMConfiguration.self, from: Data(json.utf8))
        #expect(throws: xLSTMError(argument: "hiddenSize", expected: "a multiple of numHeads (3)", received: "64")) {
            try sLSTM<Float>(configuration: configuration)
        }
    }
}
