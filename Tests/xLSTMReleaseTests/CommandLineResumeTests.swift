import Foundation
import Testing

/// A real `xlstm train`, killed with SIGKILL as soon as its first checkpoint
/// exists, then resumed with `--resume`, ends with the same final loss and
/// test accuracy as a run that was never interrupted.
@Suite(.serialized) struct CommandLineResumeTests {
    static let options = [
        "train", "--steps", "300", "--hidden-size", "32", "--test-count", "128", "--threads", "1",
        "--checkpoint-every", "100",
    ]

    /// The last progress line without its elapsed time, and the test-accuracy line.
    static func results(_ output: String) -> [String] {
        let lines = output.split(separator: "\n").map(String.init)
        let progress = lines.last { $0.hasPrefix("step ") }.map { $0.split(separator: " ").dropLast().joined(separator: " ") }
        return [progress ?? "no progress line", lines.last { $0.hasPrefix("test accuracy") } ?? "no test line"]
    }

    @Test func killedAndResumedEqualsUninterrupted() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("xlstm-resume-\(UUID())")
        defer { try? FileManager.default.removeItem(at: root) }
        let (whole, killed) = (root.appendingPathComponent("whole").path, root.appendingPathComponent("killed").path)

        let uninterrupted = try ReleaseBuild.run(xlstm, Self.options + ["--checkpoint-dir", whole])
        #expect(uninterrupted.status == 0, "\(uninterrupted.standardError)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: xlstm)
        process.arguments = Self.options + ["--checkpoint-dir", killed]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let latest = killed + "/latest"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: latest) && process.isRunning && Date() < deadline {
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL,
                "the run finished before it could be killed")
        let checkpoint = try String(contentsOfFile: latest, encoding: .utf8)
        #expect(checkpoint.hasPrefix("step-00000"), "latest: \(checkpoint)")

        let resumed = try ReleaseBuild.run(xlstm, Self.options + ["--checkpoint-dir", killed, "--resume"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        #expect(resumed.standardOutput.contains("resumed from \(killed) at step "))
        #expect(Self.results(resumed.standardOutput) == Self.results(uninterrupted.standardOutput))
        #expect(Self.results(uninterrupted.standardOutput)[1].hasPrefix("test accuracy on lengths 40...256: "))
    }
}
