import xLSTMTensor

/// The sizes of the paper's xLSTM blocks (Beck et al. 2024, appendix; the
/// defaults of the official implementation), shared by ``mLSTMBlock``,
/// ``sLSTMBlock``, ``xLSTMBlockStack`` and ``xLSTMLanguageModel``.
public struct xLSTMBlockConfiguration: Codable, Equatable, Sendable {
    /// The width D of the residual stream.
    public var embeddingSize: Int
    /// Heads of the mLSTM (each of `2 D / mLSTMHeads` units, after the up-projection).
    public var mLSTMHeads: Int
    /// Heads of the sLSTM (each of `D / sLSTMHeads` units).
    public var sLSTMHeads: Int
    /// Steps of the causal convolutions.
    public var convolutionKernelSize: Int
    /// The mLSTM block's up-projection factor: inner width `factor * D`.
    public var mLSTMProjectionFactor: Int
    /// Width of the head-wise blocks of the mLSTM's q, k and v projections.
    public var qkvBlockSize: Int
    /// The sLSTM block's feed-forward factor (4/3); the hidden width is rounded up to a multiple of 64.
    public var feedForwardFactor: Double
    /// Steps per chunk of the mLSTM's chunkwise form.
    public var chunkSize: Int

    /// The paper's block sizes for a residual stream of `embeddingSize`.
    public init(
        embeddingSize: Int, mLSTMHeads: Int = 4, sLSTMHeads: Int = 4, convolutionKernelSize: Int = 4,
        mLSTMProjectionFactor: Int = 2, qkvBlockSize: Int = 4, feedForwardFactor: Double = 4.0 / 3, chunkSize: Int = 64
    ) {
        self.embeddingSize = embeddingSize
        self.mLSTMHeads = mLSTMHeads
        self.sLSTMHeads = sLSTMHeads
        self.convolutionKernelSize = convolutionKernelSize
        self.mLSTMProjectionFactor = mLSTMProjectionFactor
        self.qkvBlockSize = qkvBlockSize
        self.feedForwardFactor = feedForwardFactor
        self.chunkSize = chunkSize
    }

    /// The mLSTM block's inner width.
    public var innerSize: Int { mLSTMProjectionFactor * embeddingSize }

    /// The sLSTM block's feed-forward width: `feedForwardFactor * D` rounded up to a multiple of 64.
    public var feedForwardSize: Int { Int((feedForwardFactor * Double(embeddingSize) / 64).rounded(.up)) * 64 }

    /// Positive sizes; heads and block size dividing their widths.
    public func validate() throws(xLSTMError) {
        for (name, value) in [
            ("embeddingSize", embeddingSize), ("mLSTMHeads", mLSTMHeads), ("sLSTMHeads", sLSTMHeads),
            ("convolutionKernelSize", convolutionKernelSize), ("mLSTMProjectionFactor", mLSTMProjectionFactor),
            ("qkvBlockSize", qkvBlockSize), ("chunkSize", chunkSize),
        ] {
            try require(value > 0, name, expected: "a positive value", received: "\(value)")
        }
        try require(
            innerSize % mLSTMHeads == 0, "mLSTMHeads", expected: "a divisor of the inner size \(innerSize)",
            received: "\(mLSTMHeads)")
        try require(
            innerSize % qkvBlockSize == 0, "qkvBlockSize", expected: "a divisor of the inner size \(innerSize)",
            received: "\(qkvBlockSize)")
        try require(
            embeddingSize % sLSTMHeads == 0, "sLSTMHeads", expected: "a divisor of embeddingSize (\(embeddingSize))",
            received: "\(sLSTMHeads)")
        try require(
            feedForwardFactor > 0 && feedForwardFactor.isFinite, "feedForwardFactor", expected: "a finite value > 0",
            received: "\(feedForwardFactor)")
    }
}

/// What a block carries from one call to the next: the recurrent state and
/// the causal convolution's last K - 1 inputs.
public enum xLSTMBlockState<Scalar: TensorScalar> {
    /// An mLSTM block's state and convolution history (B, K - 1, inner size).
    case mLSTM(mLSTMState<Scalar>, convolution: Tensor<Scalar>)
    /// An sLSTM block's state and convolution history (B, K - 1, D).
    case sLSTM(sLSTMState<Scalar>, convolution: Tensor<Scalar>)

    /// The same values cut from the graph (truncated BPTT, generation).
    public func detached() -> xLSTMBlockState {
        switch self {
        case .mLSTM(let state, let history): .mLSTM(state.detached(), convolution: history.detached())
        case .sLSTM(let state, let history): .sLSTM(state.detached(), convolution: history.detached())
        }
    }
}

/// Runs a causal convolution over `x` (B, T, C) after `history` (B, K - 1, C)
/// of earlier inputs; returns the outputs (B, T, C) and the new history.
func convolve<Scalar>(
    _ convolution: CausalConvolution<Scalar>, _ x: Tensor<Scalar>, after history: Tensor<Scalar>
) -> (outputs: Tensor<Scalar>, history: Tensor<Scalar>) {
    let (steps, kept) = (x.shape[1], history.shape[1])
    let extended = kept == 0 ? x : Tensor.concatenate([history, x], alongAxis: 1)
    let outputs = convolution(extended).slice(alongAxis: 1, kept..<(kept + steps))
    return (outputs, extended.slice(alongAxis: 1, (extended.shape[1] - kept)..<extended.shape[1]))
}
