import xLSTMNN
import xLSTMTensor

/// A multi-layer sLSTM (Beck et al. 2024), shaped like `torch.nn.LSTM`.
///
///     let slstm = sLSTM(inputSize: 32, hiddenSize: 128, numLayers: 2, dropout: 0.1)
///     let (outputs, state) = slstm(inputs)          // inputs (T, B, 32)
///
/// Each layer runs the stabilized exponential gating of the paper with
/// memory mixing (h_{t-1} enters every gate through block-diagonal recurrent
/// weights, one block per head). `sLSTM(...)` without a type is `Float`;
/// write `sLSTM<Double>(...)` for gradient checks.
///
/// Parameters, per layer `k` (and `_reverse` for the second direction), in
/// this order: `weight_ih_l{k}` (4H, D_in), `weight_hh_l{k}` (K, 4d, d),
/// `bias_l{k}` (4H); gate order i, f, z, o. See ``sLSTMLayerParameters`` for
/// the initialization.
public final class sLSTM<Scalar: TensorScalar>: Module {
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
    /// - Throws: ``xLSTMError`` naming the first invalid field (see
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
    /// - Throws: ``xLSTMError`` naming the argument when a shape, the state or
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
