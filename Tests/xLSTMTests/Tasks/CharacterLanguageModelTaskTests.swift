import Foundation
import Testing
@testable import xLSTM

/// The character vocabulary and the language-model task against the text
/// they come from.
@Suite struct CharacterLanguageModelTaskTests {
    static let text = "the cat sat on the mat.\nthe dog sat on the log!\n"

    @Test func theVocabularyIsTheTextsSortedCharacters() throws {
        let vocabulary = try CharacterVocabulary(of: Self.text)
        #expect(vocabulary.alphabet == Array(Set(Self.text)).sorted())
        let tokens = try vocabulary.encode(Self.text)
        #expect(tokens.map { vocabulary.character($0) } == Array(Self.text))
        #expect(vocabulary.decode(tokens) == Self.text)
        #expect(throws: xLSTMError(argument: "prompt", expected: "characters of the vocabulary (\(vocabulary.count) characters)", received: "\"z\" at character 2")) {
            try vocabulary.encode("thz", argument: "prompt")
        }
        #expect(throws: xLSTMError(argument: "text", expected: "at least one character", received: "an empty text")) {
            try CharacterVocabulary(of: "")
        }
    }

    @Test func theVocabularyIsStoredAsOneSortedString() throws {
        let vocabulary = try CharacterVocabulary(of: "bca")
        let json = try JSONEncoder().encode(vocabulary)
        #expect(String(decoding: json, as: UTF8.self) == #"{"alphabet":"abc"}"#)
        #expect(try JSONDecoder().decode(CharacterVocabulary.self, from: json) == vocabulary)
        for corrupt in [#"{"alphabet":"cab"}"#, #"{"alphabet":"aab"}"#, #"{"alphabet":""}"#] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(CharacterVocabulary.self, from: Data(corrupt.utf8)) }
        }
    }

    @Test func trainingWindowsAreSlicesOfTheTextAndTargetsTheirShift() throws {
        let task = try CharacterLanguageModelTask(text: Self.text, heldOutFraction: 0.25)
        let all = try task.vocabulary.encode(Self.text)
        #expect(task.training + task.heldOut == all)
        #expect(task.heldOut.count == Int((Double(all.count) * 0.25).rounded()))
        var generator = Xoshiro256(seed: 5)
        let (inputs, targets) = task.batch(count: 50, length: 6, using: &generator)
        #expect(inputs.count == 50 && targets.count == 300)
        for (row, window) in inputs.enumerated() {
            let target = Array(targets[(row * 6)..<((row + 1) * 6)])
            // Some start in the training part makes window + next token a slice of it.
            let starts = (0..<(task.training.count - 6)).filter { Array(task.training[$0..<($0 + 6)]) == window }
            #expect(starts.contains { Array(task.training[($0 + 1)...($0 + 6)]) == target }, "window \(row)")
        }
    }

    @Test func heldOutWindowsPredictEveryHeldOutTokenOnce() throws {
        let task = try CharacterLanguageModelTask(text: Self.text, heldOutFraction: 0.5)
        for length in [1, 4, 7, 100] {
            let windows = task.heldOutWindows(length: length)
            #expect(windows.allSatisfy { $0.inputs.count == $0.targets.count && $0.inputs.count <= length })
            #expect(windows.flatMap(\.inputs) == Array(task.heldOut.dropLast()))
            #expect(windows.flatMap(\.targets) == Array(task.heldOut.dropFirst()))
        }
    }

    @Test func badSplitsAreErrors() throws {
        #expect(throws: xLSTMError(argument: "heldOutFraction", expected: "a fraction in (0, 1)", received: "1.0")) {
            try CharacterLanguageModelTask(text: Self.text, heldOutFraction: 1)
        }
        #expect(throws: xLSTMError(argument: "text", expected: "enough characters for a training and a held-out part of 2 or more", received: "3 characters")) {
            try CharacterLanguageModelTask(text: "abc")
        }
    }
}
