import xLSTMTensor

/// A language model that carries a recurrent state: the prompt is read in
/// one pass (the chunkwise form), then each new token costs one recurrent
/// step, whatever the length of the context.
public protocol RecurrentLanguageModel: AnyObject {
    /// The scalar type of the logits.
    associatedtype Scalar: TensorScalar
    /// What the model carries from one call to the next.
    associatedtype State
    /// The number of tokens.
    var vocabularySize: Int { get }
    /// Logits (1, T, V) for `tokens` read after `state` (the zero state when nil), and the state after them.
    func read(_ tokens: [Int], after state: State?) -> (logits: Tensor<Scalar>, state: State)
    /// Logits (1, 1, V) for one more token, by the recurrent form.
    func step(_ token: Int, after state: State) -> (logits: Tensor<Scalar>, state: State)
}

extension RecurrentLanguageModel {
    /// Continues `prompt` by `maxNewTokens` tokens (fewer when `stopToken`
    /// comes), calling `onToken` with each as soon as it is chosen.
    ///
    ///     let text = try model.generate(prompt: ids, maxNewTokens: 50, sampling: .sample(temperature: 0.8, topP: 0.95), seed: 7)
    ///
    /// - Returns: the new tokens (without the prompt).
    /// - Throws: `xLSTMError` for an empty prompt, a token outside the vocabulary or bad sampling parameters.
    @discardableResult
    public func generate(
        prompt: [Int], maxNewTokens: Int, sampling: Sampling = .greedy, seed: UInt64 = 0, stopToken: Int? = nil,
        onToken: ((Int) -> Void)? = nil
    ) throws(xLSTMError) -> [Int] {
        try require(!prompt.isEmpty, "prompt", expected: "at least one token", received: "none")
        if let bad = prompt.firstIndex(where: { $0 < 0 || $0 >= vocabularySize }) {
            throw xLSTMError(argument: "prompt[\(bad)]", expected: "a token in 0..<\(vocabularySize)", received: "\(prompt[bad])")
        }
        try require(maxNewTokens >= 0, "maxNewTokens", expected: "a count >= 0", received: "\(maxNewTokens)")
        try sampling.validate()
        var generator = Xoshiro256(seed: seed)
        return withoutGradients {
            var (logits, state) = read(prompt, after: nil)
            var tokens: [Int] = []
            while tokens.count < maxNewTokens {
                let vocabulary = logits.shape[2]
                let last = Array(logits.scalars[((logits.shape[1] - 1) * vocabulary)...])
                let token = sampling.choose(last, using: &generator)
                tokens.append(token)
                onToken?(token)
                if token == stopToken || tokens.count == maxNewTokens { break }
                (logits, state) = step(token, after: state)
            }
            return tokens
        }
    }
}

extension xLSTMLarge: RecurrentLanguageModel {
    public var vocabularySize: Int { configuration.vocabularySize }

    public func read(_ tokens: [Int], after state: [mLSTMState<Scalar>]?) -> (logits: Tensor<Scalar>, state: [mLSTMState<Scalar>]) {
        let (logits, states) = forward([tokens], states: state, chunkSize: configuration.chunkSize)
        return (logits, states)
    }

    public func step(_ token: Int, after state: [mLSTMState<Scalar>]) -> (logits: Tensor<Scalar>, state: [mLSTMState<Scalar>]) {
        let (logits, states) = forward([[token]], states: state, chunkSize: 1)
        return (logits, states)
    }
}

extension xLSTMLanguageModel: RecurrentLanguageModel {
    public var vocabularySize: Int { configuration.vocabularySize }

    public func read(_ tokens: [Int], after state: [xLSTMBlockState<Scalar>]?) -> (logits: Tensor<Scalar>, state: [xLSTMBlockState<Scalar>]) {
        let (logits, states) = self([tokens], states: state)
        return (logits, states)
    }

    public func step(_ token: Int, after state: [xLSTMBlockState<Scalar>]) -> (logits: Tensor<Scalar>, state: [xLSTMBlockState<Scalar>]) {
        let (logits, states) = self([[token]], states: state)
        return (logits, states)
    }
}
