import TestSupport
import Testing
@testable import xLSTM

/// The mLSTM's parallel, chunkwise and recurrent forms against the
/// plain-loop reference (Double), for odd T, T not a multiple of the chunk,
/// q/k head size different from v head size and a carried state; their
/// gradients against finite differences.
@Suite struct mLSTMFormsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var batch = 2, heads = 2, steps = 7, qkSize = 3, vSize = 5, chunk = 3
        var carried = false
        /// Scales the gate pre-activations (large: the stabilizer's territory).
        var gateScale = 1.0
        var testDescription: String {
            "B=\(batch) K=\(heads) T=\(steps) dqk=\(qkSize) dv=\(vSize) L=\(chunk) carried=\(carried) gates x\(gateScale)"
        }
    }

    static let cases: [Case] = [
        Case(), Case(steps: 1, chunk: 4), Case(steps: 9, qkSize: 4, vSize: 2, chunk: 4, carried: true),
        Case(batch: 1, heads: 3, steps: 5, qkSize: 2, vSize: 2, chunk: 5), Case(steps: 11, chunk: 2, carried: true, gateScale: 20),
    ]

    static func inputs(_ c: Case, seed: UInt64) -> mLSTMInputs<Double> {
        var generator = Xoshiro256(seed: seed)
        func draw(_ shape: [Int], _ scale: Double = 1) -> Tensor<Double> {
            .randomNormal(shape, standardDeviation: scale, using: &generator)
        }
        let (b, k, t) = (c.batch, c.heads, c.steps)
        let initial: mLSTMState<Double> =
            c.carried
            ? mLSTMState(C: draw([b, k, c.qkSize, c.vSize]), n: draw([b, k, c.qkSize]), m: draw([b, k]))
            : .zeros(batch: b, heads: k, qkHeadSize: c.qkSize, vHeadSize: c.vSize)
        return mLSTMInputs(
            q: draw([b, k, t, c.qkSize]), k: draw([b, k, t, c.qkSize]), v: draw([b, k, t, c.vSize]),
            inputGate: draw([b, k, t], c.gateScale), forgetGate: draw([b, k, t], c.gateScale) + 2, initial: initial)
    }

    @Test(arguments: cases)
    func everyFormEqualsTheReference(_ c: Case) throws {
        let inputs = Self.inputs(c, seed: 1)
        let reference = mLSTMReference.run(inputs, epsilon: 1e-6)
        let geometry = mLSTMGeometry(chunkSize: c.chunk, epsilon: 1e-6)
        let forms: [(String, mLSTMPass<Double>)] = [
            ("parallel", mLSTMParallel.run(geometry, inputs)), ("chunkwise", mLSTMChunkwise.run(geometry, inputs)),
            ("recurrent", mLSTMRecurrent.run(geometry, inputs)),
        ]
        let unrecorded = withoutGradients { mLSTMRecurrent.run(geometry, inputs) }
        for (name, pass) in forms + [("recurrent without gradients", unrecorded)] {
            expectClose(pass.outputs.scalars, reference.outputs, .sameMath(Double.self), "\(name) outputs")
            expectClose(pass.final.C.scalars, reference.C, .sameMath(Double.self), "\(name) C")
            expectClose(pass.final.n.scalars, reference.n, .sameMath(Double.self), "\(name) n")
            expectClose(pass.final.m.scalars, reference.m, .sameMath(Double.self), "\(name) m")
        }
    }

    /// The generation step (``mLSTMStep``, what the recurrent form runs
    /// without gradients) in Float, at head sizes that are not multiples of
    /// a vector, against the reference in Float: the same arithmetic in the
    /// same order, so the same bits.
    @Test func theGenerationStepEqualsTheReferenceInFloat() {
        let c = Case(batch: 2, heads: 3, steps: 6, qkSize: 17, vSize: 40, carried: true, gateScale: 5)
        let double = Self.inputs(c, seed: 7)
        func float(_ t: Tensor<Double>) -> Tensor<Float> { Tensor(validatedShape: t.shape, scalars: t.scalars.map { Float($0) }) }
        let inputs = mLSTMInputs(
            q: float(double.q), k: float(double.k), v: float(double.v), inputGate: float(double.inputGate),
            forgetGate: float(double.forgetGate),
            initial: mLSTMState(C: float(double.initial.C), n: float(double.initial.n), m: float(double.initial.m)))
        let reference = mLSTMReference.run(inputs, epsilon: 1e-6)
        let step = mLSTMStep.run(inputs, epsilon: 1e-6)
        #expect(step.outputs == reference.outputs && step.C == reference.C && step.n == reference.n && step.m == reference.m)
    }

    /// Gradients of every input and of the initial state, for the chunkwise
    /// form (whose backward holds chunk-sized matrices only) and the recurrent one.
    @Test(arguments: [cases[0], cases[2], cases[4]])
    func gradientsMatchFiniteDifferences(_ c: Case) throws {
        let inputs = Self.inputs(Case(batch: c.batch, heads: c.heads, steps: c.steps, qkSize: c.qkSize, vSize: c.vSize,
                                      chunk: c.chunk, carried: true, gateScale: c.gateScale), seed: 2)
        let tensors = [
            ("q", inputs.q), ("k", inputs.k), ("v", inputs.v), ("inputGate", inputs.inputGate),
            ("forgetGate", inputs.forgetGate), ("C0", inputs.initial.C), ("n0", inputs.initial.n), ("m0", inputs.initial.m),
        ]
        for chunk in [c.chunk, 1] {
            let geometry = mLSTMGeometry(chunkSize: chunk, epsilon: 1e-6)
            checkGradients(of: tensors) {
                let pass = mLSTMChunkwise.run(geometry, inputs)
                return weightedSum(pass.outputs, seed: 3) + weightedSum(pass.final.C, seed: 4)
                    + weightedSum(pass.final.n, seed: 5) + weightedSum(pass.final.m, seed: 6)
            }
        }
    }
}
