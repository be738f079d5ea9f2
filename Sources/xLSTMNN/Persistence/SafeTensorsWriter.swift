import Foundation
import xLSTMTensor

/// Collects tensors and writes them as one safetensors file: `Float`
/// tensors as F32, `Double` as F64, little-endian and row-major.
///
///     var writer = SafeTensorsWriter(metadata: ["format": "pt"])
///     try writer.add("weight", model.weight)
///     try writer.write(to: URL(fileURLWithPath: "model.safetensors"))
///
/// Like the reference implementation, the data is ordered by element size
/// (largest first) and then by name, and the header is padded with spaces
/// to a multiple of 8 bytes, so every tensor starts aligned to its element size.
public struct SafeTensorsWriter: Sendable {
    private struct Entry: Sendable {
        let name: String
        let dtype: SafeTensorsDType
        let shape: [Int]
        let bytes: [UInt8]
    }

    /// The `__metadata__` map written into the header.
    public var metadata: [String: String]
    private var entries: [String: Entry] = [:]

    /// An empty file with `metadata`.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds `tensor`'s values under `name`.
    ///
    /// - Throws: `xLSTMError` when `name` was added before or is `"__metadata__"`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public mutating func add<Scalar: TensorScalar>(_ name: String, _ tensor: Tensor<Scalar>) throws(xLSTMError) {
        guard name != "__metadata__" else {
            throw xLSTMError(argument: "name", expected: "a tensor name other than __metadata__", received: name)
        }
        guard entries[name] == nil else {
            throw xLSTMError(argument: "name", expected: "a name not yet added", received: name)
        }
        let dtype: SafeTensorsDType = Scalar.self == Float.self ? .f32 : .f64
        let bytes = dtype == .f32 ? littleEndianBytes(tensor.scalars.map { Float($0) }) : littleEndianBytes(tensor.scalars.map { Double($0) })
        entries[name] = Entry(name: name, dtype: dtype, shape: tensor.shape, bytes: bytes)
    }

    /// The whole file.
    public func serialized() -> [UInt8] {
        let ordered = entries.values.sorted { ($0.dtype.size, $1.name) > ($1.dtype.size, $0.name) }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for entry in ordered {
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(
                "\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + entry.bytes.count)]}")
            offset += entry.bytes.count
        }
        var header = Array("{\(fields.joined(separator: ","))}".utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var file: [UInt8] = []
        file.reserveCapacity(8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        for entry in ordered { file.append(contentsOf: entry.bytes) }
        return file
    }

    /// Writes the file at `url` atomically: a crash leaves the old file or the new one, never a mix.
    ///
    /// - Throws: ``SafeTensorsError`` naming the file when it cannot be written.
    public func write(to url: URL) throws(SafeTensorsError) {
        do {
            try AtomicFile.write(serialized(), to: url)
        } catch {
            throw SafeTensorsError(file: url.path, rule: .unwritable(reason: error.reason))
        }
    }
}

/// The values' bytes, little-endian (the host's order: see SafeTensorsDType.swift).
private func littleEndianBytes<Value: BinaryFloatingPoint>(_ values: [Value]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case let control where control.value < 0x20: out += String(format: "\\u%04x", control.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
