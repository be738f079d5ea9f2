import Foundation
import Testing

/// The release `xlstm` never traps on an option value: each bad value gives
/// `Error: ...` naming the option, and exit status 64 (ArgumentParser's usage error).
@Suite(.serialized) struct CommandLineOptionTests {
    static let cases: [(arguments: [String], message: String)] = [
        (["train", "--hidden-size", "0"], "Error: --hidden-size: expected a positive whole number, received 0"),
        (["train", "--heads", "3"], "Error: --heads: expected a divisor of --hidden-size (64), received 3"),
        (["train", "--learning-rate", "nan"], "Error: --learning-rate: expected a finite value > 0, received nan"),
        (["train", "--learning-rate=-1"], "Error: --learning-rate: expected a finite value > 0, received -1.0"),
        (["train", "--train-lengths", "3--40"], "Error: --train-lengths: expected MIN-MAX with 1 <= MIN <= MAX (for example 3-40), received 3--40"),
        (["train", "--test-lengths", "50-40"], "Error: --test-lengths: expected MIN-MAX with 1 <= MIN <= MAX (for example 3-40), received 50-40"),
        (["train", "--steps=-5"], "Error: --steps: expected a positive whole number, received -5"),
        (["train", "--batch-size", "0"], "Error: --batch-size: expected a positive whole number, received 0"),
        (["train", "--test-count", "0"], "Error: --test-count: expected a positive whole number, received 0"),
        (["train", "--threads", "0"], "Error: --threads: expected a positive whole number, received 0"),
        (["train", "--task", "sorting"], "Error: --task: expected one of parity, even-pairs, cycle-navigation, modular-arithmetic, majority, majority-count, char-lm, received sorting"),
        (["train", "--model", "gru"], "Error: --model: expected one of slstm, lstm, mlstm, xlstm, xlstm-large, received gru"),
        (["train", "--model", "lstm", "--heads", "2"], "Error: --heads: expected 1 with lstm, received 2"),
        (["train", "--compare", "slstm"], "Error: --compare: expected two or more distinct models of slstm, lstm, mlstm, xlstm, xlstm-large separated by commas, received slstm"),
        (["train", "--compare", "slstm,lstm", "--checkpoint-dir", "/tmp/x"], "Error: --compare: expected no --checkpoint-dir (one run per model), received slstm,lstm"),
        (["train", "--model", "xlstm-large"], "Error: --model: expected a classifier for parity (xlstm-large needs --task char-lm), received xlstm-large"),
        (["train", "--task", "char-lm", "--compare", "xlstm,lstm"], "Error: --compare: expected a language model for char-lm (not lstm), received lstm"),
        (["train", "--model", "xlstm", "--pattern", "smx"], "Error: --pattern: expected letters m (mLSTM block) and s (sLSTM block), for example sm, received smx"),
        (["train", "--model", "mlstm", "--hidden-size", "5", "--heads", "1"], "Error: --hidden-size, --heads: expected a divisor of the inner size 10 for qkvBlockSize, received 4"),
        (["train", "--task", "char-lm", "--model", "xlstm-large", "--hidden-size", "8", "--heads", "8"], "Error: --hidden-size, --heads: expected"),
        (["train", "--blocks", "0"], "Error: --blocks: expected a positive whole number, received 0"),
        (["train", "--pattern", "ms"], "Error: --pattern: expected xlstm in --model, received ms"),
        (["train", "--compare", "slstm,lstm", "--blocks", "3"], "Error: --blocks: expected mlstm in --compare, received 3"),
        (["train", "--task", "char-lm", "--model", "xlstm", "--blocks", "3"], "Error: --blocks: expected slstm, mlstm or xlstm-large in --model, received 3"),
        (["train", "--task", "char-lm", "--test-count", "5"], "Error: --test-count: expected a formal task (char-lm reads none), received 5"),
        (["train", "--task", "char-lm", "--train-lengths", "3-9"], "Error: --train-lengths: expected a formal task (char-lm reads none), received 3-9"),
        (["train", "--context", "64"], "Error: --context: expected --task char-lm, received 64"),
        (["train", "--text", "/tmp/a.txt"], "Error: --text: expected --task char-lm, received /tmp/a.txt"),
        (["train", "--context", "0"], "Error: --context: expected a positive whole number, received 0"),
        (["train", "--task", "char-lm", "--text", "/nonexistent/book.txt"], "Error: --text: expected a readable file, received /nonexistent/book.txt"),
        (["train", "--task", "char-lm", "--context", "1000000"], "Error: --context: expected fewer characters than the training part of the text (\(BuiltInText.trainingCount)), received 1000000"),
        (["train", "--checkpoint-every", "0"], "Error: --checkpoint-every: expected a positive whole number, received 0"),
        (["train", "--resume"], "Error: --resume: expected a --checkpoint-dir to resume from, received none"),
        (["train", "--resume", "--checkpoint-dir", "/nonexistent/run"], "Error: --resume: expected a checkpoint in /nonexistent/run, found none"),
        (["eval", "--checkpoint-dir", "/nonexistent/run", "--buckets", "0"], "Error: --buckets: expected a positive whole number, received 0"),
        (["eval", "--checkpoint-dir", "/nonexistent/run", "--test-lengths", "40-42", "--buckets", "4"], "Error: --buckets: expected at most 3 (one length per bucket), received 4"),
        (["eval", "--checkpoint-dir", "/nonexistent/run"], "Error: --checkpoint-dir: expected a checkpoint in /nonexistent/run, found none"),
        (["generate"], "Error: --checkpoint-dir, --hugging-face-directory: expected exactly one of the two, received neither"),
        (["generate", "--checkpoint-dir", "/x", "--hugging-face-directory", "/y"], "Error: --checkpoint-dir, --hugging-face-directory: expected exactly one of the two, received both"),
        (["generate", "--checkpoint-dir", "/nonexistent/run", "--prompt", "a"], "Error: --checkpoint-dir: expected a checkpoint in /nonexistent/run, found none"),
        (["eval", "--checkpoint-dir", "/nonexistent/run", "--context", "0"], "Error: --context: expected a positive whole number, received 0"),
        (["generate", "--hugging-face-directory", "/x", "--temperature", "nan"], "Error: --temperature: expected a finite value >= 0, received nan"),
        (["generate", "--hugging-face-directory", "/x", "--top-k", "0"], "Error: --top-k: expected a positive whole number, received 0"),
        (["generate", "--hugging-face-directory", "/x", "--top-p", "1.5"], "Error: --top-p: expected a value in (0, 1], received 1.5"),
        (["bench", "layer", "--kernel", "gpu"], "Error: --kernel: expected one of fast, reference, received gpu"),
        (["bench", "layer", "--batch", "0"], "Error: --batch: expected a positive whole number, received 0"),
        (["bench", "layer", "--warmup=-1"], "Error: --warmup: expected a whole number >= 0, received -1"),
        (["bench", "--runs", "0"], "Error: --runs: expected a positive whole number, received 0"),
        (["bench", "run", "--python", "/nonexistent/python"], "Error: --python: expected an executable Python, received /nonexistent/python"),
        (["bench", "run", "--timeout", "0"], "Error: --timeout: expected a positive number of seconds, received 0.0"),
        (["bench", "run", "--rounds", "0"], "Error: --rounds: expected a positive whole number, received 0"),
        (["bench", "run", "--plain-build", "/nonexistent/xlstm"], "Error: --plain-build: expected an executable xlstm, received /nonexistent/xlstm"),
        (["bench", "lm", "--blocks", "0"], "Error: --blocks: expected a positive whole number, received 0"),
        (["bench", "lm", "--heads", "3"], "Error: --heads: expected heads with hidden-size / 2 divisible by them (q, k at half width), received 3"),
        (["bench", "train", "--layers", "0"], "Error: --layers: expected a positive whole number, received 0"),
        (["bench", "train", "--heads", "3"], "Error: --heads: expected a divisor of --hidden-size (256), received 3"),
    ]

    @Test func everyBadValueIsAnErrorNamingTheOption() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        for (arguments, message) in Self.cases {
            let outcome = try ReleaseBuild.run(xlstm, arguments)
            #expect(outcome.reason == .exit && outcome.status == 64, "\(arguments): status \(outcome.status)")
            #expect(outcome.standardError.contains(message), "\(arguments): \(outcome.standardError)")
        }
    }

    /// A tiny `bench lm` prints one JSON line with every measurement.
    @Test func theLanguageModelBenchmarkPrintsItsRecord() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, [
            "bench", "lm", "--hidden-size", "32", "--heads", "2", "--blocks", "2", "--vocab", "16", "--batch", "2", "--steps", "9",
            "--prompt", "3", "--new-tokens", "2", "--threads", "1", "--warmup", "0", "--runs", "1",
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let record = try JSONSerialization.jsonObject(with: Data(outcome.standardOutput.utf8)) as? [String: Any]
        for key in ["prefill_ms", "train_ms", "decode_ms_per_token", "parameters", "peak_rss_mb"] {
            #expect((record?[key] as? NSNumber)?.doubleValue ?? -1 > 0, "\(key)")
        }
    }

    @Test func compareTrainsEachCoreOnTheSameDataAndPrintsOneTable() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(
            xlstm, ["train", "--compare", "slstm,lstm", "--steps", "5", "--test-count", "8", "--threads", "1"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let rows = outcome.standardOutput.split(separator: "\n").filter { $0.hasPrefix("| slstm |") || $0.hasPrefix("| lstm |") }
        // Embedding (2, 8), W (4H, 8), R (4H, H) with one head, b (4H), readout (2, H) and its bias; H = 64.
        let slstmParameters = 2 * 8 + 4 * 64 * 8 + 4 * 64 * 64 + 4 * 64 + (2 * 64 + 2)
        #expect(rows.count == 2 && rows[0].hasPrefix("| slstm | \(slstmParameters) |"), "\(rows)")
        #expect(outcome.standardOutput.contains("parity, trained on 3-40, tested on 40-256 (8 strings), 5 steps, H=64, seed 1:"))
    }

    @Test func metricsAreAppendedAsJSONLines() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for _ in 0..<2 {
            let outcome = try ReleaseBuild.run(
                xlstm, ["train", "--steps", "60", "--test-count", "8", "--threads", "1", "--metrics", path])
            #expect(outcome.status == 0, "\(outcome.standardError)")
        }
        let records = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        // Two runs appended: progress at steps 50 and 60, then the test, each time.
        #expect(records.map { $0["event"] as? String } == ["train", "train", "test", "train", "train", "test"])
        #expect(records.map { ($0["step"] as? NSNumber)?.intValue } == [50, 60, 60, 50, 60, 60])
        #expect(records.allSatisfy { $0["model"] as? String == "slstm" && $0["task"] as? String == "parity" })
        #expect((records[2]["test_accuracy"] as? NSNumber).map { (0...1).contains($0.doubleValue) } == true)
    }

    @Test func theLSTMBaselineTrains() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, ["train", "--model", "lstm", "--steps", "5", "--test-count", "8", "--threads", "1"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("lstm H=64 K=1"))
        #expect(outcome.standardOutput.contains("test accuracy on lengths 40...256:"))
    }

    @Test func aShortTrainingRunFinishes() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, ["train", "--steps", "20", "--test-count", "16", "--threads", "1"])
        #expect(outcome.reason == .exit && outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("test accuracy on lengths 40...256:"))
    }
}
