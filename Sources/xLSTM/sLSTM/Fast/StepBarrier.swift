import xLSTMNN
import xLSTMTensor
import Foundation
import Synchronization

/// Where all workers of a team wait for each other once per time step: the
/// team shares one head, split by units (see ``WorkPartition``).
///
/// A spin barrier: a step of a split head lasts microseconds, and waking a
/// sleeping thread would cost more than the step. After a few thousand
/// spins a waiter yields, so an oversubscribed machine still makes progress.
@available(macOS 15.0, *)
final class StepBarrier: TeamBarrier {
    private let count: Int
    private let arrived = Atomic<Int>(0)
    private let generation = Atomic<Int>(0)

    init(count: Int) { self.count = count }

    /// Returns once all `count` members have called `wait()` for this step.
    /// Everything a member wrote before its call is visible to every member after.
    func wait() {
        let current = generation.load(ordering: .acquiring)
        if arrived.add(1, ordering: .acquiringAndReleasing).newValue == count {
            arrived.store(0, ordering: .relaxed)
            generation.store(current &+ 1, ordering: .releasing)
            return
        }
        var spins = 0
        while generation.load(ordering: .acquiring) == current {
            spins += 1
            if spins > 4096 { sched_yield() }
        }
    }
}

/// Runs `body(member)` for `member` in `0..<count` on `count` threads that are
/// guaranteed to run at the same time (the caller's and `count - 1` new
/// ones), as a team meeting at a ``StepBarrier`` needs. A dispatch queue
/// may run its iterations one after another, which would deadlock a barrier.
func runTeam(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let done = DispatchGroup()
    for member in 1..<max(count, 1) {
        done.enter()
        Thread {
            body(member)
            done.leave()
        }.start()
    }
    body(0)
    done.wait()
}
