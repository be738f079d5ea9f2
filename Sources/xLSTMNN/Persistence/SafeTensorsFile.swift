import Foundation
import xLSTMTensor

/// A safetensors file opened for reading: the header parsed and checked
/// against every rule of the format, the data mapped into memory (opening a
/// large file copies nothing; a tensor's bytes are read when it is asked for).
///
/// The format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON (an object: one entry `{"dtype", "shape", "data_offsets"}` per
/// tensor, and an optional `"__metadata__"` map of strings), then the data
/// buffer, each tensor's little-endian row-major bytes at its offsets.
///
///     let file = try SafeTensorsFile(contentsOf: URL(fileURLWithPath: "model.safetensors"))
///     let weight: Tensor<Float> = try file.tensor("weight_ih_l0")
///
/// Every malformed file gives a ``SafeTensorsError`` naming the file, the
/// tensor and the rule broken; nothing is read outside the file.
public final class SafeTensorsFile: @unchecked Sendable {
    // @unchecked: immutable after init; the mapped bytes are read-only.

    /// The largest header accepted (the limit of the reference implementation).
    public static let maximumHeaderLength = 100_000_000

    /// One tensor's entry in the header.
    public struct TensorInfo: Equatable, Sendable {
        /// The element type.
        public let dtype: SafeTensorsDType
        /// The extents, row-major.
        public let shape: [Int]
        /// Where its bytes lie within the data buffer.
        public let byteRange: Range<Int>
    }

    /// The file's path, as errors name it.
    public let path: String
    /// The `__metadata__` map (empty when the file has none).
    public let metadata: [String: String]
    /// The tensors' names, in the order of the header.
    public let names: [String]
    private let entries: [String: TensorInfo]
    private let storage: ByteStorage
    /// Where the data buffer begins: 8 + the header length.
    private let dataStart: Int

    /// Opens and checks the file at `url` (memory-mapped).
    ///
    /// - Throws: ``SafeTensorsError`` when the file cannot be read or breaks a rule of the format.
    public convenience init(contentsOf url: URL) throws(SafeTensorsError) {
        switch ByteStorage.mapping(url.path) {
        case .success(let storage): try self.init(storage: storage, path: url.path)
        case .failure(let failure): throw SafeTensorsError(file: url.path, rule: .unreadable(reason: failure.reason))
        }
    }

    /// Checks `bytes` as the contents of a file named `path` (tests and fuzzing).
    package convenience init(bytes: [UInt8], path: String) throws(SafeTensorsError) {
        try self.init(storage: .copying(bytes), path: path)
    }

    private init(storage: ByteStorage, path: String) throws(SafeTensorsError) {
        let header = try SafeTensorsHeader(storage.bytes, path: path)
        self.path = path
        self.storage = storage
        metadata = header.metadata
        names = header.names
        entries = header.entries
        dataStart = header.dataStart
    }

    /// The entry of tensor `name`, or `nil` when the file has none.
    public func info(_ name: String) -> TensorInfo? { entries[name] }

    /// Reads tensor `name`, converting F16, BF16, F32 or F64 to `Scalar`.
    ///
    /// - Throws: ``SafeTensorsError`` when the file has no such tensor or its dtype is not floating point.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func tensor<Scalar: TensorScalar>(_ name: String, as _: Scalar.Type = Scalar.self) throws(SafeTensorsError)
        -> Tensor<Scalar>
    {
        guard let info = entries[name] else { throw SafeTensorsError(file: path, tensor: name, rule: .missingTensor) }
        guard info.dtype.isReadableAsFloatingPoint else {
            throw SafeTensorsError(file: path, tensor: name, rule: .unsupportedDType(info.dtype.rawValue))
        }
        // The header check proved dataStart + byteRange lies inside the file.
        let bytes = UnsafeRawBufferPointer(rebasing: storage.bytes[(dataStart + info.byteRange.lowerBound)..<(dataStart + info.byteRange.upperBound)])
        let count = info.byteRange.count / info.dtype.size
        var scalars = [Scalar](repeating: 0, count: count)
        scalars.withUnsafeMutableBufferPointer { scalars in
            switch info.dtype {
            case .f32 where Scalar.self == Float.self:
                // Same layout on a little-endian host: one copy.
                UnsafeMutableRawBufferPointer(scalars).copyMemory(from: bytes)
            case .f64 where Scalar.self == Double.self:
                UnsafeMutableRawBufferPointer(scalars).copyMemory(from: bytes)
            case .f32:
                for index in 0..<count {
                    scalars[index] = Scalar(Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))))
                }
            case .f64:
                for index in 0..<count {
                    scalars[index] = Scalar(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))))
                }
            case .f16:
                for index in 0..<count {
                    scalars[index] = Scalar(floatFromHalf(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))))
                }
            default:
                for index in 0..<count {
                    scalars[index] = Scalar(floatFromBFloat16(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * index, as: UInt16.self))))
                }
            }
        }
        return Tensor(validatedShape: info.shape, scalars: scalars)
    }
}

/// The parsed and checked header of a safetensors file.
struct SafeTensorsHeader {
    let metadata: [String: String]
    let names: [String]
    let entries: [String: SafeTensorsFile.TensorInfo]
    let dataStart: Int

    /// Checks, in order: the length field, the header's bounds, UTF-8, JSON,
    /// the object's entries, then that the offsets tile the data buffer.
    init(_ bytes: UnsafeRawBufferPointer, path: String) throws(SafeTensorsError) {
        func failure(_ rule: SafeTensorsError.Rule, tensor: String? = nil) -> SafeTensorsError {
            SafeTensorsError(file: path, tensor: tensor, rule: rule)
        }
        guard bytes.count >= 8 else { throw failure(.truncatedHeaderLength(fileSize: bytes.count)) }
        let length = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard length <= UInt64(SafeTensorsFile.maximumHeaderLength) else {
            throw failure(.headerTooLarge(length: length, limit: SafeTensorsFile.maximumHeaderLength))
        }
        guard Int(length) <= bytes.count - 8 else { throw failure(.headerPastEnd(length: length, fileSize: bytes.count)) }
        let headerBytes = Array(bytes[8..<(8 + Int(length))])
        guard String(validating: headerBytes, as: UTF8.self) != nil else { throw failure(.headerNotUTF8) }
        let json: JSONValue
        do {
            json = try JSONParser.parse(headerBytes)
        } catch {
            throw failure(.headerNotJSON(offset: error.offset, reason: error.reason))
        }
        guard case .object(let object) = json else { throw failure(.headerNotAnObject) }

        var metadata: [String: String] = [:]
        var names: [String] = []
        var entries: [String: SafeTensorsFile.TensorInfo] = [:]
        for key in object.keys {
            let value = object[key]!
            if key == "__metadata__" {
                guard case .object(let map) = value else { throw failure(.metadataNotStrings(key: nil)) }
                for field in map.keys {
                    guard case .string(let text) = map[field]! else { throw failure(.metadataNotStrings(key: field)) }
                    metadata[field] = text
                }
                continue
            }
            entries[key] = try Self.entry(value, name: key, path: path)
            names.append(key)
        }

        let bufferSize = bytes.count - 8 - Int(length)
        var expectedBegin = 0
        for name in names.sorted(by: { (entries[$0]!.byteRange.lowerBound, entries[$0]!.byteRange.upperBound) < (entries[$1]!.byteRange.lowerBound, entries[$1]!.byteRange.upperBound) }) {
            let range = entries[name]!.byteRange
            guard range.lowerBound == expectedBegin else {
                throw failure(.offsetsNotContiguous(expectedBegin: expectedBegin, offsets: [range.lowerBound, range.upperBound]), tensor: name)
            }
            expectedBegin = range.upperBound
        }
        guard expectedBegin == bufferSize else { throw failure(.bufferNotCovered(end: expectedBegin, bufferSize: bufferSize)) }

        self.metadata = metadata
        self.names = names
        self.entries = entries
        dataStart = 8 + Int(length)
    }

    /// One tensor's `{"dtype", "shape", "data_offsets"}`, with its size checked.
    private static func entry(_ value: JSONValue, name: String, path: String) throws(SafeTensorsError)
        -> SafeTensorsFile.TensorInfo
    {
        func malformed(_ field: String, _ reason: String) -> SafeTensorsError {
            SafeTensorsError(file: path, tensor: name, rule: .malformedEntry(field: field, reason: reason))
        }
        guard case .object(let fields) = value else { throw malformed("the entry", "is not an object") }
        for field in fields.keys where !["dtype", "shape", "data_offsets"].contains(field) {
            throw malformed("\"\(field)\"", "is not a field of a tensor entry (dtype, shape, data_offsets)")
        }
        guard case .string(let dtypeName) = fields["dtype"] else { throw malformed("dtype", "is missing or not a string") }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError(file: path, tensor: name, rule: .unknownDType(dtypeName))
        }
        guard case .array(let shapeValues) = fields["shape"] else { throw malformed("shape", "is missing or not an array") }
        let shape = shapeValues.map(nonNegativeInteger)
        guard !shape.contains(nil) else { throw malformed("shape", "holds something other than a non-negative integer") }
        guard case .array(let offsetValues) = fields["data_offsets"] else {
            throw malformed("data_offsets", "is missing or not an array")
        }
        let offsets = offsetValues.map(nonNegativeInteger)
        guard offsets.count == 2, let begin = offsets[0], let end = offsets[1] else {
            throw malformed("data_offsets", "is not two non-negative integers [begin, end]")
        }
        guard begin <= end else { throw malformed("data_offsets", "[\(begin), \(end)] ends before it begins") }
        var elements = 1
        for extent in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: extent!)
            guard !overflow else { throw SafeTensorsError(file: path, tensor: name, rule: .sizeOverflow) }
            elements = product
        }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: dtype.size)
        guard !overflow else { throw SafeTensorsError(file: path, tensor: name, rule: .sizeOverflow) }
        guard byteCount == end - begin else {
            throw SafeTensorsError(file: path, tensor: name, rule: .sizeMismatch(expectedBytes: byteCount, offsets: [begin, end]))
        }
        return SafeTensorsFile.TensorInfo(dtype: dtype, shape: shape.map { $0! }, byteRange: begin..<end)
    }

    /// A JSON number that is a whole number in 0...Int.max, written without fraction or exponent.
    private static func nonNegativeInteger(_ value: JSONValue) -> Int? {
        guard case .number(let text) = value else { return nil }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}
