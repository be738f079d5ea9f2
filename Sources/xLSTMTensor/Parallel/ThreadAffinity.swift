#if canImport(Glibc)
import Glibc
#endif

/// The set of CPUs the calling thread may run on (Linux), kept so that it
/// can be given back after a library that changes it (see ``OneDNN``).
///
/// glibc declares `sched_getaffinity` only for `_GNU_SOURCE`, which Swift's
/// Glibc module does not define, so the two calls are looked up at run time.
struct ThreadAffinity {
    #if os(Linux)
    private typealias Call = @convention(c) (pid_t, Int, UnsafeMutablePointer<cpu_set_t>) -> Int32
    private var cpus = cpu_set_t()

    /// The calling thread's CPUs, or `nil` where they cannot be read.
    static func current() -> ThreadAffinity? {
        guard let get = call("sched_getaffinity") else { return nil }
        var affinity = ThreadAffinity()
        // pid 0: the calling thread.
        guard get(0, MemoryLayout<cpu_set_t>.size, &affinity.cpus) == 0 else { return nil }
        return affinity
    }

    /// Lets the calling thread run on these CPUs again.
    func restore() {
        var cpus = cpus
        _ = Self.call("sched_setaffinity")?(0, MemoryLayout<cpu_set_t>.size, &cpus)
    }

    /// The C library's function `name` (dlsym's nil handle is glibc's RTLD_DEFAULT).
    private static func call(_ name: String) -> Call? {
        dlsym(nil, name).map { unsafeBitCast($0, to: Call.self) }
    }
    #else
    /// Elsewhere there is nothing to keep.
    static func current() -> ThreadAffinity? { nil }
    func restore() {}
    #endif
}
