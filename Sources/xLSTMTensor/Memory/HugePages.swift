#if os(Linux)
import Glibc
#endif

/// Asks Linux to back the 2 MiB-aligned part of `buffer` with transparent
/// huge pages. Call it on fresh memory, before anything touches it.
///
/// Why: `malloc` serves a block above 32 MiB (glibc's ceiling for reusing
/// freed memory), and often a smaller large one, as a fresh mapping, and
/// touching it costs one page fault per 4 KiB page. The sLSTM's outputs
/// (T, B, H) at B = 32, T = 512, H = 512 are 32 MiB: 8192 faults on every
/// pass, 4 to 5 % of that forward pass on a 2-core Zen 4. Where the
/// kernel's transparent huge pages are enabled for advised memory
/// (`madvise` or `always` in /sys/kernel/mm/transparent_hugepage/enabled),
/// the same buffer's 2 MiB-aligned part takes one fault per 2 MiB, and
/// only its unaligned ends (under 2 MiB each) fault per 4 KiB.
///
/// Only advice: where huge pages are off, or on other systems, nothing
/// changes. Buffers under 4 MiB are left alone: they may not hold a whole
/// aligned huge page, and the advice would only split the allocator's mappings.
package func adviseHugePages<Element>(_ buffer: UnsafeMutableBufferPointer<Element>) {
    #if os(Linux)
    let hugePage = 2 << 20
    let byteCount = buffer.count * MemoryLayout<Element>.stride
    guard let base = buffer.baseAddress, byteCount >= 2 * hugePage else { return }
    let start = (Int(bitPattern: base) + hugePage - 1) / hugePage * hugePage
    let end = (Int(bitPattern: base) + byteCount) / hugePage * hugePage
    guard let address = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(address, end - start, MADV_HUGEPAGE)
    #endif
}

extension Array {
    /// An array of `count` elements that `write` initializes, every one of
    /// them, on fresh memory with huge-page advice (``adviseHugePages(_:)``).
    @inline(__always)
    package static func fresh(count: Int, writing write: (UnsafeMutableBufferPointer<Element>) -> Void) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            adviseHugePages(buffer)
            write(buffer)
            initialized = count
        }
    }
}

/// An array of `count` elements left uninitialized, with huge-page advice,
/// for a caller that writes every element before it reads any.
@inline(__always)
package func uninitializedArray<Scalar: TensorScalar>(count: Int) -> [Scalar] {
    .fresh(count: count) { _ in }
}
