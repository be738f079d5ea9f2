/// Why a checkpoint could not be written or read: the file (or directory)
/// and what is wrong with it.
public struct CheckpointError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The file or directory at fault.
    public let file: String
    /// What is wrong, in words.
    public let reason: String

    /// An error about `file`.
    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    /// `<file>: <reason>`.
    public var description: String { "\(file): \(reason)" }
}
