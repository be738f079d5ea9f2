import Foundation
import Testing

/// A 20-step run of every model on every task it can learn, in the release
/// build: each prints its header, its progress and its final measurement.
@Suite struct CommandLineSmokeTests {
    static let formalTasks = ["parity", "even-pairs", "cycle-navigation", "modular-arithmetic", "majority", "majority-count"]
    static let classifiers = ["slstm", "lstm", "mlstm", "xlstm"]
    static let languageModels = ["slstm", "mlstm", "xlstm", "xlstm-large"]

    @Test(arguments: formalTasks, classifiers)
    func everyClassifierLearnsEveryFormalTask(task: String, model: String) throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, [
            "train", "--task", task, "--model", model, "--steps", "20", "--hidden-size", "16", "--test-count", "8",
            "--test-lengths", "40-60", "--threads", "1",
        ])
        #expect(outcome.status == 0, "\(task) \(model): \(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n")
        #expect(lines.first?.hasPrefix("\(task): train lengths 3...40") == true && lines.first?.contains("; \(model) H=16 K=1") == true)
        #expect(lines.contains { $0.hasPrefix("step    20  loss ") }, "\(outcome.standardOutput)")
        #expect(lines.last?.hasPrefix("test accuracy on lengths 40...60: ") == true && lines.last?.contains("scaled accuracy") == true)
    }

    @Test(arguments: languageModels)
    func everyLanguageModelLearnsTheBuiltInText(model: String) throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, [
            "train", "--task", "char-lm", "--model", model, "--steps", "20", "--batch-size", "4", "--context", "32",
            "--hidden-size", "16", "--heads", "2", "--threads", "1",
        ])
        #expect(outcome.status == 0, "\(model): \(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n")
        let counts = "\(BuiltInText.trainingCount) training and \(BuiltInText.heldOutCount) held-out characters, \(BuiltInText.distinctCount) distinct"
        #expect(lines.first?.hasPrefix("char-lm: \(counts); \(model) H=16 K=2") == true, "\(lines.first ?? "")")
        #expect(lines.contains { $0.hasPrefix("step    20  loss ") })
        #expect(lines.contains { $0.hasPrefix("held-out loss ") && $0.hasSuffix(" bits per character") })
        #expect(lines.last?.hasPrefix("greedy continuation of ") == true)
    }

    /// `--blocks` sets the mLSTM classifier's depth and the language models':
    /// each block adds the same parameters.
    @Test(arguments: [
        ["--model", "mlstm", "--test-count", "4", "--test-lengths", "40-41"], ["--task", "char-lm", "--model", "mlstm", "--context", "8"],
        ["--task", "char-lm", "--model", "xlstm-large", "--context", "8", "--heads", "2"],
    ])
    func blocksSetsTheDepth(options: [String]) throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let counts = try [1, 2, 3].map { blocks in
            let outcome = try ReleaseBuild.run(xlstm, [
                "train", "--steps", "1", "--hidden-size", "16", "--threads", "1", "--blocks", "\(blocks)",
            ] + options)
            #expect(outcome.status == 0, "\(outcome.standardError)")
            let header = try #require(outcome.standardOutput.split(separator: "\n").first)
            return try CommandLineTrainingOptionTests.parameterCount(header)
        }
        #expect(counts[0] < counts[1] && counts[2] - counts[1] == counts[1] - counts[0], "\(counts)")
    }
}
