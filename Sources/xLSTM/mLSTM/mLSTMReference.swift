import xLSTMTensor

/// The mLSTM recurrence as the plainest loops (DESIGN section 1b), one
/// sequence, head and step at a time: the values every form is tested
/// against. (Gradients are checked against finite differences of the forms
/// themselves.) Never optimized.
enum mLSTMReference {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func run<Scalar: TensorScalar>(_ inputs: mLSTMInputs<Scalar>, epsilon: Scalar) -> (
        outputs: [Scalar], C: [Scalar], n: [Scalar], m: [Scalar]
    ) {
        let (batch, heads, steps, qkSize) = (inputs.q.shape[0], inputs.q.shape[1], inputs.q.shape[2], inputs.q.shape[3])
        let vSize = inputs.v.shape[3]
        let scale = 1 / Scalar(qkSize).squareRoot()
        var outputs = [Scalar](repeating: 0, count: batch * heads * steps * vSize)
        var (C, n, m) = (inputs.initial.C.scalars, inputs.initial.n.scalars, inputs.initial.m.scalars)
        for row in 0..<(batch * heads) {
            for t in 0..<steps {
                let at = row * steps + t
                let logF = Scalar.logSigmoid(inputs.forgetGate.scalars[at])
                let i = inputs.inputGate.scalars[at]
                let mNew = Swift.max(logF + m[row], i)
                let forget = Scalar.exp(logF + m[row] - mNew)
                let input = Scalar.exp(i - mNew)
                m[row] = mNew
                let k = Array(inputs.k.scalars[(at * qkSize)..<((at + 1) * qkSize)])
                let q = inputs.q.scalars[(at * qkSize)..<((at + 1) * qkSize)].map { $0 * scale }
                let v = Array(inputs.v.scalars[(at * vSize)..<((at + 1) * vSize)])
                var qn: Scalar = 0
                for a in 0..<qkSize {
                    n[row * qkSize + a] = forget * n[row * qkSize + a] + input * k[a]
                    qn += q[a] * n[row * qkSize + a]
                    for b in 0..<vSize {
                        let cell = (row * qkSize + a) * vSize + b
                        C[cell] = forget * C[cell] + input * k[a] * v[b]
                    }
                }
                let denominator = Swift.max(Swift.abs(qn), Scalar.exp(-mNew)) + epsilon
                for b in 0..<vSize {
                    var sum: Scalar = 0
                    for a in 0..<qkSize { sum += q[a] * C[(row * qkSize + a) * vSize + b] }
                    outputs[at * vSize + b] = sum / denominator
                }
            }
        }
        return (outputs, C, n, m)
    }
}
