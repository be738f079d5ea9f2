import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The character language model from end to end in the release build:
/// train on a text of one's own with checkpoints, metrics and a report;
/// resume; evaluate and generate from the checkpoint.
@Suite(.serialized) struct CommandLineLanguageModelTests {
    static let sentence = "Now the serpent was more subtil than any beast of the field which the LORD God had made. "
    static var text: String { String(repeating: sentence, count: 30) }

    /// A scratch folder with the text in `text.txt`.
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xlstm-char-lm-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try text.write(to: folder.appendingPathComponent("text.txt"), atomically: true, encoding: .utf8)
        return folder
    }

    static func arguments(_ folder: URL, steps: Int = 40, model: String = "xlstm") -> [String] {
        [
            "train", "--task", "char-lm", "--model", model, "--text", folder.appendingPathComponent("text.txt").path,
            "--steps", "\(steps)", "--batch-size", "4", "--context", "24", "--hidden-size", "16", "--heads", "2",
            "--threads", "1",
        ]
    }

    static func line(_ prefix: String, in output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix(prefix) }.map(String.init)
    }

    @Test func trainEvaluateAndGenerateFromACheckpoint() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs = folder.appendingPathComponent("run").path
        let report = folder.appendingPathComponent("report")
        let train = try ReleaseBuild.run(xlstm, Self.arguments(folder) + [
            "--checkpoint-dir", runs, "--checkpoint-every", "20", "--report", report.path, "--metrics",
            folder.appendingPathComponent("metrics.jsonl").path,
        ])
        #expect(train.status == 0, "\(train.standardError)")
        let characters = Self.text.count
        let heldOut = Int((Double(characters) * 0.1).rounded())
        #expect(train.standardOutput.hasPrefix(
            "char-lm: \(characters - heldOut) training and \(heldOut) held-out characters, \(Set(Self.text).count) distinct; xlstm H=16 K=2 pattern sm"))
        let trained = try #require(Self.line("held-out loss ", in: train.standardOutput))

        // The checkpoint alone gives the same held-out loss.
        let eval = try ReleaseBuild.run(xlstm, [
            "eval", "--checkpoint-dir", runs, "--task", "char-lm", "--text", folder.appendingPathComponent("text.txt").path,
            "--context", "24", "--threads", "1",
        ])
        #expect(eval.status == 0, "\(eval.standardError)")
        #expect(Self.line("held-out loss ", in: eval.standardOutput) == trained)

        // Greedy generation from --prompt and from standard input agree; every character is the text's.
        let fromOption = try ReleaseBuild.run(xlstm, ["generate", "--checkpoint-dir", runs, "--prompt", "the serpent", "--max-new-tokens", "30"])
        #expect(fromOption.status == 0, "\(fromOption.standardError)")
        let continuation = String(fromOption.standardOutput.dropLast())
        #expect(continuation.count == 30 && continuation.allSatisfy(Set(Self.text).contains))
        let fromInput = try ReleaseBuild.run("/bin/sh", ["-c", "printf 'the serpent\\n' | '\(xlstm)' generate --checkpoint-dir '\(runs)' --max-new-tokens 30"])
        #expect(fromInput.standardOutput == fromOption.standardOutput, "\(fromInput.standardError)")
        // Sampling: the seed decides.
        let sample = { (seed: Int) in
            try ReleaseBuild.run(xlstm, [
                "generate", "--checkpoint-dir", runs, "--prompt", "the", "--max-new-tokens", "40", "--temperature", "1.5",
                "--top-k", "20", "--top-p", "0.99", "--seed", "\(seed)",
            ]).standardOutput
        }
        #expect(try sample(1) == sample(1))
        #expect(try sample(1) != sample(2))

        // The report: the loss chart and the continuation, no length chart.
        let html = try CommandLineReportTests.parse(report.appendingPathComponent("index.html"))
        #expect(html.elements.filter { $0.name == "img" }.map { $0.attributes["src"] } == ["training.svg"])
        #expect(html.elements.contains { $0.name == "p" && $0.attributes["class"] == "sample" })
        #expect(html.text.contains("bits per character"))
        let chart = try CommandLineReportTests.parse(report.appendingPathComponent("training.svg"))
        #expect(chart.elements.filter { $0.name == "polyline" }.map { $0.attributes["data-name"] } == ["xlstm"])
        #expect(!FileManager.default.fileExists(atPath: report.appendingPathComponent("generalization.svg").path))
        let records = try String(contentsOf: folder.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(records.count == 2 && records[1].contains("\"bits_per_character\""))
    }

    @Test func resumedEqualsUninterrupted() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let whole = try ReleaseBuild.run(xlstm, Self.arguments(folder, model: "xlstm-large"))
        let runs = folder.appendingPathComponent("run").path
        let first = try ReleaseBuild.run(xlstm, Self.arguments(folder, steps: 40, model: "xlstm-large") + ["--checkpoint-dir", runs, "--checkpoint-every", "20"])
        #expect(first.status == 0, "\(first.standardError)")
        // Drop the step-40 checkpoint: the resumed run starts from step 20.
        try FileManager.default.removeItem(atPath: runs + "/step-00000040")
        try "step-00000020".write(toFile: runs + "/latest", atomically: true, encoding: .utf8)
        let resumed = try ReleaseBuild.run(xlstm, Self.arguments(folder, model: "xlstm-large") + ["--checkpoint-dir", runs, "--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed from \(runs) at step 20"))
        let loss = Self.line("held-out loss ", in: whole.standardOutput)
        #expect(loss != nil && Self.line("held-out loss ", in: resumed.standardOutput) == loss)
        #expect(Self.line("greedy continuation", in: resumed.standardOutput) == Self.line("greedy continuation", in: whole.standardOutput))
    }

    /// A language model's window costs more than a formal string: its default batch is 16, not 32.
    @Test func compareTrainsEachLanguageModelWithTheLanguageModelsDefaultBatch() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, [
            "train", "--task", "char-lm", "--compare", "slstm,mlstm", "--steps", "1", "--context", "8", "--hidden-size", "16",
            "--heads", "2", "--threads", "1",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("char-lm on the Book of Genesis (KJV), 1 steps of 16 × 8 characters, H=16, seed 1:"))
        let rows = outcome.standardOutput.split(separator: "\n").filter { $0.hasPrefix("| slstm |") || $0.hasPrefix("| mlstm |") }
        #expect(rows.count == 2)
        #expect(outcome.standardOutput.contains("| model | parameters | held-out loss (nats/char) | bits per character | wall |"))
    }

    @Test func badPromptsTextsAndTasksAreErrorsNamingTheOption() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runs = folder.appendingPathComponent("run").path
        let train = try ReleaseBuild.run(xlstm, Self.arguments(folder, steps: 2) + ["--checkpoint-dir", runs, "--checkpoint-every", "2"])
        #expect(train.status == 0, "\(train.standardError)")
        let cases: [([String], String)] = [
            (["generate", "--checkpoint-dir", runs, "--prompt", "the ßerpent"], "Error: --prompt: expected characters of the vocabulary (\(Set(Self.text).count) characters), received \"ß\" at character 4"),
            (["eval", "--checkpoint-dir", runs], "Error: --task: expected char-lm for a character language model"),
            (["eval", "--checkpoint-dir", runs, "--task", "char-lm"], "Error: --text: expected the text the model learned (\(Set(Self.text).count) distinct characters), received one of 60 distinct characters"),
        ]
        for (arguments, message) in cases {
            let outcome = try ReleaseBuild.run(xlstm, arguments)
            #expect(outcome.status != 0 && outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
        }
        // A classifier's checkpoint is not a language model.
        let parity = folder.appendingPathComponent("parity").path
        _ = try ReleaseBuild.run(xlstm, ["train", "--steps", "2", "--test-count", "8", "--threads", "1", "--checkpoint-dir", parity, "--checkpoint-every", "2"])
        let generate = try ReleaseBuild.run(xlstm, ["generate", "--checkpoint-dir", parity, "--prompt", "01"])
        #expect(generate.status == 64 && generate.standardError.contains(
            "Error: --checkpoint-dir: expected a character language model (xlstm train --task char-lm), received a SequenceClassifier checkpoint"))
        let eval = try ReleaseBuild.run(xlstm, ["eval", "--checkpoint-dir", parity, "--task", "char-lm"])
        #expect(eval.status == 64 && eval.standardError.contains("Error: --task: expected a formal task for a classifier"))
    }
}
