import Foundation
import TestSupport
import Testing
@testable import xLSTMNN
import xLSTMTensor

/// Files written by PyTorch's `safetensors` read back with their values;
/// files written by us read back by us and (scripts/golden/make_safetensors_golden.py
/// --check, in the test command) by `safetensors.torch.load_file`.
@Suite struct SafeTensorsInteropTests {
    static func fixture(_ name: String) -> URL {
        Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)!
    }

    @Test func readsF32F64F16AndBF16WrittenByTorch() throws {
        let file = try SafeTensorsFile(contentsOf: Self.fixture("torch_dtypes.safetensors"))
        #expect(file.metadata["format"] == "pt")
        let expected = try JSONDecoder().decode(
            [String: Expected].self, from: Data(contentsOf: Self.fixture("torch_dtypes_expected.json")))
        #expect(Set(file.names) == Set(expected.keys))
        for (name, want) in expected {
            let values = want.values.map { Double($0)! }
            let asDouble = try file.tensor(name, as: Double.self)
            #expect(asDouble.shape == want.shape, "\(name)")
            // Every dtype converts exactly to Double (NaN compared as NaN).
            #expect(zip(asDouble.scalars, values).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(name)")
            #expect(zip(asDouble.scalars, values).allSatisfy { $0.sign == $1.sign || $1.isNaN }, "\(name): signs of zero")
            if file.info(name)!.dtype != .f64 {
                // F32, F16 and BF16 values are Floats: converting to Float is exact too.
                let asFloat = try file.tensor(name, as: Float.self)
                #expect(zip(asFloat.scalars, values).allSatisfy { Double($0) == $1 || ($0.isNaN && $1.isNaN) }, "\(name)")
            }
        }
        #expect(file.info("bf16")?.dtype == .bf16 && file.info("f16")?.dtype == .f16)
    }

    struct Expected: Decodable {
        let shape: [Int]
        let values: [String]
    }

    /// The tensors the Python check expects (its formulas, written out here).
    static func swiftWrittenFile() throws -> SafeTensorsWriter {
        var writer = SafeTensorsWriter(metadata: ["writer": "xLSTM"])
        try writer.add("weight", Tensor<Float>(shape: [3, 4], scalars: (0..<12).map { Float($0) * 0.25 - 1 }))
        try writer.add("bias", Tensor<Double>([1.0 / 3, -2.0 / 3, 1e-300, 12345.678]))
        try writer.add("scalar", Tensor<Float>(scalar: 2.5))
        try writer.add("empty", Tensor<Double>.zeros([2, 0]))
        return writer
    }

    @Test func theCommittedSwiftFileIsWhatTheWriterMakes() throws {
        let committed = try [UInt8](Data(contentsOf: Self.fixture("swift_written.safetensors")))
        #expect(try Self.swiftWrittenFile().serialized() == committed)
    }

    @Test func roundTripsBitForBitAndAlignsTheData() throws {
        var generator = Xoshiro256(seed: 4)
        let floats = Tensor<Float>.randomNormal([5, 7], using: &generator)
        let doubles = Tensor<Double>.randomNormal([3, 2, 2], using: &generator)
        var writer = SafeTensorsWriter(metadata: ["a": "b\"c", "ünïcode": "✓"])
        try writer.add("floats", floats)
        try writer.add("doubles", doubles)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("roundtrip-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try writer.write(to: url)
        let file = try SafeTensorsFile(contentsOf: url)
        #expect(file.metadata == ["a": "b\"c", "ünïcode": "✓"])
        #expect(try file.tensor("floats", as: Float.self).scalars.map(\.bitPattern) == floats.scalars.map(\.bitPattern))
        #expect(try file.tensor("doubles", as: Double.self).scalars.map(\.bitPattern) == doubles.scalars.map(\.bitPattern))
        // The header is padded to 8 bytes; F64 data comes first, so every tensor is aligned.
        let bytes = try [UInt8](Data(contentsOf: url))
        let headerLength = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength % 8 == 0)
        #expect(file.info("doubles")?.byteRange == 0..<96 && file.info("floats")?.byteRange == 96..<236)
    }

    @Test func theWriterRejectsDuplicateAndReservedNames() throws {
        var writer = SafeTensorsWriter()
        try writer.add("x", Tensor<Float>([1]))
        #expect(throws: xLSTMError(argument: "name", expected: "a name not yet added", received: "x")) {
            try writer.add("x", Tensor<Float>([2]))
        }
        #expect(throws: xLSTMError(argument: "name", expected: "a tensor name other than __metadata__", received: "__metadata__")) {
            try writer.add("__metadata__", Tensor<Float>([2]))
        }
    }
}
