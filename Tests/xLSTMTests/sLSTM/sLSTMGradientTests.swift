import TestSupport
import Testing
@testable import xLSTM

/// The anchor of trust: the reference sLSTM's hand-written BPTT against
/// central finite differences in Double, for the input, every weight and
/// every initial-state tensor.
@Suite struct sLSTMGradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var forgetGate = ForgetGate.exponential
        var heads = 1
        var layers = 1
        var bidirectional = false
        var bias = true
        var lengths: [Int]? = nil
        var scale = 1.0
        var testDescription: String {
            "\(forgetGate) K=\(heads) L=\(layers) bi=\(bidirectional) bias=\(bias) lengths=\(lengths ?? []) scale=\(scale)"
        }
    }

    static let cases: [Case] = [
        Case(),
        Case(forgetGate: .sigmoid, heads: 3),
        Case(heads: 3, layers: 2),
        Case(forgetGate: .sigmoid, heads: 2, bidirectional: true),
        Case(heads: 2, layers: 2, bidirectional: true, lengths: [5, 3]),
        Case(forgetGate: .sigmoid, bias: false),
        Case(heads: 2, scale: 6),
        Case(forgetGate: .sigmoid, heads: 3, scale: 6),
    ]

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ config: Case) throws {
        let model = makesLSTM(
            numLayers: config.layers, numHeads: config.heads, bias: config.bias,
            bidirectional: config.bidirectional, forgetGate: config.forgetGate, scale: config.scale)
        let x = random([5, 2, 3], seed: 7)
        let state = randomState([config.layers * (config.bidirectional ? 2 : 1), 2, 6], seed: 8)
        let reference = withoutGradients { model(x, state, lengths: config.lengths).state.m }
        checkGradients(of: [("x", x)] + model.namedParameters + stateInputs(state)) {
            let (outputs, final) = model(x, state, lengths: config.lengths)
            return objective(outputs, final, reference: reference)
        }
    }

    @Test func gradientsFromTheZeroStateAndTimeStepOne() throws {
        let model = makesLSTM(numHeads: 2)
        for steps in [1, 4] {
            let x = random([steps, 3, 3], seed: 9)
            let reference = withoutGradients { model(x).state.m }
            checkGradients(of: [("x", x)] + model.namedParameters) {
                let (outputs, final) = model(x)
                return objective(outputs, final, reference: reference)
            }
        }
    }
}
