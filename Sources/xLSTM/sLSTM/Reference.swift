import xLSTMNN
import xLSTMTensor

/// The reference sLSTM: DESIGN section 1 as the plainest loops, generic over
/// `Float` and `Double`. It is the ground truth every other kernel is tested
/// against, and it is itself tested against finite differences; keep it
/// simple rather than fast.
enum sLSTMReference<Scalar: TensorScalar>: sLSTMKernel {
    /// Runs one layer in one direction and returns outputs, final state and
    /// the matching backward.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func run(
        _ geometry: sLSTMLayerGeometry, _ inputs: sLSTMLayerInputs<Scalar>
    ) -> sLSTMLayerPass<Scalar> {
        let (T, B, H) = (geometry.steps, geometry.batch, geometry.hiddenSize)
        // states[s] is the state after s loop steps; preactivations[s] holds
        // the gates of loop step s, (B, 4H).
        var states = [inputs.initial]
        var preactivations: [[Scalar]] = []
        var outputs = [Scalar](repeating: 0, count: T * B * H)
        for step in 0..<T {
            var state = states[step]
            var gates = [Scalar](repeating: 0, count: B * 4 * H)
            for row in 0..<B {
                guard let time = geometry.time(step: step, row: row) else { continue }
                let previous = states[step]
                for unit in 0..<H {
                    for gate in 0..<4 {
                        gates[row * 4 * H + gate * H + unit] = preactivation(
                            geometry, inputs, gate: gate, unit: unit, time: time, row: row, h: previous.h)
                    }
                    let at = row * H + unit
                    let cell = pointwise(
                        geometry.forgetGate, Gates(gates, row * 4 * H + unit, H),
                        c: previous.c[at], n: previous.n[at], m: previous.m[at])
                    state.c[at] = cell.c
                    state.n[at] = cell.n
                    state.m[at] = cell.m
                    state.h[at] = cell.h
                    outputs[(time * B + row) * H + unit] = cell.h
                }
            }
            states.append(state)
            preactivations.append(gates)
        }
        return sLSTMLayerPass(outputs: outputs, final: states[T]) { upstream in
            backward(geometry, inputs, states: states, preactivations: preactivations, upstream: upstream)
        }
    }

    /// `g~ = W x_t + R h_{t-1} + b` for one gate of one unit.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func preactivation(
        _ geometry: sLSTMLayerGeometry, _ inputs: sLSTMLayerInputs<Scalar>,
        gate: Int, unit: Int, time: Int, row: Int, h: [Scalar]
    ) -> Scalar {
        let (B, D, H, d) = (geometry.batch, geometry.inputSize, geometry.hiddenSize, geometry.headSize)
        let (head, j) = (unit / d, unit % d)
        var sum = inputs.bias[gate * H + unit]
        for e in 0..<D {
            sum += inputs.inputWeights[(gate * H + unit) * D + e] * inputs.x[(time * B + row) * D + e]
        }
        for e in 0..<d {
            sum += inputs.recurrentWeights[(head * 4 * d + gate * d + j) * d + e] * h[row * H + head * d + e]
        }
        return sum
    }

    /// The four pre-activations of one unit at one step.
    struct Gates {
        var i, f, z, o: Scalar

        init(i: Scalar, f: Scalar, z: Scalar, o: Scalar) {
            (self.i, self.f, self.z, self.o) = (i, f, z, o)
        }

        /// Reads gate `g` at `start + g * stride` of a gate-major array.
        init(_ values: [Scalar], _ start: Int, _ stride: Int) {
            self.init(i: values[start], f: values[start + stride], z: values[start + 2 * stride], o: values[start + 3 * stride])
        }
    }

    /// The activated gates and new cell of one unit at one step.
    struct Cell {
        var i, f, z, o, c, n, m, h: Scalar
    }

    /// Stabilized exponential gating with the per-element first-step rule.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func pointwise(
        _ forgetGate: ForgetGate, _ pre: Gates, c: Scalar, n: Scalar, m: Scalar
    ) -> Cell {
        let logF = forgetGate == .exponential ? pre.f : Scalar.logSigmoid(pre.f)
        let mNew = n == 0 ? pre.i : Swift.max(pre.i, logF + m)
        let i = Scalar.exp(pre.i - mNew)
        let f = n == 0 ? 0 : Scalar.exp(logF + m - mNew)
        let z = Scalar.tanh(pre.z)
        let o = Scalar.sigmoid(pre.o)
        let cNew = f * c + i * z
        let nNew = f * n + i
        return Cell(i: i, f: f, z: z, o: o, c: cNew, n: nNew, m: mNew, h: o * cNew / nNew)
    }

    /// Backpropagation through time with every m_t (t >= 1) held constant.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private static func backward(
        _ geometry: sLSTMLayerGeometry, _ inputs: sLSTMLayerInputs<Scalar>,
        states: [sLSTMLayerState<Scalar>], preactivations: [[Scalar]],
        upstream: sLSTMLayerUpstream<Scalar>
    ) -> sLSTMLayerGradients<Scalar> {
        let (T, B, D, H, d) = (
            geometry.steps, geometry.batch, geometry.inputSize, geometry.hiddenSize, geometry.headSize
        )
        let zerosBH = [Scalar](repeating: 0, count: B * H)
        var dh = upstream.h ?? zerosBH
        var dc = upstream.c ?? zerosBH
        var dn = upstream.n ?? zerosBH
        var dm0 = zerosBH
        var grads = sLSTMLayerGradients(
            x: [Scalar](repeating: 0, count: inputs.x.count),
            inputWeights: [Scalar](repeating: 0, count: inputs.inputWeights.count),
            recurrentWeights: [Scalar](repeating: 0, count: inputs.recurrentWeights.count),
            bias: [Scalar](repeating: 0, count: inputs.bias.count),
            initial: sLSTMLayerState(h: zerosBH, c: zerosBH, n: zerosBH, m: zerosBH))
        for step in (0..<T).reversed() {
            let previous = states[step]
            for row in 0..<B {
                guard let time = geometry.time(step: step, row: row) else { continue }
                var dGates = [Scalar](repeating: 0, count: 4 * H)
                for unit in 0..<H {
                    let at = row * H + unit
                    let pre = Gates(preactivations[step], row * 4 * H + unit, H)
                    let cell = pointwise(
                        geometry.forgetGate, pre, c: previous.c[at], n: previous.n[at], m: previous.m[at])
                    let dhTotal = dh[at] + (upstream.outputs?[(time * B + row) * H + unit] ?? 0)
                    let ratio = cell.c / cell.n
                    let dOutputGate = dhTotal * ratio * cell.o * (1 - cell.o)
                    let dcTotal = dc[at] + dhTotal * cell.o / cell.n
                    let dnTotal = dn[at] - dhTotal * cell.o * ratio / cell.n
                    let dCellInput = dcTotal * cell.i * (1 - cell.z * cell.z)
                    let dInputGate = (dcTotal * cell.z + dnTotal) * cell.i
                    let dLogF =
                        previous.n[at] == 0 ? 0 : (dcTotal * previous.c[at] + dnTotal * previous.n[at]) * cell.f
                    let dForgetGate =
                        geometry.forgetGate == .exponential ? dLogF : dLogF * Scalar.sigmoid(-pre.f)
                    if step == 0 { dm0[at] = dLogF }
                    dc[at] = dcTotal * cell.f
                    dn[at] = dnTotal * cell.f
                    dGates[unit] = dInputGate
                    dGates[H + unit] = dForgetGate
                    dGates[2 * H + unit] = dCellInput
                    dGates[3 * H + unit] = dOutputGate
                }
                // Recurrent and input products, per head and gate.
                var dhPrevious = [Scalar](repeating: 0, count: H)
                for unit in 0..<H {
                    let (head, j) = (unit / d, unit % d)
                    for gate in 0..<4 {
                        let g = dGates[gate * H + unit]
                        grads.bias[gate * H + unit] += g
                        for e in 0..<d {
                            let weight = (head * 4 * d + gate * d + j) * d + e
                            dhPrevious[head * d + e] += inputs.recurrentWeights[weight] * g
                            grads.recurrentWeights[weight] += g * previous.h[row * H + head * d + e]
                        }
                        for e in 0..<D {
                            let weight = (gate * H + unit) * D + e
                            grads.x[(time * B + row) * D + e] += inputs.inputWeights[weight] * g
                            grads.inputWeights[weight] += g * inputs.x[(time * B + row) * D + e]
                        }
                    }
                }
                for unit in 0..<H { dh[row * H + unit] = dhPrevious[unit] }
            }
        }
        grads.initial = sLSTMLayerState(h: dh, c: dc, n: dn, m: dm0)
        return grads
    }
}
