import Foundation
import Testing

/// `xlstm eval` on a checkpoint written by `xlstm train`: one row per length
/// bucket, the buckets tiling --test-lengths; a task of another vocabulary
/// or class count is an error naming --task.
@Suite(.serialized) struct CommandLineEvalTests {
    @Test func evaluatesTheLatestCheckpointByLengthBucket() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlstm-eval-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The README's parity job, which generalizes to every test length.
        let train = try ReleaseBuild.run(
            xlstm, ["train", "--steps", "1000", "--test-count", "64", "--threads", "1", "--checkpoint-dir", directory, "--checkpoint-every", "500"])
        #expect(train.status == 0, "\(train.standardError)")
        let eval = try ReleaseBuild.run(
            xlstm, ["eval", "--checkpoint-dir", directory, "--test-lengths", "40-256", "--buckets", "3", "--count", "64", "--threads", "1"])
        #expect(eval.status == 0, "\(eval.standardError)")
        let rows = eval.standardOutput.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| lengths") }
        #expect(rows.map { $0.split(separator: "|")[0].trimmingCharacters(in: .whitespaces) } == ["40-111", "112-183", "184-256"])
        #expect(rows.allSatisfy { $0.hasSuffix("| 1.000 | 1.000 |") }, "\(eval.standardOutput)")
        #expect(eval.standardOutput.hasPrefix("parity, step-00001000, 64 strings per bucket (chance 0.500)"))

        let mismatch = try ReleaseBuild.run(xlstm, ["eval", "--checkpoint-dir", directory, "--task", "cycle-navigation"])
        #expect(mismatch.status == 64)
        #expect(mismatch.standardError.contains(
            "Error: --task: cycle-navigation has 3 tokens and 5 classes; the checkpoint's model has 2 and 2"))
    }
}
