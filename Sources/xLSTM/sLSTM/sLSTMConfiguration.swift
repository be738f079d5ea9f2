import xLSTMNN
import xLSTMTensor

/// The constructor arguments of ``sLSTM``, as a value (stored with
/// checkpoints as JSON). Names and defaults follow `torch.nn.LSTM`.
public struct sLSTMConfiguration: Codable, Equatable, Sendable {
    /// The feature size D of an input step.
    public var inputSize: Int
    /// The hidden size H.
    public var hiddenSize: Int
    /// Stacked layers; layer k > 0 reads layer k - 1's outputs.
    public var numLayers: Int
    /// Dropout on the outputs of every layer but the last, in training mode.
    public var dropout: Double
    /// Heads of the block-diagonal recurrent weights; must divide `hiddenSize`.
    public var numHeads: Int
    /// Whether the gates have a bias.
    public var bias: Bool
    /// Inputs and outputs are (B, T, features) instead of (T, B, features).
    public var batchFirst: Bool
    /// Whether each layer also runs backwards in time (outputs 2H features).
    public var bidirectional: Bool
    /// How the forget gate's pre-activation becomes log f.
    public var forgetGate: ForgetGate

    /// Defaults as `torch.nn.LSTM`, plus one head and the exponential forget gate.
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
