import xLSTMNN
import xLSTMTensor

/// A classic LSTM (Hochreiter and Schmidhuber; the equations and parameter
/// layout of `torch.nn.LSTM`), composed of the toolkit's operations: the
/// baseline the sLSTM is compared with.
///
///     i, f, g, o = sigmoid, sigmoid, tanh, sigmoid of  W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
///     c_t = f c_{t-1} + i g        h_t = o tanh(c_t)
///
/// Parameters per layer k, as `nn.LSTM` names them: `weight_ih_l{k}` (4H, D_in),
/// `weight_hh_l{k}` (4H, H), `bias_ih_l{k}` and `bias_hh_l{k}` (4H), gate
/// order i, f, g, o, all uniform in +-1/sqrt(H) (nn.LSTM's initialization).
public final class LSTM<Scalar: TensorScalar>: Module {
    /// The feature size D of an input step.
    public let inputSize: Int
    /// The hidden size H.
    public let hiddenSize: Int
    /// Stacked layers.
    public let numLayers: Int
    public var isTraining = true
    private let weights: [(inputWeights: Tensor<Scalar>, hiddenWeights: Tensor<Scalar>, inputBias: Tensor<Scalar>, hiddenBias: Tensor<Scalar>)]

    /// A freshly initialized LSTM.
    ///
    /// - Throws: `xLSTMError` unless the sizes and the layer count are positive.
    public init(inputSize: Int, hiddenSize: Int, numLayers: Int = 1) throws(xLSTMError) {
        try require(inputSize > 0, "inputSize", expected: "a positive size", received: "\(inputSize)")
        try require(hiddenSize > 0, "hiddenSize", expected: "a positive size", received: "\(hiddenSize)")
        try require(numLayers >= 1, "numLayers", expected: "at least 1", received: "\(numLayers)")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.numLayers = numLayers
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        func uniform(_ shape: [Int]) -> Tensor<Scalar> { .randomUniform(shape, low: -bound, high: bound, requiresGrad: true) }
        weights = (0..<numLayers).map { layer in
            (uniform([4 * hiddenSize, layer == 0 ? inputSize : hiddenSize]), uniform([4 * hiddenSize, hiddenSize]),
             uniform([4 * hiddenSize]), uniform([4 * hiddenSize]))
        }
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        weights.enumerated().flatMap { layer, w in
            [("weight_ih_l\(layer)", w.inputWeights), ("weight_hh_l\(layer)", w.hiddenWeights),
             ("bias_ih_l\(layer)", w.inputBias), ("bias_hh_l\(layer)", w.hiddenBias)]
        }
    }

    /// Runs the sequence from the zero state.
    ///
    /// - Parameters:
    ///   - input: (T, B, D).
    ///   - lengths: valid steps per sequence, each in 1...T; past its length a
    ///     sequence's state stays as it is and its outputs are zero.
    /// - Returns: the last layer's outputs (T, B, H) and the final h and c, each (numLayers, B, H).
    public func callAsFunction(_ input: Tensor<Scalar>, lengths: [Int]? = nil) -> (
        outputs: Tensor<Scalar>, h: Tensor<Scalar>, c: Tensor<Scalar>
    ) {
        let (steps, batch) = (input.shape.count == 3 ? input.shape[0] : 0, input.shape.count == 3 ? input.shape[1] : 0)
        if input.rank != 3 || input.shape[2] != inputSize || steps == 0 || batch == 0 {
            trap(xLSTMError(argument: "input", expected: "shape (T >= 1, B >= 1, \(inputSize))", received: "shape \(shapeText(input.shape))"))
        }
        let lengths = lengths ?? Array(repeating: steps, count: batch)
        if lengths.count != batch || lengths.contains(where: { $0 < 1 || $0 > steps }) {
            trap(xLSTMError(argument: "lengths", expected: "\(batch) lengths in 1...\(steps)", received: "\(lengths)"))
        }
        let H = hiddenSize
        var sequence = input
        var finalH: [Tensor<Scalar>] = []
        var finalC: [Tensor<Scalar>] = []
        for w in weights {
            // The input projection of every step at once: (T, B, 4H).
            let projected = Tensor.linear(sequence, weight: w.inputWeights, bias: w.inputBias)
            var (h, c) = (Tensor<Scalar>.zeros([batch, H]), Tensor<Scalar>.zeros([batch, H]))
            var outputs: [Tensor<Scalar>] = []
            for t in 0..<steps {
                let gates = projected.slice(alongAxis: 0, t..<(t + 1)).reshaped([batch, 4 * H])
                    + Tensor.linear(h, weight: w.hiddenWeights, bias: w.hiddenBias)
                let i = gates.slice(alongAxis: 1, 0..<H).sigmoid()
                let f = gates.slice(alongAxis: 1, H..<(2 * H)).sigmoid()
                let g = gates.slice(alongAxis: 1, (2 * H)..<(3 * H)).tanh()
                let o = gates.slice(alongAxis: 1, (3 * H)..<(4 * H)).sigmoid()
                let cNew = f * c + i * g
                let hNew = o * cNew.tanh()
                // Rows whose sequence has ended keep their state and output zero.
                let live = Tensor<Scalar>(validatedShape: [batch, 1], scalars: lengths.map { t < $0 ? 1 : 0 })
                c = live * cNew + (1 - live) * c
                h = live * hNew + (1 - live) * h
                outputs.append((live * hNew).reshaped([1, batch, H]))
            }
            sequence = Tensor.concatenate(outputs, alongAxis: 0)
            finalH.append(h)
            finalC.append(c)
        }
        return (sequence, Tensor.stack(finalH), Tensor.stack(finalC))
    }
}
