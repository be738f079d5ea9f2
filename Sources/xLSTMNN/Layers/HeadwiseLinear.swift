import xLSTMTensor

/// A block-diagonal linear map: the last axis splits into K heads, and head
/// k is mapped by its own matrix, `y_k = W_k x_k (+ b_k)`; nothing mixes
/// across heads (the head-wise projections of the xLSTM blocks).
///
/// Parameters: `weight` (K, outputsPerHead, inputsPerHead) and, with `bias`,
/// `bias` (K * outputsPerHead); uniform in `+-1/sqrt(inputsPerHead)`.
public final class HeadwiseLinear<Scalar: TensorScalar>: Module {
    /// (K, outputsPerHead, inputsPerHead).
    public let weight: Tensor<Scalar>
    /// (K * outputsPerHead), or nil.
    public let bias: Tensor<Scalar>?
    public var isTraining = true

    /// A map of `heads` blocks, each `inputsPerHead` to `outputsPerHead`.
    ///
    /// - Precondition: positive sizes.
    public init(heads: Int, inputsPerHead: Int, outputsPerHead: Int, bias: Bool = true) {
        orTrap { () throws(xLSTMError) in
            try require(heads > 0, "heads", expected: "a positive count", received: "\(heads)")
            try require(inputsPerHead > 0, "inputsPerHead", expected: "a positive size", received: "\(inputsPerHead)")
            try require(outputsPerHead > 0, "outputsPerHead", expected: "a positive size", received: "\(outputsPerHead)")
        }
        let bound = 1 / Scalar(inputsPerHead).squareRoot()
        weight = .randomUniform([heads, outputsPerHead, inputsPerHead], low: -bound, high: bound, requiresGrad: true)
        self.bias = bias ? .randomUniform([heads * outputsPerHead], low: -bound, high: bound, requiresGrad: true) : nil
    }

    public var ownParameters: [(name: String, tensor: Tensor<Scalar>)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// Maps each head's slice by its own matrix.
    ///
    /// - Parameter input: (..., K * inputsPerHead).
    /// - Returns: (..., K * outputsPerHead).
    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let (heads, outputs, inputs) = (weight.shape[0], weight.shape[1], weight.shape[2])
        orTrap { () throws(xLSTMError) in
            try require(
                input.shape.last == heads * inputs, "input", expected: "last extent \(heads * inputs) (heads x inputs per head)",
                received: "shape \(shapeText(input.shape))")
        }
        let leading = Array(input.shape.dropLast())
        let rows = leading.reduce(1, *)
        // (rows, K, in) -> (K, rows, in) x (K, in, out) -> (K, rows, out) -> (rows, K * out)
        let perHead = input.reshaped([rows, heads, inputs]).permuted([1, 0, 2])
        let mapped = Tensor.matmul(perHead, weight.transposed(1, 2)).permuted([1, 0, 2]).reshaped(leading + [heads * outputs])
        return bias.map { mapped + $0 } ?? mapped
    }
}
