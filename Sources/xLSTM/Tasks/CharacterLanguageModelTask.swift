import xLSTMNN
import xLSTMTensor

/// Character-level language modelling: predict each next character of a
/// text. The last part of the text is held out for evaluation; training
/// windows come from the rest.
public struct CharacterLanguageModelTask: Sendable {
    /// The name the command line uses.
    public static let name = "char-lm"
    /// The text's characters as tokens.
    public let vocabulary: CharacterVocabulary
    /// Tokens of the training part.
    public let training: [Int]
    /// Tokens of the held-out part (the text's end).
    public let heldOut: [Int]

    /// Splits `text` into a training part and a held-out end of
    /// `heldOutFraction` of its characters.
    ///
    /// - Throws: `xLSTMError` for an empty text, a fraction outside (0, 1), or
    ///   a text too short to leave at least two characters in each part.
    public init(text: String, heldOutFraction: Double = 0.1) throws(xLSTMError) {
        try require(
            heldOutFraction > 0 && heldOutFraction < 1, "heldOutFraction", expected: "a fraction in (0, 1)",
            received: "\(heldOutFraction)")
        vocabulary = try CharacterVocabulary(of: text)
        let tokens = try vocabulary.encode(text)
        let split = tokens.count - Int((Double(tokens.count) * heldOutFraction).rounded())
        try require(
            split >= 2 && tokens.count - split >= 2, "text",
            expected: "enough characters for a training and a held-out part of 2 or more", received: "\(tokens.count) characters")
        training = Array(tokens[..<split])
        heldOut = Array(tokens[split...])
    }

    /// `count` windows of `length` tokens drawn uniformly from the training
    /// part, and their targets: each window shifted by one.
    ///
    /// - Precondition: `length` is below the training part's length.
    /// - Returns: inputs (count sequences of `length`) and targets (count × length, row-major).
    public func batch(count: Int, length: Int, using generator: inout Xoshiro256) -> (inputs: [[Int]], targets: [Int]) {
        let starts = (0..<count).map { _ in Int.random(in: 0..<(training.count - length), using: &generator) }
        return (starts.map { Array(training[$0..<($0 + length)]) }, starts.flatMap { Array(training[($0 + 1)...($0 + length)]) })
    }

    /// The held-out part cut into consecutive windows of at most `length`
    /// tokens (inputs) and their next tokens (targets); every held-out token
    /// after the first is a target exactly once.
    public func heldOutWindows(length: Int) -> [(inputs: [Int], targets: [Int])] {
        stride(from: 0, to: heldOut.count - 1, by: length).map { start in
            let end = min(start + length, heldOut.count - 1)
            return (Array(heldOut[start..<end]), Array(heldOut[(start + 1)...end]))
        }
    }
}
