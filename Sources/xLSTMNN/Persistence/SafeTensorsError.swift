/// What is wrong with a safetensors file: the file, the tensor (when one is
/// at fault) and the rule of the format it breaks.
///
/// Every malformed file gets one of these, never a crash: the reader checks
/// each length and offset before it touches a byte.
public struct SafeTensorsError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The rules of the format (and of loading into a model) a file can break.
    public enum Rule: Equatable, Sendable {
        /// Fewer than the 8 bytes of the header length.
        case truncatedHeaderLength(fileSize: Int)
        /// The header length exceeds the format's limit.
        case headerTooLarge(length: UInt64, limit: Int)
        /// The header runs past the end of the file.
        case headerPastEnd(length: UInt64, fileSize: Int)
        /// The header is not valid UTF-8.
        case headerNotUTF8
        /// The header is not valid JSON (at `offset` within the header).
        case headerNotJSON(offset: Int, reason: String)
        /// The header is valid JSON but not an object.
        case headerNotAnObject
        /// `__metadata__` is not an object of strings.
        case metadataNotStrings(key: String?)
        /// A tensor's entry is not `{"dtype", "shape", "data_offsets"}` of the right types.
        case malformedEntry(field: String, reason: String)
        /// A dtype the format does not define.
        case unknownDType(String)
        /// A dtype of the format that this reader does not convert.
        case unsupportedDType(String)
        /// The shape's element count, or its byte size, overflows.
        case sizeOverflow
        /// `data_offsets` do not span elements x dtype size bytes.
        case sizeMismatch(expectedBytes: Int, offsets: [Int])
        /// `data_offsets` do not start where the previous tensor ended (a gap or an overlap).
        case offsetsNotContiguous(expectedBegin: Int, offsets: [Int])
        /// The tensors do not cover the byte buffer exactly.
        case bufferNotCovered(end: Int, bufferSize: Int)
        /// No tensor of this name in the file.
        case missingTensor
        /// A tensor the model does not have.
        case unexpectedTensor
        /// The tensor's shape differs from the model's parameter.
        case shapeMismatch(expected: [Int], received: [Int])
        /// The file could not be opened or mapped.
        case unreadable(reason: String)
        /// The file could not be written.
        case unwritable(reason: String)
        /// Two tensors of one name were given to the writer.
        case duplicateTensor
    }

    /// The file's path.
    public let file: String
    /// The tensor at fault, when the rule is about one.
    public let tensor: String?
    /// The rule broken.
    public let rule: Rule

    /// An error about `file` (and `tensor`, when one is at fault).
    public init(file: String, tensor: String? = nil, rule: Rule) {
        self.file = file
        self.tensor = tensor
        self.rule = rule
    }

    /// `<file>: tensor "<name>": <what is wrong>`.
    public var description: String { "\(file): \(detail)" }

    /// The description without the file: `tensor "<name>": <what is wrong>`.
    package var detail: String {
        tensor.map { "tensor \"\($0)\": \(explanation)" } ?? explanation
    }

    private var explanation: String {
        switch rule {
        case .truncatedHeaderLength(let fileSize):
            "truncated: \(fileSize) bytes, fewer than the 8-byte header length"
        case .headerTooLarge(let length, let limit):
            "header length \(length) exceeds the limit of \(limit) bytes"
        case .headerPastEnd(let length, let fileSize):
            "header length \(length) runs past the end of the file (\(fileSize) bytes)"
        case .headerNotUTF8:
            "the header is not valid UTF-8"
        case .headerNotJSON(let offset, let reason):
            "the header is not valid JSON: \(reason) at header byte \(offset)"
        case .headerNotAnObject:
            "the header is not a JSON object"
        case .metadataNotStrings(let key):
            key.map { "__metadata__ value of \"\($0)\" is not a string" } ?? "__metadata__ is not an object"
        case .malformedEntry(let field, let reason):
            "\(field) \(reason)"
        case .unknownDType(let dtype):
            "unknown dtype \"\(dtype)\""
        case .unsupportedDType(let dtype):
            "dtype \(dtype) cannot be read as floating point (this reader converts F16, BF16, F32 and F64)"
        case .sizeOverflow:
            "the shape's size overflows"
        case .sizeMismatch(let expectedBytes, let offsets):
            "data_offsets \(offsets) span \(offsets[1] - offsets[0]) bytes, but the shape and dtype need \(expectedBytes)"
        case .offsetsNotContiguous(let expectedBegin, let offsets):
            "data_offsets \(offsets) do not begin at byte \(expectedBegin), where the previous tensor ends (tensors must be contiguous from 0, without gaps or overlaps)"
        case .bufferNotCovered(let end, let bufferSize):
            "the tensors end at byte \(end) of a \(bufferSize)-byte data buffer (they must cover it exactly)"
        case .missingTensor:
            "missing from the file"
        case .unexpectedTensor:
            "not a parameter of the model"
        case .shapeMismatch(let expected, let received):
            "shape \(received) does not match the model's \(expected)"
        case .unreadable(let reason):
            "cannot be read: \(reason)"
        case .unwritable(let reason):
            "cannot be written: \(reason)"
        case .duplicateTensor:
            "given twice"
        }
    }
}
