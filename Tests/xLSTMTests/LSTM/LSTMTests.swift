import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// The classic LSTM baseline: torch.nn.LSTM's outputs from its own weights
/// (a golden file by scripts/golden/make_lstm_golden.py), finite
/// differences, and unequal lengths equal to per-sequence runs.
@Suite struct LSTMTests {
    @Test func reproducesTorchNNLSTM() throws {
        let url = try #require(Bundle.module.url(forResource: "torch_lstm", withExtension: "safetensors", subdirectory: "Fixtures"))
        let file = try SafeTensorsFile(contentsOf: url)
        let lstm = try LSTM<Double>(inputSize: 4, hiddenSize: 5, numLayers: 2)
        let report = try lstm.load(safetensors: file, strict: false)
        #expect(report.missing.isEmpty && Set(report.unexpected) == ["input", "output", "h_n", "c_n"])
        let (outputs, h, c) = lstm(try file.tensor("input", as: Double.self))
        expectClose(outputs, try file.tensor("output", as: Double.self), .sameMath(Double.self), "outputs")
        expectClose(h, try file.tensor("h_n", as: Double.self), .sameMath(Double.self), "h_n")
        expectClose(c, try file.tensor("c_n", as: Double.self), .sameMath(Double.self), "c_n")
    }

    @Test func gradientsAndLengths() throws {
        let lstm = try Random.withSeed(3) { try LSTM<Double>(inputSize: 3, hiddenSize: 4, numLayers: 2) }
        let x = random([5, 2, 3], seed: 4)
        checkGradients(of: [("x", x)] + lstm.namedParameters, sampled: 8) {
            let (outputs, h, c) = lstm(x, lengths: [5, 3])
            return weightedSum(outputs, seed: 5) + weightedSum(h, seed: 6) + weightedSum(c, seed: 7)
        }
        let (padded, h, _) = lstm(x, lengths: [5, 3])
        let (alone, hAlone, _) = lstm(x.slice(alongAxis: 0, 0..<3).slice(alongAxis: 1, 1..<2))
        expectClose(padded.slice(alongAxis: 0, 0..<3).slice(alongAxis: 1, 1..<2), alone, .sameMath(Double.self), "row 1")
        expectClose(h.slice(alongAxis: 1, 1..<2), hAlone, .sameMath(Double.self), "final h of row 1")
        #expect(padded.slice(alongAxis: 0, 3..<5).slice(alongAxis: 1, 1..<2).scalars.allSatisfy { $0 == 0 })
    }
}
