import Foundation
import Testing

/// Every kind of trap, tripped by `trap-probe` built in release
/// configuration: the message reaches standard error and the process dies
/// of the trap's signal (`-O` drops `precondition` messages; the library
/// uses `fatalError` so that it does not).
@Suite(.serialized) struct ReleaseTrapMessageTests {
    static let cases: [(probe: String, message: String)] = [
        ("broadcast", "invalid operands: expected broadcastable shapes (equal extents or 1, aligned at the last dimension), received [2, 3] and [2]"),
        ("matmul", "invalid operands: expected the inner extents to agree, received [2, 3] x [4, 5]"),
        ("index", "invalid indices[1]: expected an index in 0..<3 for shape [2, 3], received 3"),
        ("scalar", "invalid tensor: expected one element, received shape [2]"),
        ("reshape", "invalid shape: expected a shape with 6 elements (from [2, 3]), received [4]"),
        ("slstm-heads", "invalid hiddenSize: expected a multiple of numHeads (3), received 64"),
        ("slstm-input", "invalid input: expected last extent inputSize (4), received shape [5, 2, 3]"),
        ("cell-input", "invalid input: expected last extent inputSize (4), received shape [2, 5]"),
        ("linear-input", "invalid input: expected last extent 3, received shape [2, 4]"),
        ("embedding-index", "invalid indices[1]: expected an index in 0..<4, received 4"),
        ("cross-entropy", "invalid targets[1]: expected a class index in 0..<3 or the ignore index -100, received 3"),
        ("mean-squared-error", "invalid target: expected shape [2, 3], received shape [3]"),
        ("dropout", "invalid probability: expected a probability in [0, 1), received 1.0"),
        ("threads", "invalid Parallelism.threadCount: expected at least 1, received 0"),
        ("backward-twice", "invalid backward(): expected a graph that no earlier backward() has freed"),
        ("changed-after-forward", "invalid backward(): expected the tensors the forward pass read to be unchanged (one of shape [2] was read at version 0), received version 1"),
        ("custom-backward", "invalid gradients of a recorded operation: expected 1 (one per input, nil for none), received 0"),
    ]

    @Test func everyTrapSpeaksInARelease() throws {
        let probe = try ReleaseBuild.binary("trap-probe")
        for (name, message) in Self.cases {
            let outcome = try ReleaseBuild.run(probe, [name])
            #expect(outcome.reason == .uncaughtSignal, "\(name): \(outcome.standardOutput)")
            #expect(outcome.standardError.contains("Fatal error: \(message)"), "\(name): \(outcome.standardError)")
        }
    }
}
