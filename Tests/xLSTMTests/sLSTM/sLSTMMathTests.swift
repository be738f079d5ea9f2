import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// The stabilized gating against the naive formula, its invariants, and
/// its behaviour far out where the naive formula overflows.
@Suite struct sLSTMMathTests {
    /// The unstabilized recurrence, written independently of the library
    /// (full recurrent matrix assembled from the heads): i = exp(i~),
    /// f = exp(log f), from c = n = 0.
    func naive(_ model: sLSTM<Double>, _ x: Tensor<Double>, forgetGate: ForgetGate) -> [Double] {
        let (T, B, D) = (x.shape[0], x.shape[1], x.shape[2])
        let (H, K) = (model.hiddenSize, model.numHeads)
        let d = H / K
        let W = model.namedParameters[0].tensor.scalars
        let R = model.namedParameters[1].tensor.scalars
        let bias = model.namedParameters[2].tensor.scalars
        var full = [Double](repeating: 0, count: 4 * H * H)  // (4H, H)
        for k in 0..<K { for g in 0..<4 { for j in 0..<d { for e in 0..<d {
            full[(g * H + k * d + j) * H + k * d + e] = R[(k * 4 * d + g * d + j) * d + e]
        } } } }
        var outputs = [Double](repeating: 0, count: T * B * H)
        for b in 0..<B {
            var (h, c, n) = ([Double](repeating: 0, count: H), [Double](repeating: 0, count: H), [Double](repeating: 0, count: H))
            for t in 0..<T {
                var pre = bias
                for r in 0..<(4 * H) {
                    for e in 0..<D { pre[r] += W[r * D + e] * x.scalars[(t * B + b) * D + e] }
                    for e in 0..<H { pre[r] += full[r * H + e] * h[e] }
                }
                for u in 0..<H {
                    let i = exp(pre[u])
                    let f = forgetGate == .exponential ? exp(pre[H + u]) : 1 / (1 + exp(-pre[H + u]))
                    let z = tanh(pre[2 * H + u])
                    let o = 1 / (1 + exp(-pre[3 * H + u]))
                    c[u] = f * c[u] + i * z
                    n[u] = f * n[u] + i
                    h[u] = o * c[u] / n[u]
                    outputs[(t * B + b) * H + u] = h[u]
                }
            }
        }
        return outputs
    }

    @Test(arguments: ForgetGate.allCases, [1, 2, 3])
    func stabilizedEqualsNaiveWhereItDoesNotOverflow(forgetGate: ForgetGate, heads: Int) throws {
        let model = makesLSTM(numHeads: heads, forgetGate: forgetGate, scale: 3)
        let x = random([9, 2, 3], seed: 3)
        let expected = naive(model, x, forgetGate: forgetGate)
        #expect(expected.allSatisfy { $0.isFinite })
        expectClose(model(x).outputs.scalars, expected, .sameMath(Double.self), "outputs")
    }

    @Test func pointwiseInvariantsOverAWideRange() throws {
        var generator = Xoshiro256(seed: 4)
        for forgetGate in ForgetGate.allCases {
            for _ in 0..<20_000 {
                let values = (0..<4).map { _ in Double.random(in: -80...80, using: &generator) }
                let pre = sLSTMReference.Gates(values, 0, 1)
                let n = Bool.random(using: &generator) ? 0 : Double.random(in: 1...50, using: &generator)
                let c = n * Double.random(in: -1...1, using: &generator)
                let m = Double.random(in: -60...60, using: &generator)
                let cell = sLSTMReference.pointwise(forgetGate, pre, c: c, n: n, m: m)
                #expect(max(cell.i, cell.f) == 1)
                #expect(cell.n >= 1)
                #expect(abs(cell.c) <= cell.n)
                #expect(abs(cell.h) <= 1)
                if n == 0 { #expect(cell.f == 0 && cell.i == 1 && cell.m == pre.i) }
            }
        }
    }

    @Test func sequenceInvariantsStepByStep() throws {
        let cell = sLSTMCell<Double>(inputSize: 3, hiddenSize: 6, numHeads: 2)
        for parameter in cell.parameters { parameter.scalars = parameter.scalars.map { $0 * 10 } }
        let x = random([12, 4, 3], seed: 5, scale: 3)
        var state: sLSTMState<Double>? = nil
        for t in 0..<12 {
            let (h, next) = cell(steps(x, t..<(t + 1)).reshaped([4, 3]), state)
            #expect(next.n.scalars.allSatisfy { $0 >= 1 })
            #expect(zip(next.c.scalars, next.n.scalars).allSatisfy { abs($0) <= $1 })
            #expect(h.scalars.allSatisfy { abs($0) <= 1 })
            state = next
        }
    }

    @Test(arguments: ForgetGate.allCases)
    func floatStaysFiniteWithPreactivationsAtTenThousand(forgetGate: ForgetGate) throws {
        let model = makesLSTM(Float.self, numLayers: 2, numHeads: 2, forgetGate: forgetGate, scale: 4000)
        let x = Tensor<Float>.randomNormal([6, 3, 3], standardDeviation: 2, requiresGrad: true)
        let (outputs, final) = model(x)
        #expect(outputs.scalars.allSatisfy { $0.isFinite })
        #expect(outputs.scalars.allSatisfy { abs($0) <= 1 })
        for (name, tensor) in final.named { #expect(tensor.scalars.allSatisfy { $0.isFinite }, "\(name)") }
        (outputs.sum() + final.h.sum() + final.c.sum() + final.n.sum()).backward()
        for (name, parameter) in model.namedParameters + [("x", x)] {
            #expect(parameter.grad?.scalars.allSatisfy { $0.isFinite } == true, "\(name)")
        }
    }

    @Test func firstStepRuleIsPerElement() throws {
        // Where n0 == 0 the unit starts afresh: its c0 and m0 are never read.
        let model = makesLSTM(numHeads: 2)
        let x = random([4, 2, 3], seed: 6)
        let state = randomState([1, 2, 6], seed: 7)
        let fresh = [1, 4, 6, 11]
        for index in fresh { state.n.scalars[index] = 0 }
        let (outputs, final) = model(x, state)
        let altered = sLSTMState(
            h: state.h.detached(), c: state.c.detached(), n: state.n.detached(), m: state.m.detached())
        for index in fresh {
            altered.c.scalars[index] = 5
            altered.m.scalars[index] = -7
        }
        let (outputsAltered, finalAltered) = model(x, altered)
        #expect(outputs.scalars == outputsAltered.scalars)
        #expect(final.c.scalars == finalAltered.c.scalars && final.m.scalars == finalAltered.m.scalars)
        // ... and they get no gradient there.
        for tensor in [state.c, state.n, state.m] { tensor.requiresGrad = true }
        let (o, f) = model(x, state)
        objective(o, f).backward()
        for index in fresh {
            #expect(state.c.grad!.scalars[index] == 0)
            #expect(state.n.grad!.scalars[index] == 0)
            #expect(state.m.grad!.scalars[index] == 0)
        }
        #expect(state.m.grad!.scalars.contains { $0 != 0 })
    }
}
