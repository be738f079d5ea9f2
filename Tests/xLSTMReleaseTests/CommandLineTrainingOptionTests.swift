import Foundation
import Testing

/// Valid values of `xlstm train`'s options change the run the way their
/// help says (``CommandLineOptionTests`` covers the invalid ones).
@Suite struct CommandLineTrainingOptionTests {
    /// A short single-threaded run (so the same options give the same
    /// output), with `options` after the common ones.
    static func train(_ options: [String]) throws -> (header: Substring, losses: [Substring]) {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, [
            "train", "--steps", "20", "--hidden-size", "16", "--test-count", "8", "--test-lengths", "40-41",
            "--threads", "1",
        ] + options)
        #expect(outcome.status == 0, "\(options): \(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n")
        // A progress line ends with the elapsed seconds, which differ between runs.
        let losses = lines.filter { $0.hasPrefix("step ") }.map { $0.split(separator: " ").dropLast().joined(separator: " ")[...] }
        #expect(!losses.isEmpty, "\(options): \(outcome.standardOutput)")
        return (try #require(lines.first), losses)
    }

    /// The parameter count at the end of the header line.
    static func parameterCount(_ header: Substring) throws -> Int {
        try #require(Int(header.split(separator: " ").dropLast().last ?? ""), "\(header)")
    }

    @Test func aSeedReproducesItsRunAndAnotherSeedChangesIt() throws {
        let seedTwo = try Self.train(["--seed", "2"])
        #expect(try Self.train(["--seed", "2"]).losses == seedTwo.losses)
        #expect(try Self.train([]).losses != seedTwo.losses)
    }

    @Test func theLearningRateChangesTheRun() throws {
        #expect(try Self.train(["--learning-rate", "1e-9"]).losses != Self.train([]).losses)
    }

    @Test func trainLengthsSetTheTrainingStrings() throws {
        let short = try Self.train(["--train-lengths", "3-5"])
        #expect(short.header.hasPrefix("parity: train lengths 3...5 "), "\(short.header)")
        #expect(try short.losses != Self.train([]).losses)
    }

    /// The pattern orders the blocks: `ms` has the parameters of `sm` in
    /// another order (so another run), a third block adds parameters.
    @Test func thePatternOrdersTheBlocks() throws {
        let xlstm = ["--model", "xlstm"]
        let (sm, ms, smm) = try (Self.train(xlstm), Self.train(xlstm + ["--pattern", "ms"]), Self.train(xlstm + ["--pattern", "smm"]))
        #expect(sm.header.contains(" pattern sm,") && ms.header.contains(" pattern ms,") && smm.header.contains(" pattern smm,"))
        #expect(try Self.parameterCount(ms.header) == Self.parameterCount(sm.header))
        #expect(try Self.parameterCount(smm.header) > Self.parameterCount(sm.header))
        #expect(ms.losses != sm.losses)
    }
}
