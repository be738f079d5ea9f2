import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a crash at any instant leaves either the old file
/// or the complete new one: the bytes go to a temporary file in the same
/// directory, are flushed to the disk (`fsync`), and the temporary file is
/// renamed over the target (atomic within one file system); the directory
/// is flushed too, so the rename itself survives a power cut.
package enum AtomicFile {
    /// Why a write failed.
    package struct Failure: Error {
        package let reason: String
    }

    /// Replaces the file at `url` with `bytes`.
    package static func write(_ bytes: [UInt8], to url: URL) throws(Failure) {
        let directory = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw Failure(reason: "cannot create \(temporary): \(lastError())") }
        var written = 0
        let writeResult: Failure? = bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let count = systemWrite(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count < 0 {
                    if errno == EINTR { continue }
                    return Failure(reason: "cannot write \(temporary): \(lastError())")
                }
                written += count
            }
            return nil
        }
        if let writeResult {
            close(descriptor)
            unlink(temporary)
            throw writeResult
        }
        guard fsync(descriptor) == 0 else {
            let failure = Failure(reason: "cannot flush \(temporary): \(lastError())")
            close(descriptor)
            unlink(temporary)
            throw failure
        }
        close(descriptor)
        guard rename(temporary, url.path) == 0 else {
            let failure = Failure(reason: "cannot rename \(temporary) to \(url.path): \(lastError())")
            unlink(temporary)
            throw failure
        }
        try flushDirectory(directory)
    }

    /// Flushes a directory's entries (a rename or a new file in it) to the disk.
    package static func flushDirectory(_ path: String) throws(Failure) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw Failure(reason: "cannot open directory \(path): \(lastError())") }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Failure(reason: "cannot flush directory \(path): \(lastError())") }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}

/// `write(2)`: spelled out so that it does not resolve to a method named `write`.
@inline(__always)
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, buffer, count)
    #else
    Darwin.write(descriptor, buffer, count)
    #endif
}
