import xLSTMNN
import xLSTMTensor

/// One sLSTM step, `(x_t, state) -> (h_t, state)`, for streaming and
/// generation; a loop of cells computes what ``sLSTM`` computes for one layer.
///
/// Parameters: `weight_ih` (4H, D), `weight_hh` (K, 4d, d), `bias` (4H), gate
/// order i, f, z, o, initialized as the layers of ``sLSTM``. `sLSTMCell(...)`
/// without a type is `Float`.
public final class sLSTMCell<Scalar: TensorScalar>: Module {
    /// The feature size D of an input step.
    public let inputSize: Int
    /// The hidden size H.
    public let hiddenSize: Int
    /// Heads K of the block-diagonal recurrent weights.
    public let numHeads: Int
    /// How the forget gate's pre-activation becomes log f.
    public let forgetGate: ForgetGate
    public var isTraining = true
    let parameters: sLSTMLayerParameters<Scalar>

    /// A freshly initialized cell, initialized as a layer of ``sLSTM``.
    ///
    /// - Precondition: positive sizes and `hiddenSize` divisible by `numHeads`.
    @_disfavoredOverload
    public convenience init(
        inputSize: Int, hiddenSize: Int, numHeads: Int = 1, bias: Bool = true,
        forgetGate: ForgetGate = .exponential
    ) {
        self.init(inputSize, hiddenSize, numHeads, bias, forgetGate)
    }

    init(_ inputSize: Int, _ hiddenSize: Int, _ numHeads: Int, _ bias: Bool, _ forgetGate: ForgetGate) {
        orTrap { () throws(xLSTMError) in
            try validatesLSTMSizes(inputSize: inputSize, hiddenSize: hiddenSize, numHeads: numHeads)
        }
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numHeads = numHeads
        self.forgetGate = forgetGate
        parameters = sLSTMLayerParameters(
            inputSize: inputSize, hiddenSize: hiddenSize, heads: numHeads, bias: bias, forgetGate: forgetGate)
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] { parameters.named(suffix: "") }

    /// One step; stops with the error's message on bad input (see
    /// ``step(_:state:)`` for the throwing form).
    public func callAsFunction(
        _ input: Tensor<Scalar>, _ state: sLSTMState<Scalar>? = nil
    ) -> (output: Tensor<Scalar>, state: sLSTMState<Scalar>) {
        orTrap { () throws(xLSTMError) in try step(input, state: state) }
    }

    /// One step.
    ///
    /// - Parameters:
    ///   - input: (B, D), or (D) unbatched.
    ///   - state: h, c, n, m, each (B, H) ((H) unbatched); zeros when `nil`.
    /// - Returns: `h_t` (B, H) ((H) unbatched) and the new state.
    public func step(
        _ input: Tensor<Scalar>, state: sLSTMState<Scalar>? = nil
    ) throws(xLSTMError) -> (output: Tensor<Scalar>, state: sLSTMState<Scalar>) {
        try require(
            input.rank == 1 || input.rank == 2, "input", expected: "rank 2 (B, D) or rank 1 (D)",
            received: "shape \(shapeText(input.shape))")
        try require(
            input.shape.last == inputSize, "input", expected: "last extent inputSize (\(inputSize))",
            received: "shape \(shapeText(input.shape))")
        let batch = input.rank == 2 ? input.shape[0] : 1
        try require(batch >= 1, "input", expected: "at least one row", received: "shape \(shapeText(input.shape))")
        let stateShape = input.rank == 2 ? [batch, hiddenSize] : [hiddenSize]
        try state?.validate(shape: stateShape, argument: "state")
        let start = (state ?? .zeros(stateShape)).map { $0.reshaped([batch, hiddenSize]) }
        let geometry = sLSTMLayerGeometry(
            steps: 1, batch: batch, inputSize: inputSize, hiddenSize: hiddenSize, heads: numHeads,
            forgetGate: forgetGate, reverse: false, lengths: Array(repeating: 1, count: batch))
        let result = sLSTMLayerOperation(geometry: geometry, backend: .fast)(
            input.reshaped([1, batch, inputSize]), inputWeights: parameters.inputWeights,
            recurrentWeights: parameters.recurrentWeights, bias: parameters.bias,
            initial: (start.h, start.c, start.n, start.m))
        let next = sLSTMState(h: result.h, c: result.c, n: result.n, m: result.m).map { $0.reshaped(stateShape) }
        return (next.h, next)
    }
}

extension sLSTMCell where Scalar == Float {
    /// A `Float` cell: `sLSTMCell(inputSize: 8, hiddenSize: 16)` needs no type.
    public convenience init(
        inputSize: Int, hiddenSize: Int, numHeads: Int = 1, bias: Bool = true,
        forgetGate: ForgetGate = .exponential
    ) {
        self.init(inputSize, hiddenSize, numHeads, bias, forgetGate)
    }
}
