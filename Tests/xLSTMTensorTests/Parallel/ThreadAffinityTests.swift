import Foundation
import Testing
@testable import xLSTMTensor

/// Opening oneDNN must not bind the opening thread to one CPU (its OpenMP
/// runtime does that when OMP_PROC_BIND is set, and threads created later
/// inherit the binding), and ``ThreadAffinity`` gives a thread its CPUs back.
@Suite struct ThreadAffinityTests {
    /// In a process of its own, so that oneDNN (and its OpenMP runtime) is
    /// opened for the first time after OMP_PROC_BIND is set. On a machine
    /// with one CPU there is nothing to bind, and the check cannot fail.
    @Test func openingOneDNNLeavesTheThreadOnAllItsCPUs() async throws {
        #if os(Linux)
        await #expect(processExitsWith: .success) {
            setenv("OMP_PROC_BIND", "TRUE", 1)
            let before = allowedCPUs()
            precondition(OneDNN.shared != nil, "\(OneDNN.libraryName) not found: scripts/ensure-dependencies.sh installs it")
            let after = allowedCPUs()
            precondition(after == before, "opening oneDNN changed the thread's CPUs from \(before) to \(after)")
        }
        #endif
    }

    /// A thread of its own is narrowed to its first CPU, then given back what it had.
    @Test func restoreGivesTheThreadItsCPUsBack() throws {
        #if os(Linux)
        let original = allowedCPUs()
        final class Seen: @unchecked Sendable { var narrowed = "", restored = "" }
        let seen = Seen()
        let done = DispatchSemaphore(value: 0)
        Thread {
            if let saved = ThreadAffinity.current() {
                narrowToFirstCPU()
                seen.narrowed = allowedCPUs()
                saved.restore()
                seen.restored = allowedCPUs()
            }
            done.signal()
        }.start()
        done.wait()
        let (narrowed, restored) = (seen.narrowed, seen.restored)
        #expect(restored == original)
        if ProcessInfo.processInfo.activeProcessorCount > 1 {
            #expect(narrowed != original, "narrowing to one CPU showed no effect: \(narrowed)")
        }
        #endif
    }
}

#if os(Linux)
/// The calling thread's `Cpus_allowed_list`, e.g. "0-1".
private func allowedCPUs() -> String {
    let status = (try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? ""
    return status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }
        .map { $0.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces) } ?? ""
}

/// Lets the calling thread run on the first CPU it may run on, alone.
private func narrowToFirstCPU() {
    typealias Call = @convention(c) (pid_t, Int, UnsafeMutablePointer<cpu_set_t>) -> Int32
    let first = Int(allowedCPUs().prefix { $0.isNumber }) ?? 0
    var cpus = cpu_set_t()
    withUnsafeMutableBytes(of: &cpus) { $0[first / 8] = UInt8(1 << (first % 8)) }
    let set = unsafeBitCast(dlsym(nil, "sched_setaffinity"), to: Call.self)
    _ = set(0, MemoryLayout<cpu_set_t>.size, &cpus)
}
#endif
