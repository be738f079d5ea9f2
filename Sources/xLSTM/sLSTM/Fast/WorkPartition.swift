import xLSTMNN
import xLSTMTensor

/// How the recurrence is split into work items of (batch chunk, head,
/// part): each item runs its own time loop. Heads and batch rows are
/// independent, so items of different (chunk, head) never wait for each
/// other.
///
/// With fewer heads than workers, one head is split by units into `parts`
/// items that run as a team and meet at a ``StepBarrier`` every step (see
/// ``init(_:threads:)`` for when).
struct WorkPartition: Sendable {
    /// Consecutive batch rows processed together (their recurrent products
    /// share every load of the weights).
    let chunks: [Range<Int>]
    let heads: Int
    /// Items per (chunk, head); more than one only for a team.
    let parts: Int

    /// As few chunks as keep `threads` workers evenly busy: larger chunks
    /// reuse each recurrent weight across more rows. With K heads and P
    /// threads, P / gcd(K, P) chunks make the item count a multiple of P.
    ///
    /// When that leaves workers idle (B * K < P, e.g. one sequence with one
    /// head), K divides P, and each of the P / K parts of a head keeps at
    /// least 64 units, the heads are split instead. Measured on two cores,
    /// B = 1, T = 1024, D = H = 128, K = 1: forward 3.8 -> 2.8 ms, forward
    /// and backward 9.6 -> 8.1 ms. At B = 8, K = 1 (H = 256) the split ran
    /// no faster than two batch chunks, so chunks are preferred.
    ///
    /// A forward pass on the ``RecurrentProduct/Engine/oneDNN`` engine also
    /// splits a head rather than give its chunks fewer than 8 rows:
    /// oneDNN's per-step product is slow on 4 rows. Single-threaded on a
    /// 2-core Zen 4, 4x1024x256 ran at 56 GFLOP/s, 8x512x256 (the same
    /// work as one part of a split head) at 104.
    init(_ layout: FastLayout, threads: Int, forwardEngine: RecurrentProduct.Engine? = nil) {
        let (batch, heads) = (layout.batch, layout.heads)
        self.heads = heads
        var (a, b) = (heads, threads)
        while b != 0 { (a, b) = (b, a % b) }
        let count = min(batch, threads / a)
        var split = false
        if #available(macOS 15.0, *) {
            let rowsPerChunk = batch / count
            split =
                (batch * heads < threads || (forwardEngine == .oneDNN && rowsPerChunk < 8))
                && threads % heads == 0 && layout.paddedHeadSize >= 64 * (threads / heads)
        }
        if split {
            parts = threads / heads
            chunks = [0..<batch]
            return
        }
        chunks = (0..<count).map { evenPiece($0, of: count, total: batch) }
        parts = 1
    }

    var itemCount: Int { chunks.count * heads * parts }

    /// Item `index`: rows of one chunk, one head, one part.
    func item(_ index: Int) -> (rows: Range<Int>, head: Int, part: Int) {
        let (chunkAndHead, part) = index.quotientAndRemainder(dividingBy: parts)
        let (chunk, head) = chunkAndHead.quotientAndRemainder(dividingBy: heads)
        return (chunks[chunk], head, part)
    }

    /// Runs `body(rows, head, part)` for every item on `threads` workers,
    /// a team's items on threads of their own that run at the same time.
    func runItems(threads: Int, _ body: @escaping @Sendable (Range<Int>, Int, Int) -> Void) {
        if parts > 1 {
            // One item per worker: itemCount == threads.
            runTeam(itemCount) { index in
                let (rows, head, part) = item(index)
                body(rows, head, part)
            }
            return
        }
        let workers = min(threads, itemCount)
        runWorkers(workers) { worker in
            for index in evenPiece(worker, of: workers, total: itemCount) {
                let (rows, head, part) = item(index)
                body(rows, head, part)
            }
        }
    }

    /// One barrier per head for its team when heads are split, else none.
    func makeBarriers() -> [any TeamBarrier] {
        guard parts > 1, #available(macOS 15.0, *) else { return [] }
        return (0..<heads).map { _ in StepBarrier(count: parts) }
    }
}

/// A barrier for the workers of one split head (see ``StepBarrier``).
protocol TeamBarrier: Sendable {
    func wait()
}
