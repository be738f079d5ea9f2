import xLSTMNN

/// The characters of a text, each a token: token i is the i-th character of
/// ``alphabet`` (sorted, without repeats).
public struct CharacterVocabulary: Codable, Equatable, Sendable {
    /// Every character a token stands for, in token order.
    public let alphabet: [Character]

    /// The vocabulary of the distinct characters of `text`.
    ///
    /// - Throws: `xLSTMError` when `text` is empty.
    public init(of text: String) throws(xLSTMError) {
        try require(!text.isEmpty, "text", expected: "at least one character", received: "an empty text")
        alphabet = Set(text).sorted()
    }

    /// The number of tokens.
    public var count: Int { alphabet.count }

    /// The tokens of `text`.
    ///
    /// - Parameters:
    ///   - text: the characters to encode.
    ///   - argument: the name the error gives `text`.
    /// - Throws: `xLSTMError` naming the first character outside the vocabulary.
    public func encode(_ text: String, argument: String = "text") throws(xLSTMError) -> [Int] {
        var tokens: [Int] = []
        tokens.reserveCapacity(text.count)
        for (offset, character) in text.enumerated() {
            guard let token = index[character] else {
                throw xLSTMError(
                    argument: argument, expected: "characters of the vocabulary (\(count) characters)",
                    received: "\(character.debugDescription) at character \(offset)")
            }
            tokens.append(token)
        }
        return tokens
    }

    /// The character token `token` stands for.
    ///
    /// - Precondition: `token` is in `0..<count`.
    public func character(_ token: Int) -> Character { alphabet[token] }

    /// The text of `tokens`, each in `0..<count`.
    public func decode(_ tokens: [Int]) -> String { String(tokens.map { alphabet[$0] }) }

    private var index: [Character: Int] {
        Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($0.element, $0.offset) })
    }

    // Stored in a checkpoint's config.json as one string.
    private enum CodingKeys: String, CodingKey { case alphabet }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .alphabet)
        let characters = Array(text)
        guard !characters.isEmpty, characters == Set(characters).sorted() else {
            throw DecodingError.dataCorruptedError(
                forKey: .alphabet, in: container, debugDescription: "expected distinct characters in sorted order")
        }
        alphabet = characters
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(String(alphabet), forKey: .alphabet)
    }
}
