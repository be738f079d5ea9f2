import TestSupport
import Testing
@testable import xLSTM

/// Bad input is reported with the argument, the expected and the received value.
@Suite struct sLSTMErrorTests {
    let model = makesLSTM(numLayers: 2, numHeads: 2)

    func expectError(_ expected: xLSTMError, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(throws: expected, sourceLocation: sourceLocation, performing: body)
    }

    @Test func wrongInputRank() throws {
        expectError(xLSTMError(argument: "input", expected: "rank 3 (T, B, D) or rank 2 (T, D)", received: "shape [5]")) {
            _ = try model.forward(.zeros([5]))
        }
        let batchFirst = makesLSTM(batchFirst: true)
        expectError(xLSTMError(argument: "input", expected: "rank 3 (B, T, D) or rank 2 (T, D)", received: "shape [1, 2, 3, 4]")) {
            _ = try batchFirst.forward(.zeros([1, 2, 3, 4]))
        }
    }

    @Test func featureSizeMismatch() throws {
        expectError(xLSTMError(argument: "input", expected: "last extent inputSize (3)", received: "shape [4, 2, 5]")) {
            _ = try model.forward(.zeros([4, 2, 5]))
        }
        let cell = sLSTMCell<Double>(inputSize: 3, hiddenSize: 4)
        expectError(xLSTMError(argument: "input", expected: "last extent inputSize (3)", received: "shape [2, 4]")) {
            _ = try cell.step(.zeros([2, 4]))
        }
    }

    @Test func emptySequences() throws {
        expectError(xLSTMError(argument: "input", expected: "at least one time step", received: "shape [0, 2, 3]")) {
            _ = try model.forward(.zeros([0, 2, 3]))
        }
    }

    @Test func stateWithWrongShapeOrCount() throws {
        let x = Tensor<Double>.zeros([4, 2, 3])
        var state = sLSTMState<Double>.zeros([2, 2, 6])
        state.n = .zeros([1, 2, 6])
        expectError(xLSTMError(argument: "state.n", expected: "shape [2, 2, 6]", received: "shape [1, 2, 6]")) {
            _ = try model.forward(x, state: state)
        }
        expectError(xLSTMError(argument: "state.h", expected: "shape [2, 2, 6]", received: "shape [2, 3, 6]")) {
            _ = try model.forward(x, state: .zeros([2, 3, 6]))
        }
        let cell = sLSTMCell<Double>(inputSize: 3, hiddenSize: 4)
        expectError(xLSTMError(argument: "state.h", expected: "shape [2, 4]", received: "shape [4]")) {
            _ = try cell.step(.zeros([2, 3]), state: .zeros([4]))
        }
    }

    @Test func lengthsOutOfRangeOrNotMatchingTheBatch() throws {
        let x = Tensor<Double>.zeros([4, 2, 3])
        expectError(xLSTMError(argument: "lengths", expected: "2 lengths (one per sequence)", received: "3")) {
            _ = try model.forward(x, lengths: [4, 4, 4])
        }
        expectError(xLSTMError(argument: "lengths[1]", expected: "a length in 1...4", received: "5")) {
            _ = try model.forward(x, lengths: [4, 5])
        }
        expectError(xLSTMError(argument: "lengths[0]", expected: "a length in 1...4", received: "0")) {
            _ = try model.forward(x, lengths: [0, 4])
        }
    }

    @Test func configurationChecks() throws {
        expectError(xLSTMError(argument: "hiddenSize", expected: "a multiple of numHeads (4)", received: "6")) {
            try sLSTMConfiguration(inputSize: 3, hiddenSize: 6, numHeads: 4).validate()
        }
        expectError(xLSTMError(argument: "dropout", expected: "a probability in [0, 1)", received: "1.5")) {
            try sLSTMConfiguration(inputSize: 3, hiddenSize: 6, dropout: 1.5).validate()
        }
        expectError(xLSTMError(argument: "dropout", expected: "a probability in [0, 1)", received: "-0.1")) {
            try sLSTMConfiguration(inputSize: 3, hiddenSize: 6, dropout: -0.1).validate()
        }
        expectError(xLSTMError(argument: "numLayers", expected: "at least 1", received: "0")) {
            try sLSTMConfiguration(inputSize: 3, hiddenSize: 6, numLayers: 0).validate()
        }
        expectError(xLSTMError(argument: "inputSize", expected: "a positive size", received: "0")) {
            try sLSTMConfiguration(inputSize: 0, hiddenSize: 6).validate()
        }
    }

    @Test func constructorsStopOnBadArguments() async throws {
        let divisible = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = sLSTM(inputSize: 3, hiddenSize: 6, numHeads: 4)
        }
        #expect(standardError(of: divisible).contains("invalid hiddenSize: expected a multiple of numHeads (4), received 6"))
        let dropout = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = sLSTM(inputSize: 3, hiddenSize: 6, numLayers: 2, dropout: 1)
        }
        #expect(standardError(of: dropout).contains("invalid dropout: expected a probability in [0, 1), received 1.0"))
        let cell = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = sLSTMCell(inputSize: 3, hiddenSize: 5, numHeads: 2)
        }
        #expect(standardError(of: cell).contains("invalid hiddenSize: expected a multiple of numHeads (2), received 5"))
    }

    @Test func callingWithBadInputStops() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let model = sLSTM(inputSize: 3, hiddenSize: 4)
            _ = model(.zeros([4, 2, 7]))
        }
        #expect(standardError(of: result).contains("invalid input: expected last extent inputSize (3), received shape [4, 2, 7]"))
    }
}
