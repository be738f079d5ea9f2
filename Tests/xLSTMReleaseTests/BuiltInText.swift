import Foundation

/// Counts of the built-in text of `xlstm train --task char-lm`, taken from
/// the text itself (the raw string literal in the generated
/// `Sources/xLSTMCLI/GenesisText.swift`) rather than from a run, with the
/// split the task documents: the last tenth of the characters, rounded,
/// held out. An empty text (the file not found or its literal changed)
/// gives counts no run prints, so the tests that use them fail.
enum BuiltInText {
    static let characters: String = {
        let source = ReleaseBuild.root.appendingPathComponent("Sources/xLSTMCLI/GenesisText.swift")
        guard let file = try? String(contentsOf: source, encoding: .utf8),
            let opening = file.range(of: "#\"\"\"\n"), let closing = file.range(of: "\n\"\"\"#", options: .backwards),
            opening.upperBound <= closing.lowerBound
        else { return "" }
        return String(file[opening.upperBound..<closing.lowerBound])
    }()

    static var heldOutCount: Int { Int((Double(characters.count) * 0.1).rounded()) }
    static var trainingCount: Int { characters.count - heldOutCount }
    static var distinctCount: Int { Set(characters).count }
}
