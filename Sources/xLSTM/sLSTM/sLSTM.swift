import xLSTMNN
import xLSTMTensor

/// A multi-layer sLSTM (Beck et al. 2024, arXiv:2405.04517), shaped like
/// `torch.nn.LSTM`: an LSTM with exponential gating, a normalizer state and
/// memory mixing.
///
/// For each layer, time step t and unit (H units in K heads of d = H / K),
/// with gate order i, f, z, o:
///
///     g~_t = W x_t + R h_{t-1} + b                 R block-diagonal: K blocks (4d, d)
///     z_t = tanh(z~_t)      o_t = sigmoid(o~_t)
///     log f_t = f~_t   (.exponential)   or   logsigmoid(f~_t)   (.sigmoid)
///     m_t = max(i~_t, log f_t + m_{t-1})             (m_t = i~_t where n_{t-1} == 0)
///     i'_t = exp(i~_t - m_t)    f'_t = exp(log f_t + m_{t-1} - m_t)    (f'_t = 0 where n_{t-1} == 0)
///     c_t = f'_t c_{t-1} + i'_t z_t     n_t = f'_t n_{t-1} + i'_t     h_t = o_t c_t / n_t
///
/// The exponential of an unstabilized pre-activation is never taken, and the
/// first-step rule (n_{t-1} == 0) holds per element.
///
/// ## Arguments
/// - `inputSize`: the features D of an input step.
/// - `hiddenSize`: the hidden units H of every layer.
/// - `numLayers`: stacked layers; layer k > 0 reads layer k - 1's outputs. Default 1.
/// - `dropout`: dropout on the outputs of every layer but the last, in training mode. Default 0.
/// - `numHeads`: heads K of the block-diagonal recurrent weights; must divide H. Default 1.
/// - `bias`: whether the gates have a bias. Default `true`.
/// - `batchFirst`: inputs and outputs are (B, T, features). Default `false`.
/// - `bidirectional`: each layer also runs backwards in time. Default `false`.
/// - `forgetGate`: ``ForgetGate/exponential`` (the paper's, default) or ``ForgetGate/sigmoid``.
///
/// ## Inputs: `slstm(input, state, lengths:)`
/// - `input`: (T, B, D), (B, T, D) when `batchFirst`, or (T, D) unbatched.
/// - `state`: an ``sLSTMState`` whose h, c, n and m are each (L * N, B, H)
///   ((L * N, H) unbatched); zeros when omitted.
/// - `lengths`: B valid lengths in 1...T for batches of unequal length; the
///   padding past a sequence's length is never read and never changes its state.
///
/// ## Outputs: `(outputs, state)`
/// - `outputs`: (T, B, N * H) ((B, T, N * H) when `batchFirst`, (T, N * H)
///   unbatched): the last layer's h_t at every step, zero at padded steps.
/// - `state`: the final h, c, n and m of every layer and direction, each
///   (L * N, B, H), ordered layer-major, forward before reverse, like
///   `nn.LSTM`'s `h_n`. For each sequence it is the state after its last
///   valid step, so `outputs` at T - 1 and `state.h` differ for a short sequence.
///
/// where T is the sequence length, B the batch size, D = `inputSize`,
/// H = `hiddenSize`, L = `numLayers`, N = 2 if `bidirectional` else 1, and
/// K = `numHeads`, d = H / K.
///
/// ## Attributes (parameters)
/// Per layer k, `_reverse` appended for the second direction, in this order:
/// - `weight_ih_l{k}`: (4H, D) for k = 0, (4H, N * H) otherwise; rows gate-major (i, f, z, o).
/// - `weight_hh_l{k}`: (K, 4d, d); row `g * d + j` of head `h` feeds gate `g` of unit `h * d + j`.
/// - `bias_l{k}`: (4H), one bias per gate (not two as in `nn.LSTM`).
///
/// These names are stable: they are the keys of a state dictionary.
///
/// ## Notes
/// - Initialization: weights uniform in +-1/sqrt(H) (`nn.LSTM`'s bound); i, z
///   and o biases 0; the forget bias starts near "remember" for both forget
///   gates (log f = logsigmoid(b), b spread from 3 to 6 across the units).
/// - Gradients treat every stabilizer m_t (t >= 1) as a constant, which is
///   exact: the outputs do not depend on m. The final m carries no gradient.
/// - Carry the state between chunks of truncated BPTT with
///   ``sLSTMState/detached()``.
/// - `sLSTM(...)` without a type is `Float`; `sLSTM<Double>(...)` runs the
///   reference kernel, for gradient checks.
///
/// ## Example
///
///     let slstm = sLSTM(inputSize: 32, hiddenSize: 128, numLayers: 2, dropout: 0.1)
///     let inputs = Tensor<Float>.randomNormal([50, 8, 32])   // (T, B, D)
///     let (outputs, state) = slstm(inputs)                  // (50, 8, 128); state.h (2, 8, 128)
public final class sLSTM<Scalar: TensorScalar>: ConfigurableModule {
    /// The name a checkpoint's `config.json` records.
    public static var modelName: String { "sLSTM" }

    /// Every constructor argument; `sLSTM(configuration:)` rebuilds the shape
    /// of a model from it (checkpoints store it as JSON).
    public let configuration: sLSTMConfiguration
    /// The implementation of the recurrence: `.fast` (the default) or
    /// `.reference` (see ``sLSTMBackend``).
    public var backend: sLSTMBackend = .fast
    public var isTraining = true
    /// `layers[k][direction]`.
    let layers: [[sLSTMLayerParameters<Scalar>]]

    /// The feature size D of the first layer's input.
    public var inputSize: Int { configuration.inputSize }
    /// The hidden size H of every layer.
    public var hiddenSize: Int { configuration.hiddenSize }
    /// The number of stacked layers.
    public var numLayers: Int { configuration.numLayers }
    /// Heads K of the block-diagonal recurrent weights.
    public var numHeads: Int { configuration.numHeads }
    var directions: Int { configuration.bidirectional ? 2 : 1 }

    /// A freshly initialized sLSTM of the shape `configuration` describes:
    /// the form for a configuration read at run time (a file, a command line).
    ///
    /// - Throws: `xLSTMError` naming the first invalid field (see
    ///   ``sLSTMConfiguration/validate()``).
    public convenience init(configuration: sLSTMConfiguration) throws(xLSTMError) {
        try configuration.validate()
        self.init(validated: configuration)
    }

    init(validated configuration: sLSTMConfiguration) {
        self.configuration = configuration
        let directions = configuration.bidirectional ? 2 : 1
        layers = (0..<configuration.numLayers).map { layer in
            (0..<directions).map { _ in
                sLSTMLayerParameters(
                    inputSize: layer == 0 ? configuration.inputSize : directions * configuration.hiddenSize,
                    hiddenSize: configuration.hiddenSize, heads: configuration.numHeads, bias: configuration.bias,
                    forgetGate: configuration.forgetGate)
            }
        }
    }

    /// A freshly initialized sLSTM; the arguments and defaults are those of
    /// the type's documentation (`nn.LSTM`'s, plus `numHeads` and `forgetGate`).
    ///
    /// - Precondition: positive sizes, `hiddenSize` divisible by `numHeads`,
    ///   `numLayers >= 1`, `0 <= dropout < 1` (``init(configuration:)`` throws instead).
    @_disfavoredOverload
    public convenience init(
        inputSize: Int, hiddenSize: Int, numLayers: Int = 1, dropout: Double = 0, numHeads: Int = 1,
        bias: Bool = true, batchFirst: Bool = false, bidirectional: Bool = false,
        forgetGate: ForgetGate = .exponential
    ) {
        self.init(
            checking: sLSTMConfiguration(
                inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, dropout: dropout,
                numHeads: numHeads, bias: bias, batchFirst: batchFirst, bidirectional: bidirectional,
                forgetGate: forgetGate))
    }

    /// Validates `configuration` and stops with the error's message when it is invalid.
    convenience init(checking configuration: sLSTMConfiguration) {
        orTrap { () throws(xLSTMError) in try configuration.validate() }
        self.init(validated: configuration)
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        layers.enumerated().flatMap { layer, directions in
            directions.enumerated().flatMap { direction, parameters in
                parameters.named(suffix: "_l\(layer)" + (direction == 1 ? "_reverse" : ""))
            }
        }
    }

    /// Runs the whole sequence; stops with the error's message on bad input
    /// (see ``forward(_:state:lengths:)`` for the throwing form).
    public func callAsFunction(
        _ input: Tensor<Scalar>, _ state: sLSTMState<Scalar>? = nil, lengths: [Int]? = nil
    ) -> (outputs: Tensor<Scalar>, state: sLSTMState<Scalar>) {
        orTrap { () throws(xLSTMError) in try forward(input, state: state, lengths: lengths) }
    }

    /// Runs the whole sequence.
    ///
    /// - Parameters:
    ///   - input: (T, B, D); (B, T, D) when `batchFirst`; or (T, D) unbatched.
    ///   - state: the initial state, each tensor (numLayers * numDirections, B, H)
    ///     ((numLayers * numDirections, H) unbatched); zeros when `nil`.
    ///   - lengths: valid steps per sequence, each in 1...T, for batches of
    ///     unequal length: steps past a sequence's length are never read,
    ///     never change its state and give zero outputs.
    /// - Returns: outputs (T, B, numDirections * H) (laid out like the input)
    ///   and the final state (for each sequence, the state after its last valid step).
    /// - Throws: `xLSTMError` naming the argument when a shape, the state or
    ///   the lengths do not fit.
    public func forward(
        _ input: Tensor<Scalar>, state: sLSTMState<Scalar>? = nil, lengths: [Int]? = nil
    ) throws(xLSTMError) -> (outputs: Tensor<Scalar>, state: sLSTMState<Scalar>) {
        let unbatched = input.rank == 2
        try require(
            input.rank == 2 || input.rank == 3, "input",
            expected: configuration.batchFirst ? "rank 3 (B, T, D) or rank 2 (T, D)" : "rank 3 (T, B, D) or rank 2 (T, D)",
            received: "shape \(shapeText(input.shape))")
        try require(
            input.shape[input.rank - 1] == inputSize, "input", expected: "last extent inputSize (\(inputSize))",
            received: "shape \(shapeText(input.shape))")
        var sequence = unbatched ? input.reshaped([input.shape[0], 1, inputSize]) : input
        if configuration.batchFirst && !unbatched { sequence = sequence.transposed(0, 1) }
        let (steps, batch) = (sequence.shape[0], sequence.shape[1])
        try require(steps >= 1, "input", expected: "at least one time step", received: "shape \(shapeText(input.shape))")
        try require(batch >= 1, "input", expected: "at least one sequence", received: "shape \(shapeText(input.shape))")
        let lengths = try validatedLengths(lengths, steps: steps, batch: batch)
        let stateShape = unbatched ? [numLayers * directions, hiddenSize] : [numLayers * directions, batch, hiddenSize]
        try state?.validate(shape: stateShape, argument: "state")
        let initial = (state ?? .zeros(stateShape)).map { $0.reshaped([numLayers * directions, batch, hiddenSize]) }

        var finals: [sLSTMLayerOperation<Scalar>.Result] = []
        for (layer, parameters) in layers.enumerated() {
            var outputs: [Tensor<Scalar>] = []
            for (direction, weights) in parameters.enumerated() {
                let slot = layer * directions + direction
                let start = initial.map { $0.slice(alongAxis: 0, slot..<(slot + 1)).reshaped([batch, hiddenSize]) }
                let geometry = sLSTMLayerGeometry(
                    steps: steps, batch: batch, inputSize: sequence.shape[2], hiddenSize: hiddenSize,
                    heads: numHeads, forgetGate: configuration.forgetGate, reverse: direction == 1, lengths: lengths)
                let result = sLSTMLayerOperation(geometry: geometry, backend: backend)(
                    sequence, inputWeights: weights.inputWeights, recurrentWeights: weights.recurrentWeights,
                    bias: weights.bias, initial: (start.h, start.c, start.n, start.m))
                outputs.append(result.outputs)
                finals.append(result)
            }
            sequence = outputs.count == 1 ? outputs[0] : Tensor.concatenate(outputs, alongAxis: 2)
            if layer < numLayers - 1 {
                sequence = xLSTMNN.dropout(sequence, probability: configuration.dropout, training: isTraining)
            }
        }
        var final = sLSTMState(
            h: .stack(finals.map(\.h)), c: .stack(finals.map(\.c)), n: .stack(finals.map(\.n)),
            m: .stack(finals.map(\.m)))
        if unbatched {
            final = final.map { $0.reshaped(stateShape) }
            return (sequence.reshaped([steps, directions * hiddenSize]), final)
        }
        return (configuration.batchFirst ? sequence.transposed(0, 1) : sequence, final)
    }

    private func validatedLengths(_ lengths: [Int]?, steps: Int, batch: Int) throws(xLSTMError) -> [Int] {
        guard let lengths else { return Array(repeating: steps, count: batch) }
        try require(
            lengths.count == batch, "lengths", expected: "\(batch) lengths (one per sequence)",
            received: "\(lengths.count)")
        for (row, length) in lengths.enumerated() {
            try require(
                length >= 1 && length <= steps, "lengths[\(row)]", expected: "a length in 1...\(steps)",
                received: "\(length)")
        }
        return lengths
    }
}

extension sLSTM where Scalar == Float {
    /// A `Float` sLSTM: `sLSTM(inputSize: 32, hiddenSize: 128)` needs no type.
    public convenience init(
        inputSize: Int, hiddenSize: Int, numLayers: Int = 1, dropout: Double = 0, numHeads: Int = 1,
        bias: Bool = true, batchFirst: Bool = false, bidirectional: Bool = false,
        forgetGate: ForgetGate = .exponential
    ) {
        self.init(
            checking: sLSTMConfiguration(
                inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, dropout: dropout,
                numHeads: numHeads, bias: bias, batchFirst: batchFirst, bidirectional: bidirectional,
                forgetGate: forgetGate))
    }
}
