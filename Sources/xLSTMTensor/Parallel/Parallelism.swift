import Dispatch
import Foundation

/// How many threads the library's fast kernels use.
///
///     Parallelism.threadCount = 1   // e.g. when running several models side by side
///
/// The fast sLSTM splits its work (matrix products by rows or heads, the
/// recurrence by batch chunk and head) over this many workers, and so do the
/// toolkit's large matrix products and elementwise operations; meanwhile
/// OpenBLAS runs on one thread (process-wide), so that the BLAS's
/// busy-waiting threads never compete with the workers.
public enum Parallelism {
    private final class Storage: @unchecked Sendable {
        let lock = NSLock()
        var threadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
    private static let storage = Storage()

    /// The number of worker threads; by default the number of active processors.
    ///
    /// - Precondition: a new value is at least 1.
    public static var threadCount: Int {
        get { storage.lock.withLock { storage.threadCount } }
        set {
            if newValue < 1 {
                trap(xLSTMError(argument: "Parallelism.threadCount", expected: "at least 1", received: "\(newValue)"))
            }
            storage.lock.withLock { storage.threadCount = newValue }
        }
    }
}

/// Runs `body(worker)` for `worker` in `0..<count`, concurrently when
/// `count > 1`, and returns when all are done.
///
/// `body` is `@Sendable` (Swift 6): kernels hand it their raw pointers in an
/// `@unchecked Sendable` struct whose documentation says why the workers'
/// writes never overlap.
@inline(never)
package func runWorkers(_ count: Int, _ body: @Sendable (Int) -> Void) {
    if count == 1 {
        body(0)
    } else {
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }
}

/// The `part`-th of `parts` near-equal contiguous pieces of `0..<total`.
@inline(__always)
package func evenPiece(_ part: Int, of parts: Int, total: Int) -> Range<Int> {
    (total * part / parts)..<(total * (part + 1) / parts)
}
