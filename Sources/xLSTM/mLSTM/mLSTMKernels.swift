import xLSTMTensor

/// The sizes of an mLSTM pass that the three forms share.
struct mLSTMGeometry: Sendable {
    /// Steps per chunk of the chunkwise form.
    let chunkSize: Int
    /// Added to the normalizer's denominator (1e-6 in xLSTM-Large).
    let epsilon: Double
}

/// What an mLSTM pass reads, per head: q, k (B, K, T, dqk), v (B, K, T, dv),
/// the input and forget gate pre-activations (B, K, T), and the initial state.
struct mLSTMInputs<Scalar: TensorScalar> {
    let q: Tensor<Scalar>
    let k: Tensor<Scalar>
    let v: Tensor<Scalar>
    let inputGate: Tensor<Scalar>
    let forgetGate: Tensor<Scalar>
    let initial: mLSTMState<Scalar>
}

/// What a pass returns: h~ (B, K, T, dv), before any output gate or norm,
/// and the state after the last step. Both are nodes of the gradient engine.
struct mLSTMPass<Scalar: TensorScalar> {
    let outputs: Tensor<Scalar>
    let final: mLSTMState<Scalar>
}

/// An mLSTM kernel: the contract of ``RecurrentKernel`` with the mLSTM's layouts.
protocol mLSTMKernel<Scalar>: RecurrentKernel
where Geometry == mLSTMGeometry, Inputs == mLSTMInputs<Scalar>, Pass == mLSTMPass<Scalar> {}

/// The parallel form: the whole sequence as one chunk, a (T, T) matrix of
/// decays per head (quadratic in T; for short sequences).
enum mLSTMParallel<Scalar: TensorScalar>: mLSTMKernel {
    static func run(_ geometry: mLSTMGeometry, _ inputs: mLSTMInputs<Scalar>) -> mLSTMPass<Scalar> {
        mLSTMChunks.run(inputs, chunkSize: inputs.q.shape[2], epsilon: Scalar(geometry.epsilon))
    }
}

/// The chunkwise form: the parallel form within chunks of `chunkSize`
/// steps and the recurrence between them, so memory is linear in T and the
/// work is matrix products (the default for training and prefill).
enum mLSTMChunkwise<Scalar: TensorScalar>: mLSTMKernel {
    static func run(_ geometry: mLSTMGeometry, _ inputs: mLSTMInputs<Scalar>) -> mLSTMPass<Scalar> {
        mLSTMChunks.run(inputs, chunkSize: geometry.chunkSize, epsilon: Scalar(geometry.epsilon))
    }
}

/// The recurrent form: one step at a time (generation, streaming).
///
/// Without gradient recording (generation) it runs ``mLSTMStep``'s loops
/// on the flat buffers: a decoding step is a few thousand multiply-adds per
/// head, which thirty tensor operations (each allocating its result) would
/// cost several times over.
enum mLSTMRecurrent<Scalar: TensorScalar>: mLSTMKernel {
    static func run(_ geometry: mLSTMGeometry, _ inputs: mLSTMInputs<Scalar>) -> mLSTMPass<Scalar> {
        guard !GradientRecording.isActive else {
            return mLSTMChunks.run(inputs, chunkSize: 1, epsilon: Scalar(geometry.epsilon))
        }
        let result = mLSTMStep.run(inputs, epsilon: Scalar(geometry.epsilon))
        var outputShape = inputs.v.shape
        outputShape[2] = inputs.q.shape[2]
        return mLSTMPass(
            outputs: Tensor(validatedShape: outputShape, scalars: result.outputs),
            final: mLSTMState(
                C: Tensor(validatedShape: inputs.initial.C.shape, scalars: result.C),
                n: Tensor(validatedShape: inputs.initial.n.shape, scalars: result.n),
                m: Tensor(validatedShape: inputs.initial.m.shape, scalars: result.m)))
    }
}

/// The mLSTM over chunks of L steps, composed of differentiable tensor
/// operations (so every input and the initial state get gradients, and the
/// backward holds (L, L) matrices per chunk, never (T, T) unless L = T).
///
/// Per head, with q scaled by 1/sqrt(dqk), logf = logsigmoid(f~) and, inside
/// a chunk, b_t the running sum of logf from the chunk's start:
///
///     log D[t, s] = b_t - b_s + i~_s   (s <= t in the chunk)       a_t = b_t + m_prev
///     m_t = max(a_t, max_s log D[t, s])
///     h~_t = (sum_s exp(log D[t, s] - m_t) (q_t . k_s) v_s + exp(a_t - m_t) q_t C_prev)
///            / (max(|sum_s exp(log D[t, s] - m_t) (q_t . k_s) + exp(a_t - m_t) q_t . n_prev|, exp(-m_t)) + epsilon)
///
/// and at the chunk's end the state moves on with the same weights. m_t is
/// the recurrence's own stabilizer (a maximum over the same terms), so every
/// chunk size gives the recurrent result; L = 1 is the recurrence itself.
enum mLSTMChunks {
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    static func run<Scalar>(_ inputs: mLSTMInputs<Scalar>, chunkSize: Int, epsilon: Scalar) -> mLSTMPass<Scalar> {
        let (batch, heads, steps, qkSize) = (inputs.q.shape[0], inputs.q.shape[1], inputs.q.shape[2], inputs.q.shape[3])
        let vSize = inputs.v.shape[3]
        let rows = batch * heads
        let q = inputs.q.reshaped([rows, steps, qkSize]) / Scalar(qkSize).squareRoot()
        let k = inputs.k.reshaped([rows, steps, qkSize])
        let v = inputs.v.reshaped([rows, steps, vSize])
        let inputGate = inputs.inputGate.reshaped([rows, steps])
        let logForget = inputs.forgetGate.reshaped([rows, steps]).logSigmoid()
        var C = inputs.initial.C.reshaped([rows, qkSize, vSize])
        var n = inputs.initial.n.reshaped([rows, qkSize, 1])
        var m = inputs.initial.m.reshaped([rows, 1])
        var outputs: [Tensor<Scalar>] = []
        var start = 0
        while start < steps {
            let length = Swift.min(chunkSize, steps - start)
            let span = start..<(start + length)
            let (qc, kc, vc) = (q.slice(alongAxis: 1, span), k.slice(alongAxis: 1, span), v.slice(alongAxis: 1, span))
            let ic = inputGate.slice(alongAxis: 1, span)
            // b[t] = sum of logf over the chunk up to t: a product with an upper-triangular matrix of ones.
            let b = Tensor.matmul(logForget.slice(alongAxis: 1, span), upperTriangle(length, Scalar.self))
            let logD = b.reshaped([rows, length, 1]) - (b - ic).reshaped([rows, 1, length]) + causalMask(length, Scalar.self)
            let carried = b + m
            let stabilizer = Tensor.maximum(carried, logD.max(alongAxis: 2))
            let decay = (logD - stabilizer.reshaped([rows, length, 1])).exp()
            let weights = Tensor.matmul(qc, kc.transposed(1, 2)) * decay
            let fromState = (carried - stabilizer).exp().reshaped([rows, length, 1])
            let numerator = Tensor.matmul(weights, vc) + fromState * Tensor.matmul(qc, C)
            let normalizer = weights.sum(alongAxis: 2, keepingAxis: true) + fromState * Tensor.matmul(qc, n)
            let floor = (-stabilizer).exp().reshaped([rows, length, 1])
            outputs.append(numerator / (Tensor.maximum(normalizer.magnitude(), floor) + epsilon))

            // The state after the chunk's last step.
            let total = b.slice(alongAxis: 1, (length - 1)..<length)
            let logWeights = total - b + ic
            let next = Tensor.maximum(total + m, logWeights.max(alongAxis: 1, keepingAxis: true))
            let kept = (total + m - next).exp().reshaped([rows, 1, 1])
            let stepWeights = (logWeights - next).exp().reshaped([rows, length, 1])
            C = kept * C + Tensor.matmul(kc.transposed(1, 2), stepWeights * vc)
            n = kept * n + Tensor.matmul(kc.transposed(1, 2), stepWeights)
            m = next
            start += length
        }
        let h = (outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, alongAxis: 1))
        return mLSTMPass(
            outputs: h.reshaped([batch, heads, steps, vSize]),
            final: mLSTMState(
                C: C.reshaped([batch, heads, qkSize, vSize]), n: n.reshaped([batch, heads, qkSize]),
                m: m.reshaped([batch, heads])))
    }

    /// (L, L) with ones where row <= column: `x U` is the running sum of x along its last axis.
    private static func upperTriangle<Scalar: TensorScalar>(_ length: Int, _: Scalar.Type) -> Tensor<Scalar> {
        Tensor(
            validatedShape: [length, length],
            scalars: (0..<(length * length)).map { $0 / length <= $0 % length ? 1 : 0 })
    }

    /// (L, L) with 0 where column <= row and -inf above: what a step may not read.
    private static func causalMask<Scalar: TensorScalar>(_ length: Int, _: Scalar.Type) -> Tensor<Scalar> {
        Tensor(
            validatedShape: [length, length],
            scalars: (0..<(length * length)).map { $0 % length <= $0 / length ? 0 : -.infinity })
    }
}
