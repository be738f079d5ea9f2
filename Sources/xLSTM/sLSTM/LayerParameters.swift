import xLSTMNN
import xLSTMTensor
import RealModule

/// The parameters of one sLSTM layer in one direction, and their documented
/// initialization.
///
/// Initialization (both forget-gate variants start near "remember"):
/// - input weights (4H, D) and recurrent weights (K, 4d, d): uniform in
///   `+-1/sqrt(H)`, `nn.LSTM`'s bound;
/// - bias (4H): zero for the i, z and o gates; the forget gate starts so that
///   `log f = logsigmoid(b)` with `b` spread evenly from 3 to 6 across the
///   units, i.e. `log f` between -0.049 and -0.0025 (a memory of roughly 20 to
///   400 steps). For `.sigmoid` the bias is `b` itself; for `.exponential`
///   (where `log f = f~`) it is `logsigmoid(b)`, so both start alike.
struct sLSTMLayerParameters<Scalar: TensorScalar> {
    let inputWeights: Tensor<Scalar>
    let recurrentWeights: Tensor<Scalar>
    let bias: Tensor<Scalar>?

    init(inputSize: Int, hiddenSize: Int, heads: Int, bias: Bool, forgetGate: ForgetGate) {
        let headSize = hiddenSize / heads
        let bound = 1 / Scalar(hiddenSize).squareRoot()
        inputWeights = .randomUniform([4 * hiddenSize, inputSize], low: -bound, high: bound, requiresGrad: true)
        recurrentWeights = .randomUniform(
            [heads, 4 * headSize, headSize], low: -bound, high: bound, requiresGrad: true)
        self.bias = bias ? Self.initialBias(hiddenSize: hiddenSize, forgetGate: forgetGate) : nil
    }

    private static func initialBias(hiddenSize: Int, forgetGate: ForgetGate) -> Tensor<Scalar> {
        var values = [Scalar](repeating: 0, count: 4 * hiddenSize)
        for unit in 0..<hiddenSize {
            let spread = hiddenSize > 1 ? Scalar(unit) / Scalar(hiddenSize - 1) : 0
            let sigmoidBias = 3 + 3 * spread
            values[hiddenSize + unit] = forgetGate == .sigmoid ? sigmoidBias : Scalar.logSigmoid(sigmoidBias)
        }
        return Tensor(validatedShape: [4 * hiddenSize], scalars: values, requiresGrad: true)
    }

    /// The parameters named with `suffix` (`"_l0"`, `"_l1_reverse"`, or `""` for a cell).
    func named(suffix: String) -> [(name: String, tensor: Tensor<Scalar>)] {
        var list = [("weight_ih" + suffix, inputWeights), ("weight_hh" + suffix, recurrentWeights)]
        if let bias { list.append(("bias" + suffix, bias)) }
        return list
    }
}

/// Checks the constructor arguments `sLSTM` and `sLSTMCell` share.
func validatesLSTMSizes(inputSize: Int, hiddenSize: Int, numHeads: Int) throws(xLSTMError) {
    try require(inputSize > 0, "inputSize", expected: "a positive size", received: "\(inputSize)")
    try require(hiddenSize > 0, "hiddenSize", expected: "a positive size", received: "\(hiddenSize)")
    try require(numHeads > 0, "numHeads", expected: "a positive count", received: "\(numHeads)")
    try require(
        hiddenSize % numHeads == 0, "hiddenSize",
        expected: "a multiple of numHeads (\(numHeads))", received: "\(hiddenSize)")
}
