import xLSTMTensor

/// The recurrent state of an mLSTM, per sequence and head: the matrix
/// memory `C` (dqk, dv), the normalizer `n` (dqk) and the stabilizer `m`,
/// the log of the scale that `C` and `n` share.
///
/// Shapes: `C` (B, K, dqk, dv), `n` (B, K, dqk), `m` (B, K). The zero state
/// (all zero) is the default start.
public struct mLSTMState<Scalar: TensorScalar> {
    /// The matrix memory, (B, K, dqk, dv): `C_t = f' C_{t-1} + i' k_t v_t^T`.
    public var C: Tensor<Scalar>
    /// The normalizer, (B, K, dqk): `n_t = f' n_{t-1} + i' k_t`.
    public var n: Tensor<Scalar>
    /// The stabilizer, (B, K).
    public var m: Tensor<Scalar>

    /// A state from its three tensors (shapes as documented on the type).
    public init(C: Tensor<Scalar>, n: Tensor<Scalar>, m: Tensor<Scalar>) {
        self.C = C
        self.n = n
        self.m = m
    }

    /// The zero state of `batch` sequences with `heads` heads.
    public static func zeros(batch: Int, heads: Int, qkHeadSize: Int, vHeadSize: Int) -> mLSTMState {
        mLSTMState(
            C: .zeros([batch, heads, qkHeadSize, vHeadSize]), n: .zeros([batch, heads, qkHeadSize]),
            m: .zeros([batch, heads]))
    }

    /// The same values as new leaves, cut from the graph (truncated BPTT, generation).
    public func detached() -> mLSTMState {
        mLSTMState(C: C.detached(), n: n.detached(), m: m.detached())
    }

    /// Checks the shapes against `batch`, `heads` and the head sizes, and the values (finite).
    // Specialized: generation checks every block's state on every step, and
    // the unspecialized scan over C cost as much as the step itself.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func validate(batch: Int, heads: Int, qkHeadSize: Int, vHeadSize: Int, argument: String) throws(xLSTMError) {
        for (name, tensor, shape) in [
            ("C", C, [batch, heads, qkHeadSize, vHeadSize]), ("n", n, [batch, heads, qkHeadSize]), ("m", m, [batch, heads]),
        ] {
            try require(
                tensor.shape == shape, "\(argument).\(name)", expected: "shape \(shapeText(shape))",
                received: "shape \(shapeText(tensor.shape))")
            if let bad = tensor.firstNonFiniteIndex() {
                throw xLSTMError(
                    argument: "\(argument).\(name)", expected: "finite values", received: "\(tensor.scalars[bad]) at element \(bad)")
            }
        }
    }
}
