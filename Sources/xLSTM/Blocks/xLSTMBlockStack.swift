import xLSTMNN
import xLSTMTensor

/// A stack of the paper's blocks in the order a pattern names them ("m" an
/// ``mLSTMBlock``, "s" an ``sLSTMBlock``; for example "msmm"), then a final
/// layer norm (without bias).
///
/// Parameters: `blocks.<i>.*` and `norm.weight`.
public final class xLSTMBlockStack<Scalar: TensorScalar>: Module {
    /// One block of the stack, of either kind.
    public enum Block {
        /// An mLSTM block.
        case mLSTM(mLSTMBlock<Scalar>)
        /// An sLSTM block.
        case sLSTM(sLSTMBlock<Scalar>)

        var module: any Module<Scalar> {
            switch self {
            case .mLSTM(let block): block
            case .sLSTM(let block): block
            }
        }
    }

    /// The blocks, in order.
    public let blocks: [Block]
    /// The final norm.
    public let norm: MultiHeadNorm<Scalar>
    /// The pattern the stack was built from.
    public let pattern: String
    public var isTraining = true

    /// A stack of `pattern`'s blocks, each of `configuration`'s sizes.
    ///
    /// - Throws: `xLSTMError` when the pattern is empty or holds a letter other than "m" and "s", or a size is invalid.
    public init(pattern: String, configuration: xLSTMBlockConfiguration) throws(xLSTMError) {
        try require(
            !pattern.isEmpty && pattern.allSatisfy { $0 == "m" || $0 == "s" }, "pattern",
            expected: "a non-empty string of m (mLSTM) and s (sLSTM) blocks, e.g. \"msmm\"", received: "\"\(pattern)\"")
        var blocks: [Block] = []
        for letter in pattern {
            blocks.append(letter == "m" ? .mLSTM(try mLSTMBlock(configuration: configuration)) : .sLSTM(try sLSTMBlock(configuration: configuration)))
        }
        self.blocks = blocks
        self.pattern = pattern
        norm = MultiHeadNorm(heads: 1, headSize: configuration.embeddingSize, kind: .layer, epsilon: 1e-5)
    }

    public var children: [(name: String, module: any Module<Scalar>)] {
        blocks.enumerated().map { ("blocks.\($0.offset)", $0.element.module) } + [("norm", norm)]
    }

    /// Runs every block over `x` (B, T, D) from `states` (one per block; zero states when nil).
    ///
    /// - Returns: the final norm of the last block's outputs (B, T, D) and each block's state.
    /// - Precondition: `states`, when given, has one state per block, of the block's kind.
    public func callAsFunction(
        _ x: Tensor<Scalar>, states: [xLSTMBlockState<Scalar>]? = nil
    ) -> (outputs: Tensor<Scalar>, states: [xLSTMBlockState<Scalar>]) {
        if let states, states.count != blocks.count {
            trap(xLSTMError(argument: "states", expected: "\(blocks.count) states (one per block)", received: "\(states.count)"))
        }
        var hidden = x
        var next: [xLSTMBlockState<Scalar>] = []
        for (index, block) in blocks.enumerated() {
            let state = states?[index]
            let result: (outputs: Tensor<Scalar>, state: xLSTMBlockState<Scalar>)
            switch block {
            case .mLSTM(let block): result = block(hidden, state: state)
            case .sLSTM(let block): result = block(hidden, state: state)
            }
            hidden = result.outputs
            next.append(result.state)
        }
        return (norm(hidden), next)
    }
}
