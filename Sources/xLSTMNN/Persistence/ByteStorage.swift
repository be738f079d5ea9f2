#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that stay valid as long as this object lives: a file
/// mapped into memory (no copy, however large the file), or bytes already in
/// memory (tests and fuzzing).
package final class ByteStorage: @unchecked Sendable {
    // @unchecked: the bytes are never written after creation.
    package let bytes: UnsafeRawBufferPointer
    private let release: () -> Void

    private init(bytes: UnsafeRawBufferPointer, release: @escaping () -> Void) {
        self.bytes = bytes
        self.release = release
    }

    deinit { release() }

    /// A copy of `array` (the caller's array may go away).
    package static func copying(_ array: [UInt8]) -> ByteStorage {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(array.count, 1), alignment: 16)
        array.withUnsafeBytes { source in
            if let base = source.baseAddress { buffer.baseAddress!.copyMemory(from: base, byteCount: array.count) }
        }
        return ByteStorage(bytes: UnsafeRawBufferPointer(rebasing: buffer[0..<array.count])) { buffer.deallocate() }
    }

    /// The file at `path`, mapped read-only; a `String` saying why on failure.
    package static func mapping(_ path: String) -> Result<ByteStorage, MappingFailure> {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return .failure(MappingFailure(reason: String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(MappingFailure(reason: String(cString: strerror(errno)))) }
        guard (status.st_mode & S_IFMT) == S_IFREG else { return .failure(MappingFailure(reason: "not a regular file")) }
        let size = Int(status.st_size)
        // mmap rejects an empty range; an empty file has nothing to map.
        guard size > 0 else { return .success(copying([])) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            return .failure(MappingFailure(reason: String(cString: strerror(errno))))
        }
        let bytes = UnsafeRawBufferPointer(start: address, count: size)
        return .success(ByteStorage(bytes: bytes) { munmap(address, size) })
    }

    /// Why a file could not be mapped.
    package struct MappingFailure: Error {
        package let reason: String
    }
}
