import xLSTMTensor

/// The gated feed-forward network of the xLSTM blocks:
/// `y = down(activation(gate(x)) * up(x))`, GELU-gated (`.gelu`) or SwiGLU (`.silu`).
///
/// Parameters: `gate.weight` and `up.weight` (hiddenSize, inputSize),
/// `down.weight` (inputSize, hiddenSize), and their biases when `bias`.
public final class GatedFeedForward<Scalar: TensorScalar>: Module {
    /// The activation applied to the gate branch.
    public enum Activation: String, Sendable, Codable {
        /// The exact GELU (GELU-gated linear unit).
        case gelu
        /// x * sigmoid(x) (SwiGLU).
        case silu
    }

    /// inputSize -> hiddenSize, the branch the activation gates with.
    public let gate: Linear<Scalar>
    /// inputSize -> hiddenSize, the gated branch.
    public let up: Linear<Scalar>
    /// hiddenSize -> inputSize.
    public let down: Linear<Scalar>
    /// The gate's activation.
    public let activation: Activation
    public var isTraining = true

    /// A network from `inputSize` through `hiddenSize` back to `inputSize`.
    ///
    /// - Precondition: positive sizes.
    public init(inputSize: Int, hiddenSize: Int, activation: Activation, bias: Bool = false) {
        gate = Linear(inputFeatures: inputSize, outputFeatures: hiddenSize, bias: bias)
        up = Linear(inputFeatures: inputSize, outputFeatures: hiddenSize, bias: bias)
        down = Linear(inputFeatures: hiddenSize, outputFeatures: inputSize, bias: bias)
        self.activation = activation
    }

    public var children: [(name: String, module: any Module<Scalar>)] { [("gate", gate), ("up", up), ("down", down)] }

    /// Applies the network to the last axis.
    ///
    /// - Parameter input: (..., inputSize).
    /// - Returns: (..., inputSize).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let gated = activation == .gelu ? gate(input).gelu() : gate(input).silu()
        return down(gated * up(input))
    }
}
