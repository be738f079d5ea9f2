import Foundation
import Testing
@testable import xLSTMNN
import xLSTMTensor

/// Thousands of damaged copies of a valid file: each is rejected with a
/// SafeTensorsError or opens as a valid file whose every tensor reads
/// within bounds; none crashes (a crash fails the whole test run).
@Suite struct SafeTensorsMutationTests {
    /// A valid file with three dtypes, metadata and an empty tensor.
    static func validFile() throws -> [UInt8] {
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "step": "12"])
        try writer.add("weight", Tensor<Float>.full(0.5, shape: [3, 4]))
        try writer.add("bias", Tensor<Double>([1, 2, 3]))
        try writer.add("empty", Tensor<Float>.zeros([0, 2]))
        return writer.serialized()
    }

    /// Opens `bytes`; when it opens, reads every floating-point tensor and
    /// checks that the entries tile the data exactly. Returns whether it opened.
    @discardableResult
    static func openAndRead(_ bytes: [UInt8]) -> Bool {
        guard let file = try? SafeTensorsFile(bytes: bytes, path: "mutant.safetensors") else { return false }
        var end = 0
        for name in file.names.sorted(by: { file.info($0)!.byteRange.lowerBound < file.info($1)!.byteRange.lowerBound }) {
            let info = file.info(name)!
            #expect(info.byteRange.lowerBound == end)
            end = info.byteRange.upperBound
            if info.dtype.isReadableAsFloatingPoint {
                #expect((try? file.tensor(name, as: Double.self))?.count == info.shape.reduce(1, *))
            }
        }
        return true
    }

    @Test func truncatedAtEveryOffset() throws {
        let bytes = try Self.validFile()
        #expect(Self.openAndRead(bytes))
        for length in 0..<bytes.count { #expect(!Self.openAndRead(Array(bytes[0..<length])), "\(length) bytes") }
        print("truncation: \(bytes.count) truncated files, all rejected")
    }

    @Test func everyHeaderByteReplaced() throws {
        let bytes = try Self.validFile()
        let headerEnd = 8 + bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        let replacements: [UInt8] = [0x00, 0x20, 0x22, 0x2C, 0x2D, 0x30, 0x39, 0x3A, 0x5B, 0x5D, 0x7B, 0x7D, 0x5C, 0x7F, 0x80, 0xFF]
        var (cases, opened) = (0, 0)
        for position in 0..<headerEnd {
            for replacement in replacements where bytes[position] != replacement {
                var mutant = bytes
                mutant[position] = replacement
                if Self.openAndRead(mutant) { opened += 1 }
                cases += 1
            }
        }
        print("header replacement: \(cases) files, \(opened) still valid, \(cases - opened) rejected")
        // Both outcomes occur (a changed digit of the metadata still opens), so both branches were checked.
        #expect(opened > 0 && opened < cases)
    }

    /// A seeded random mutator: flips, insertions, deletions, overwritten
    /// length fields and spliced headers, stacked up to four per file.
    @Test func seededRandomMutations() throws {
        let bytes = try Self.validFile()
        var generator = Xoshiro256(seed: 2026)
        var (cases, opened) = (0, 0)
        for _ in 0..<20_000 {
            var mutant = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = mutant.isEmpty ? 0 : Int.random(in: 0..<mutant.count, using: &generator)
                switch Int.random(in: 0..<6, using: &generator) {
                case 0 where !mutant.isEmpty: mutant[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
                case 1 where !mutant.isEmpty: mutant[position] = UInt8.random(in: 0...255, using: &generator)
                case 2: mutant.insert(UInt8.random(in: 0...255, using: &generator), at: position)
                case 3 where !mutant.isEmpty: mutant.remove(at: position)
                case 4 where mutant.count >= 8:
                    let length = UInt64.random(in: 0...UInt64(mutant.count + 16), using: &generator)
                    withUnsafeBytes(of: length.littleEndian) { mutant.replaceSubrange(0..<8, with: $0) }
                default:
                    let digit = UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &generator)
                    if let digitPosition = mutant.indices.dropFirst(8).filter({ (0x30...0x39).contains(mutant[$0]) }).randomElement(using: &generator) {
                        mutant[digitPosition] = digit
                    }
                }
            }
            if Self.openAndRead(mutant) { opened += 1 }
            cases += 1
        }
        print("random mutations: \(cases) files, \(opened) still valid, \(cases - opened) rejected")
        #expect(opened > 0 && opened < cases)
    }
}
