import Foundation
import Testing
@testable import xLSTMNN
import xLSTMTensor

/// One malformed file per rule of the format, each with the exact message:
/// the file, the tensor (when one is at fault) and the rule broken.
@Suite struct SafeTensorsMalformedTests {
    /// A file of `header` (padded with spaces as the writer pads) and `data` bytes.
    static func file(_ header: String, data: Int = 0, length: UInt64? = nil) -> [UInt8] {
        var header = Array(header.utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (length ?? UInt64(header.count)).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + header + [UInt8](repeating: 7, count: data)
    }

    static let cases: [(name: String, bytes: [UInt8], message: String)] = [
        ("short", [1, 2, 3], "m.safetensors: truncated: 3 bytes, fewer than the 8-byte header length"),
        ("huge length", file("{}", length: 1 << 40),
         "m.safetensors: header length 1099511627776 exceeds the limit of 100000000 bytes"),
        ("length past end", file("{}", length: 64), "m.safetensors: header length 64 runs past the end of the file (16 bytes)"),
        ("not UTF-8", [8, 0, 0, 0, 0, 0, 0, 0, 0x7B, 0xFF, 0xFE, 0x7D, 0x20, 0x20, 0x20, 0x20],
         "m.safetensors: the header is not valid UTF-8"),
        ("bad JSON", file(#"{"a": }"#), "m.safetensors: the header is not valid JSON: unexpected character at header byte 6"),
        ("duplicate", file(#"{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#, data: 4),
         "m.safetensors: the header is not valid JSON: duplicate key \"a\" at header byte 53"),
        ("array header", file("[1]"), "m.safetensors: the header is not a JSON object"),
        ("metadata not strings", file(#"{"__metadata__":{"k":1}}"#), "m.safetensors: __metadata__ value of \"k\" is not a string"),
        ("unknown dtype", file(#"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: 4),
         "m.safetensors: tensor \"w\": unknown dtype \"F33\""),
        ("negative extent", file(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, data: 4),
         "m.safetensors: tensor \"w\": shape holds something other than a non-negative integer"),
        ("extra field", file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":0}}"#, data: 4),
         "m.safetensors: tensor \"w\": \"x\" is not a field of a tensor entry (dtype, shape, data_offsets)"),
        ("one offset", file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4]}}"#, data: 4),
         "m.safetensors: tensor \"w\": data_offsets is not two non-negative integers [begin, end]"),
        ("reversed offsets", file(#"{"w":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}"#, data: 4),
         "m.safetensors: tensor \"w\": data_offsets [4, 0] ends before it begins"),
        ("size mismatch", file(#"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}"#, data: 12),
         "m.safetensors: tensor \"w\": data_offsets [0, 12] span 12 bytes, but the shape and dtype need 16"),
        ("overflow", file(#"{"w":{"dtype":"F64","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: 8),
         "m.safetensors: tensor \"w\": the shape's size overflows"),
        ("gap", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: 12),
         "m.safetensors: tensor \"b\": data_offsets [8, 12] do not begin at byte 4, where the previous tensor ends (tensors must be contiguous from 0, without gaps or overlaps)"),
        ("overlap", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8),
         "m.safetensors: tensor \"b\": data_offsets [4, 8] do not begin at byte 8, where the previous tensor ends (tensors must be contiguous from 0, without gaps or overlaps)"),
        ("not from zero", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8),
         "m.safetensors: tensor \"a\": data_offsets [4, 8] do not begin at byte 0, where the previous tensor ends (tensors must be contiguous from 0, without gaps or overlaps)"),
        ("past the end", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: 4),
         "m.safetensors: the tensors end at byte 8 of a 4-byte data buffer (they must cover it exactly)"),
        ("trailing bytes", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 6),
         "m.safetensors: the tensors end at byte 4 of a 6-byte data buffer (they must cover it exactly)"),
    ]

    @Test func everyRuleHasItsMessage() throws {
        for (name, bytes, message) in Self.cases {
            let error = #expect(throws: SafeTensorsError.self, "\(name)") {
                try SafeTensorsFile(bytes: bytes, path: "m.safetensors")
            }
            #expect(error?.description == message, "\(name)")
        }
    }

    @Test func aMissingFileAndAnIntegerDTypeAreNamed() throws {
        let missing = #expect(throws: SafeTensorsError.self) {
            try SafeTensorsFile(contentsOf: URL(fileURLWithPath: "/nonexistent/m.safetensors"))
        }
        #expect(missing?.description == "/nonexistent/m.safetensors: cannot be read: No such file or directory")
        let file = try SafeTensorsFile(bytes: Self.file(#"{"i":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}"#, data: 4), path: "m.safetensors")
        let error = #expect(throws: SafeTensorsError.self) { try file.tensor("i", as: Float.self) }
        #expect(error?.description == "m.safetensors: tensor \"i\": dtype I32 cannot be read as floating point (this reader converts F16, BF16, F32 and F64)")
        let absent = #expect(throws: SafeTensorsError.self) { try file.tensor("j", as: Float.self) }
        #expect(absent?.description == "m.safetensors: tensor \"j\": missing from the file")
    }
}
