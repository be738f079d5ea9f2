import TestSupport
import Testing
@testable import xLSTM

/// Inf and NaN in the input: both backends give the same answer, NaN where
/// the math has none, confined to the rows that hold the bad value; bad
/// initial states are rejected by name.
@Suite struct sLSTMNonFiniteTests {
    /// (T = 6, B = 4, D = 5): row 0 clean, row 1 +inf at t = 2, row 2 NaN at
    /// t = 3, row 3 -inf in every feature at t = 0.
    static func poisonedInput() -> Tensor<Float> {
        var generator = Xoshiro256(seed: 5)
        let x = Tensor<Float>.randomNormal([6, 4, 5], using: &generator)
        x[2, 1, 3] = .infinity
        x[3, 2, 0] = .nan
        for feature in 0..<5 { x[0, 3, feature] = -.infinity }
        return x
    }

    /// Equal NaN positions, equal infinities, and finite values within `tolerance`.
    func expectSameAnswer(_ a: [Float], _ b: [Float], _ what: String) {
        #expect(a.map(\.isNaN) == b.map(\.isNaN), "\(what): NaN positions")
        let finite = a.indices.filter { !a[$0].isNaN && !b[$0].isNaN }
        expectClose(finite.map { a[$0] }, finite.map { b[$0] }, .fastAgainstReference, what)
    }

    @Test(arguments: [(ForgetGate.exponential, 1), (.sigmoid, 2)])
    func bothBackendsAgreeOnInfAndNaN(forgetGate: ForgetGate, heads: Int) throws {
        let fast = makesLSTM(Float.self, inputSize: 5, hiddenSize: 8, numLayers: 2, numHeads: heads, forgetGate: forgetGate)
        let reference = makesLSTM(Float.self, inputSize: 5, hiddenSize: 8, numLayers: 2, numHeads: heads, forgetGate: forgetGate)
        fast.backend = .fast
        reference.backend = .reference
        let x = Self.poisonedInput()
        let (fastOutputs, fastState) = try withoutGradients { try fast.forward(x) }
        let (referenceOutputs, referenceState) = try withoutGradients { try reference.forward(x) }
        expectSameAnswer(fastOutputs.scalars, referenceOutputs.scalars, "outputs")
        for (name, a, b) in [("h", fastState.h, referenceState.h), ("c", fastState.c, referenceState.c),
                             ("n", fastState.n, referenceState.n)] {
            expectSameAnswer(a.scalars, b.scalars, "final \(name)")
        }
        // The math has no finite answer once +inf reaches the gates: row 1 from t = 2 on.
        #expect((0..<8).contains { referenceOutputs[2, 1, $0].isNaN })
        // Confined: row 0 equals row 0 run alone, and rows 1 and 2 are finite before their bad step.
        let clean = try withoutGradients { try reference.forward(x.slice(alongAxis: 1, 0..<1)) }.outputs
        expectClose(referenceOutputs.slice(alongAxis: 1, 0..<1), clean, .sameMath(Float.self), "clean row")
        for (row, badStep) in [(1, 2), (2, 3)] {
            for step in 0..<badStep {
                #expect((0..<8).allSatisfy { referenceOutputs[step, row, $0].isFinite && fastOutputs[step, row, $0].isFinite })
            }
        }
    }

    @Test func aNegativeNormalizerIsRejectedByName() throws {
        let slstm = makesLSTM(Float.self, inputSize: 2, hiddenSize: 3)
        let state = sLSTMState<Float>.zeros([1, 2, 3])
        state.n[0, 1, 2] = -0.5
        let error = #expect(throws: xLSTMError.self) { try slstm.forward(.zeros([4, 2, 2]), state: state) }
        #expect(error?.description == "invalid state.n: expected a normalizer >= 0 in every element, received -0.5 at element 5")
    }

    @Test func nonFiniteStatesAreRejectedByName() throws {
        let cell = sLSTMCell(inputSize: 2, hiddenSize: 3)
        for (name, value) in [("h", Float.nan), ("c", .infinity), ("m", -.infinity)] {
            let state = sLSTMState<Float>.zeros([3])
            switch name {
            case "h": state.h[1] = value
            case "c": state.c[1] = value
            default: state.m[1] = value
            }
            let error = #expect(throws: xLSTMError.self) { try cell.step(.zeros([2]), state: state) }
            #expect(error?.description == "invalid state.\(name): expected finite values, received \(value) at element 1")
        }
    }
}
