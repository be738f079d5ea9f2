import xLSTMNN
import xLSTMTensor

/// The recurrent state of an sLSTM: hidden state `h`, cell `c`, normalizer
/// `n` and stabilizer `m`.
///
/// For ``sLSTM`` each tensor is (numLayers * numDirections, B, H), or
/// (numLayers * numDirections, H) for an unbatched input, ordered like
/// `nn.LSTM`'s `h_n`: layer-major, forward direction before reverse. For
/// ``sLSTMCell`` each is (B, H), or (H) unbatched. The zero state (all four
/// zero) is the default start; `m` never receives a gradient from the final
/// state because the outputs do not depend on it.
public struct sLSTMState<Scalar: TensorScalar> {
    /// The hidden state.
    public var h: Tensor<Scalar>
    /// The cell state (stabilized: scaled by exp(-m)).
    public var c: Tensor<Scalar>
    /// The normalizer state (stabilized: scaled by exp(-m)).
    public var n: Tensor<Scalar>
    /// The stabilizer: log of the scale shared by c and n.
    public var m: Tensor<Scalar>

    /// A state from its four tensors (shapes as documented on the type).
    public init(h: Tensor<Scalar>, c: Tensor<Scalar>, n: Tensor<Scalar>, m: Tensor<Scalar>) {
        self.h = h
        self.c = c
        self.n = n
        self.m = m
    }

    /// The zero state with every tensor of `shape`.
    public static func zeros(_ shape: [Int]) -> sLSTMState {
        sLSTMState(h: .zeros(shape), c: .zeros(shape), n: .zeros(shape), m: .zeros(shape))
    }

    /// The same values as new leaves, cut from the graph that computed them:
    /// the state to carry from one chunk of truncated backpropagation
    /// through time to the next, as `h.detach()` in PyTorch.
    ///
    ///     var state: sLSTMState<Float>? = nil
    ///     for chunk in chunks {
    ///         let (outputs, next) = slstm(chunk, state)
    ///         loss(outputs).backward()        // walks this chunk only
    ///         state = next.detached()
    ///     }
    public func detached() -> sLSTMState {
        map { $0.detached() }
    }

    /// The four tensors with their names, in the order h, c, n, m.
    var named: [(name: String, tensor: Tensor<Scalar>)] {
        [("h", h), ("c", c), ("n", n), ("m", m)]
    }

    /// Checks that every tensor has `shape` and holds a state the recurrence
    /// can start from: finite values, and `n >= 0` (a normalizer is a sum of
    /// non-negative gates; `n == 0` marks a unit that starts afresh).
    func validate(shape: [Int], argument: String) throws(xLSTMError) {
        for (name, tensor) in named {
            try require(
                tensor.shape == shape, "\(argument).\(name)", expected: "shape \(shapeText(shape))",
                received: "shape \(shapeText(tensor.shape))")
            if let bad = tensor.firstNonFiniteIndex() {
                throw xLSTMError(
                    argument: "\(argument).\(name)", expected: "finite values",
                    received: "\(tensor.scalars[bad]) at element \(bad)")
            }
        }
        if let negative = n.scalars.firstIndex(where: { $0 < 0 }) {
            throw xLSTMError(
                argument: "\(argument).n", expected: "a normalizer >= 0 in every element",
                received: "\(n.scalars[negative]) at element \(negative)")
        }
    }

    /// Applies `transform` to each of the four tensors.
    func map(_ transform: (Tensor<Scalar>) -> Tensor<Scalar>) -> sLSTMState {
        sLSTMState(h: transform(h), c: transform(c), n: transform(n), m: transform(m))
    }
}
