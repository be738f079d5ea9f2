import ArgumentParser
import Foundation

/// The options every benchmark command shares.
struct TimingOptions: ParsableArguments {
    @Option(help: "Worker threads.") var threads = 2
    @Option(help: "Untimed warm-up runs.") var warmup = 2
    @Option(help: "Timed runs (the median is reported; bench layer also reports the fastest).") var runs = 5

    func validate() throws {
        try requirePositive(threads, "--threads")
        try requirePositive(runs, "--runs")
        guard warmup >= 0 else {
            throw ValidationError("--warmup: expected a whole number >= 0, received \(warmup)")
        }
    }

    /// The median time of `body` in milliseconds (see ``Measurement/medianMilliseconds(warmup:runs:_:)``).
    func median(_ body: () -> Void) -> Double {
        Measurement.medianMilliseconds(warmup: warmup, runs: runs, body)
    }

    /// The median and the fastest of `body`'s timed runs (see ``Measurement/runTimes(warmup:runs:_:)``).
    func times(_ body: () -> Void) -> Measurement.RunTimes {
        Measurement.runTimes(warmup: warmup, runs: runs, body)
    }
}

/// Wall-clock timing and peak-memory probes for the benchmark commands.
enum Measurement {
    /// Untimed warm-up lasts at least this long, as well as its runs (unless
    /// there are none). At start-up OpenBLAS's idle threads spin for about
    /// 0.1 s (2^28 cycles) and take a core from the second worker: with one
    /// short warm-up run, B = 1, T = 1024, H = 128, K = 4 measured forward
    /// 4.0-5.1 ms, and 2.2 ms once that window had passed (Zen 3, 2 threads).
    /// `Benchmarks/baselines.py` warms up the PyTorch rows by the same rule.
    static let minimumWarmupSeconds = 0.3

    /// The median of `runs` timings of `body` in milliseconds, after `warmup`
    /// untimed runs that together last at least ``minimumWarmupSeconds``.
    static func medianMilliseconds(warmup: Int, runs: Int, _ body: () -> Void) -> Double {
        runTimes(warmup: warmup, runs: runs, body).median
    }

    /// Two summaries of one measurement's timed runs, in milliseconds.
    struct RunTimes {
        /// The typical run: what the ratios between implementations compare.
        let median: Double
        /// The fastest run: the one the machine's other work slowed least.
        /// The runner's FLOP-floor shares pair it with the sgemm peak, itself
        /// the best of its probe's runs (see ``BenchMachine/matrixProductPeak(threads:)``).
        let best: Double
    }

    /// `runs` timings of `body` after `warmup` untimed runs that together
    /// last at least ``minimumWarmupSeconds``: their median and their minimum.
    static func runTimes(warmup: Int, runs: Int, _ body: () -> Void) -> RunTimes {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<warmup { body() }
        while warmup > 0 && Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < minimumWarmupSeconds { body() }
        let times = (0..<runs).map { _ -> Double in
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        return RunTimes(median: median(times), best: times.min()!)
    }

    /// The middle value of `values` (not empty), or the mean of the two middle ones.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The process's peak resident memory in MiB (`VmHWM`), or nil where
    /// `/proc` is not available.
    static func peakResidentMegabytes() -> Double? {
        statusField("VmHWM:")
    }

    /// The process's current resident memory in MiB (`VmRSS`).
    static func residentMegabytes() -> Double? {
        statusField("VmRSS:")
    }

    /// Restarts the kernel's peak-memory counter (Linux: `5` to `/proc/self/clear_refs`),
    /// so that a later ``peakResidentMegabytes()`` covers only what follows.
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    private static func statusField(_ name: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }
}

/// One result line of `xlstm bench layer` and `xlstm bench train`, the
/// schema `Benchmarks/baselines.py` prints too and `xlstm bench run` reads.
struct BenchmarkRecord: Encodable {
    let impl: String
    let batch: Int
    let steps: Int
    let inputSize: Int
    let hiddenSize: Int
    let heads: Int
    let threads: Int
    var forwardMs: Double?
    var forwardBackwardMs: Double?
    /// The fastest of the timed runs (the two above are medians).
    var forwardBestMs: Double?
    var forwardBackwardBestMs: Double?
    var trainStepMs: Double?
    var peakRssMb: Double?
    var rssIncreaseMb: Double?

    enum CodingKeys: String, CodingKey {
        case impl, batch, steps, threads, heads
        case inputSize = "input_size", hiddenSize = "hidden_size", forwardMs = "forward_ms"
        case forwardBackwardMs = "forward_backward_ms", trainStepMs = "train_step_ms"
        case forwardBestMs = "forward_best_ms", forwardBackwardBestMs = "forward_backward_best_ms"
        case peakRssMb = "peak_rss_mb", rssIncreaseMb = "rss_increase_mb"
    }

    /// Fills in the memory columns: the process's peak, and the peak minus
    /// `baseline` (the resident size before the measurement started).
    mutating func recordMemory(since baseline: Double?) {
        peakRssMb = Measurement.peakResidentMegabytes()
        if let peak = peakRssMb, let baseline { rssIncreaseMb = peak - baseline }
    }

    /// Prints the record as one JSON line, with every column of the schema
    /// present: missing values, and the `error` column (a run that prints a
    /// line did not fail), as null.
    func printLine() throws {
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(self)) as! [String: Any]
        for key in [
            "forward_ms", "forward_backward_ms", "forward_best_ms", "forward_backward_best_ms", "train_step_ms",
            "peak_rss_mb", "rss_increase_mb", "error",
        ]
        where object[key] == nil {
            object[key] = NSNull()
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
