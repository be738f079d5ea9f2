import xLSTMNN
import xLSTMTensor
import Foundation

/// A heap array of Floats that a kernel owns, returned to a pool when the
/// object goes: the buffers a forward pass saves live exactly as long as
/// its backward closure, and the next pass of the same shape reuses them.
///
/// Why a pool: a fresh multi-megabyte allocation comes straight from the
/// operating system, and touching it costs one page fault per 4 KiB page.
/// In the measured virtual machine that was several milliseconds per pass,
/// as much as the whole recurrence.
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// `count` uninitialized Floats, 64-byte aligned.
    init(count: Int) {
        self.count = count
        pointer = BufferPool.shared.take(count)
    }

    deinit { BufferPool.shared.give(pointer, count) }

    /// The contents as an array.
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// Free buffers by exact size, up to `capacity` bytes in all (enough for
/// the largest standard shape, B = 32, T = 512, H = 512); beyond that,
/// returned buffers are freed. Serialized by a lock (passes may run on
/// several threads, and a buffer may die on any thread).
private final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    /// Small buffers are cheap to allocate; pooling them would only hold memory.
    private let smallest = 16 * 1024
    private let capacity = 512 * 1024 * 1024
    private let lock = NSLock()
    private var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
    private var freeBytes = 0

    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count >= smallest {
            let reused: UnsafeMutablePointer<Float>? = lock.withLock {
                guard let pointer = free[count]?.popLast() else { return nil }
                freeBytes -= count * MemoryLayout<Float>.stride
                return pointer
            }
            if let reused { return reused }
        }
        return allocateAligned(count)
    }

    func give(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        let bytes = count * MemoryLayout<Float>.stride
        let kept: Bool =
            count >= smallest
            && lock.withLock {
                guard freeBytes + bytes <= capacity else { return false }
                free[count, default: []].append(pointer)
                freeBytes += bytes
                return true
            }
        if !kept { UnsafeMutableRawPointer(pointer).deallocate() }
    }
}

/// `count` Floats on a 64-byte (cache line) boundary. With the default
/// 16-byte alignment a 16-lane load straddles two cache lines half the time,
/// and the recurrent product ran at 60 instead of 90 GFLOP/s depending on
/// where the allocator happened to place its weights. Free with
/// `UnsafeMutableRawPointer(pointer).deallocate()`. Large buffers get
/// huge-page advice (``adviseHugePages(_:)``).
func allocateAligned(_ count: Int) -> UnsafeMutablePointer<Float> {
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: max(count, 1))
    adviseHugePages(UnsafeMutableBufferPointer(start: pointer, count: count))
    return pointer
}
