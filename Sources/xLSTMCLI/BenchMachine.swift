import Foundation
import xLSTM

/// What the runner says about the machine: the CPU, the vector instructions
/// it offers, and the single-precision matrix-product speed it reaches.
struct BenchMachine {
    /// The CPU's model name.
    let cpu: String
    /// The vector extensions the CPU reports that matter to our kernels (AVX-512F, AVX2, FMA, NEON).
    let instructionSets: [String]
    /// The logical CPUs.
    let cores: Int

    /// The running machine.
    static var current: BenchMachine {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String? {
            info.split(separator: "\n").first { $0.hasPrefix(name) }
                .flatMap { $0.split(separator: ":", maxSplits: 1).last }
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let flags = Set((field("flags") ?? field("Features") ?? "").split(separator: " ").map(String.init))
        let known = [("avx512f", "AVX-512F"), ("avx512_bf16", "AVX-512 BF16"), ("avx2", "AVX2"), ("fma", "FMA"), ("asimd", "NEON")]
        var sets = known.filter { flags.contains($0.0) }.map(\.1)
        #if arch(arm64)
        if sets.isEmpty { sets = ["NEON"] }
        #endif
        return BenchMachine(
            cpu: field("model name") ?? field("Hardware") ?? "unknown", instructionSets: sets,
            cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The best rate of a large square Float matrix product through the
    /// library's own product (BLAS, split over `threads` workers), in GFLOP/s:
    /// the peak the FLOP-floor shares are measured against.
    static func matrixProductPeak(threads: Int) -> Double {
        // 1536³: big enough for full-width BLAS blocks, 0.04 s a product at 180 GFLOP/s.
        let (size, runs) = (1536, 5)
        Parallelism.threadCount = threads
        let a = Tensor<Float>.randomNormal([size, size])
        let b = Tensor<Float>.randomNormal([size, size])
        func seconds() -> Double {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = withoutGradients { Tensor.matmul(a, b) }
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        // Warmed up as long as every measurement (Measurement.minimumWarmupSeconds): with one
        // product of warm-up, the runner's first probe read 103 and 124 GFLOP/s where the next
        // ones read 178-187 (2-core Zen 3).
        var warmedUp = 0.0
        while warmedUp < Measurement.minimumWarmupSeconds { warmedUp += seconds() }
        let best = (0..<runs).map { _ in seconds() }.min()!
        return 2 * pow(Double(size), 3) / best / 1e9
    }
}
