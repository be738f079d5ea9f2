import Foundation
import Testing

/// What `xlstm train` shows while it runs: a live progress bar on a terminal
/// (here a pseudo-terminal made by util-linux's `script`), plain lines every
/// 50 steps otherwise.
@Suite struct CommandLineProgressTests {
    static let arguments = ["train", "--steps", "120", "--test-count", "8", "--threads", "1"]

    @Test func aTerminalGetsALiveProgressBar() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let command = ([xlstm] + Self.arguments).joined(separator: " ")
        let outcome = try ReleaseBuild.run("/usr/bin/script", ["-qfec", command, "/dev/null"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let screen = outcome.standardOutput
        // console-kit redraws the bar in place: erase-line commands, a bar of
        // '=' and the finished bar's [Done]; no plain progress lines.
        #expect(screen.contains("\u{1B}[2K") && screen.contains("[Done]"))
        #expect(screen.contains("step 120/120  loss ") && screen.contains(" strings/s  ETA "))
        #expect(screen.contains(/\[[= ]{25}\]/))
        #expect(!screen.contains("step    50  loss"))
        #expect(screen.contains("test accuracy on lengths 40...256: "))
    }

    @Test func aPipeGetsPlainLines() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, Self.arguments)
        #expect(outcome.status == 0, "\(outcome.standardError)")
        #expect(!outcome.standardOutput.contains("\u{1B}["))
        let progress = outcome.standardOutput.split(separator: "\n").filter { $0.hasPrefix("step ") }
        #expect(progress.map { $0.prefix(10) } == ["step    50", "step   100", "step   120"])
    }
}
