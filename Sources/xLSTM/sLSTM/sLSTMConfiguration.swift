/// The constructor arguments of ``sLSTM``, as a value (stored with
/// checkpoints as JSON). Names and defaults follow `torch.nn.LSTM`.
public struct sLSTMConfiguration: Codable, Equatable, Sendable {
    public var inputSize: Int
    public var hiddenSize: Int
    public var numLayers: Int
    /// Dropout on the outputs of every layer but the last, in training mode.
    public var dropout: Double
    /// Heads of the block-diagonal recurrent weights; must divide `hiddenSize`.
    public var numHeads: Int
    /// Whether the gates have a bias.
    public var bias: Bool
    /// Inputs and outputs are (B, T, features) instead of (T, B, features).
    public var batchFirst: Bool
    public var bidirectional: Bool
    public var forgetGate: ForgetGate

    public init(
        inputSize: Int, hiddenSize: Int, numLayers: Int = 1, dropout: Double = 0, numHeads: Int = 1,
        bias: Bool = true, batchFirst: Bool = false, bidirectional: Bool = false,
        forgetGate: ForgetGate = .exponential
    ) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        self.dropout = dropout
        self.numHeads = numHeads
        self.bias = bias
        self.batchFirst = batchFirst
        self.bidirectional = bidirectional
        self.forgetGate = forgetGate
    }

    /// Positive sizes, `hiddenSize` divisible by `numHeads`, `numLayers >= 1`,
    /// `0 <= dropout < 1`.
    public func validate() throws(xLSTMError) {
        try validatesLSTMSizes(inputSize: inputSize, hiddenSize: hiddenSize, numHeads: numHeads)
        try require(numLayers >= 1, "numLayers", expected: "at least 1", received: "\(numLayers)")
        try validateDropout(dropout, argument: "dropout")
    }
}
