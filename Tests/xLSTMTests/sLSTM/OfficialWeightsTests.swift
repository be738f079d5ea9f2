import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// Weights of the official NX-AI `xlstm` sLSTMCell, converted by
/// scripts/convert/convert_official_slstm.py: our sLSTM, built from the
/// configuration in the file alone, reproduces the official cell's outputs
/// and final state (golden files made by the official package, in float64,
/// by scripts/golden/make_official_slstm_golden.py).
@Suite struct OfficialWeightsTests {
    @Test(arguments: ["1head", "3heads", "4heads"])
    func reproducesTheOfficialCell(name: String) throws {
        let url = try #require(Bundle.module.url(forResource: "official_slstm_\(name)", withExtension: "safetensors", subdirectory: "Fixtures"))
        let file = try SafeTensorsFile(contentsOf: url)
        let configuration = try JSONDecoder().decode(sLSTMConfiguration.self, from: Data(file.metadata["config"]!.utf8))
        #expect(configuration.forgetGate == .sigmoid)
        for backend in sLSTMBackend.allCases {
            let slstm = try sLSTM<Float>(configuration: configuration)
            slstm.backend = backend
            let report = try slstm.load(safetensors: file, strict: false)
            #expect(report.missing.isEmpty && report.shapeMismatches.isEmpty)
            #expect(Set(report.unexpected) == ["input", "output", "final_h", "final_c", "final_n", "final_m"])
            let (outputs, state) = try withoutGradients { try slstm.forward(file.tensor("input", as: Float.self)) }
            expectClose(outputs, try file.tensor("output", as: Double.self), .floatAgainstGolden, "\(backend) outputs")
            let (batch, hidden) = (outputs.shape[1], configuration.hiddenSize)
            for (field, tensor) in [("h", state.h), ("c", state.c), ("n", state.n), ("m", state.m)] {
                expectClose(
                    tensor.reshaped([batch, hidden]), try file.tensor("final_\(field)", as: Double.self), .floatAgainstGolden,
                    "\(backend) final \(field)")
            }
        }
    }
}
