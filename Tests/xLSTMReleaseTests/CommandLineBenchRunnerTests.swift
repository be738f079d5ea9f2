import Foundation
import Testing

/// `xlstm bench` (the runner) without a Python: it names the machine, times
/// our rows in child processes, marks the PyTorch rows as not run, and
/// writes the same numbers as JSON, with each row's FLOP-floor share.
@Suite struct CommandLineBenchRunnerTests {
    @Test func theQuickRunnerReportsTheMachineOurRowsAndTheFloor() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: output) }
        let outcome = try ReleaseBuild.run(xlstm, ["bench", "--quick", "--warmup", "0", "--threads", "1", "--output", output.path])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let text = outcome.standardOutput
        #expect(text.hasPrefix("CPU: ") && text.contains("measured 1-thread sgemm peak"))
        #expect(text.contains("baselines: none (no --python)"))
        #expect(text.contains("| nn.LSTM ") && text.contains("not run: no --python"))
        #expect(!text.contains("skipped: --no-peers"))
        #expect(text.contains("Matrix products, Float32") && text.contains("| small "))

        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let meta = try #require(results["meta"] as? [String: Any])
        let peak = try #require((meta["sgemm_peak_gflops"] as? NSNumber)?.doubleValue)
        #expect(peak > 0 && meta["runs"] as? Int == 1)
        // The peak is probed at the start and once in each shape's round (one round here: 2 shapes),
        // and the machine's peak is the best of the probes.
        let measurements = try #require((meta["sgemm_peak_measurements_gflops"] as? [NSNumber])?.map(\.doubleValue))
        #expect(measurements.count == 3 && peak == measurements.max())
        #expect(text.contains(String(format: "sgemm peak over the run: 3 probes, %.0f to %.0f GFLOP/s", measurements.min()!, peak)))
        let layer = try #require(results["layer"] as? [[String: Any]])
        let fast = layer.filter { $0["impl"] as? String == "xlstm-fast" }
        #expect(fast.count == 2)
        for (shape, row) in fast.enumerated() {
            let number = { (key: String) in (row[key] as? NSNumber)?.doubleValue ?? .nan }
            let (b, t, d, h, k) = (number("batch"), number("steps"), number("input_size"), number("hidden_size"), number("heads"))
            // A row's floor shares use the probe of its own shape's round.
            let rowPeak = measurements[1 + shape]
            #expect(number("peak_gflops") == rowPeak)
            // The floor: projection 2·B·T·D·4H plus block-diagonal recurrence 2·B·T·4H·H/K, at the peak.
            let floorSeconds = (2 * b * t * d * 4 * h + 2 * b * t * 4 * h * h / k) / (rowPeak * 1e9)
            // Over the fastest run (one round of one run here: the median too; the rounds test tells them apart).
            let share = floorSeconds / (number("forward_best_ms") / 1e3)
            #expect(abs(number("forward_floor_share") - share) <= 1e-9 * share, "\(row)")
            #expect(abs(number("forward_backward_floor_share") - 3 * floorSeconds / (number("forward_backward_best_ms") / 1e3)) <= 1e-9)
            #expect(row["error"] is NSNull)
        }
        let train = try #require(results["train"] as? [String: Any])
        let ours = try #require((train["xlstm-train"] as? [String: Any])?["record"] as? [String: Any])
        #expect((ours["train_step_ms"] as? NSNumber)?.doubleValue ?? 0 > 0)
        let lm = try #require((results["lm"] as? [String: Any])?["xlstm"] as? [String: Any])
        #expect(((lm["record"] as? [String: Any])?["prefill_ms"] as? NSNumber)?.doubleValue ?? 0 > 0)
    }

    /// Also `--plain-build`: a second binary's layer rows and their ratios to
    /// ours (here the same binary, as a stand-in for the plain build), and
    /// `--rounds`: every such row, and the training step, measured once per round.
    @Test func noPeersSkipsTheOfficialPackagesRowsAndAPlainBuildIsMeasuredBesideOurs() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: output) }
        let outcome = try ReleaseBuild.run(xlstm, [
            "bench", "--quick", "--no-peers", "--warmup", "0", "--threads", "1", "--plain-build", xlstm, "--rounds", "2",
            "--output", output.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output)) as? [String: Any])
        let fastRows = try #require(results["layer"] as? [[String: Any]]).filter { $0["impl"] as? String == "xlstm-fast" }
        #expect(fastRows.count == 2 && fastRows.allSatisfy { ($0["command"] as? String)?.hasSuffix("(2 rounds)") == true })
        // The peak is probed in every round too, and a row's floor shares use the better of its shape's two probes.
        let meta = try #require(results["meta"] as? [String: Any])
        let peaks = try #require((meta["sgemm_peak_measurements_gflops"] as? [NSNumber])?.map(\.doubleValue))
        #expect(peaks.count == 5, "\(peaks)")
        for (shape, row) in fastRows.enumerated() where peaks.count == 5 {
            let rowPeak = try #require((row["peak_gflops"] as? NSNumber)?.doubleValue)
            #expect(rowPeak == max(peaks[1 + 2 * shape], peaks[2 + 2 * shape]))
        }
        // A row keeps the median of its rounds' medians (of two: their mean) and the fastest of their fastest
        // runs, and the results file keeps each round's line.
        var measured: [(row: [String: Any], rounds: [Any])] = fastRows.map { ($0, $0["rounds"] as? [Any] ?? []) }
        for entry in try #require(results["plain_build"] as? [[String: Any]]) {
            let plain = try #require(entry["plain"] as? [String: Any])
            measured.append((try #require(plain["record"] as? [String: Any]), plain["rounds"] as? [Any] ?? []))
        }
        #expect(measured.count == 4)
        let number = { (record: [String: Any], key: String) in (record[key] as? NSNumber)?.doubleValue ?? .nan }
        for (row, rounds) in measured {
            let lines = rounds.compactMap { ($0 as? [String: Any])?["record"] as? [String: Any] }
            #expect(lines.count == 2 && rounds.allSatisfy { ($0 as? [String: Any])?["error"] is NSNull }, "\(row)")
            guard lines.count == 2 else { continue }
            for key in ["forward_ms", "forward_backward_ms"] {
                #expect(abs(number(row, key) - (number(lines[0], key) + number(lines[1], key)) / 2) <= 1e-9 * number(row, key))
            }
            for key in ["forward_best_ms", "forward_backward_best_ms"] {
                #expect(number(row, key) == min(number(lines[0], key), number(lines[1], key)), "\(key): \(row)")
            }
        }
        // With one run per round, the fastest of two rounds is below their mean, and the floor shares use the fastest.
        for (shape, row) in fastRows.enumerated() where peaks.count == 5 {
            #expect(number(row, "forward_best_ms") < number(row, "forward_ms"), "\(row)")
            let (b, t, d, h, k) = (
                number(row, "batch"), number(row, "steps"), number(row, "input_size"), number(row, "hidden_size"), number(row, "heads")
            )
            let floorSeconds = (2 * b * t * d * 4 * h + 2 * b * t * 4 * h * h / k) / (max(peaks[1 + 2 * shape], peaks[2 + 2 * shape]) * 1e9)
            let share = floorSeconds / (number(row, "forward_best_ms") / 1e3)
            #expect(abs(number(row, "forward_floor_share") - share) <= 1e-9 * share, "\(row)")
            let backwardShare = 3 * floorSeconds / (number(row, "forward_backward_best_ms") / 1e3)
            #expect(abs(number(row, "forward_backward_floor_share") - backwardShare) <= 1e-9 * backwardShare, "\(row)")
        }
        // --rounds 2: ours and the plain build twice per shape (2 shapes), each a process of its own.
        let fastRuns = outcome.standardError.split(separator: "\n").filter { $0.contains("xlstm bench layer --kernel fast") }
        #expect(fastRuns.count == 8, "\(outcome.standardError)")
        let rows = outcome.standardOutput.split(separator: "\n")
        let plain = try #require(rows.firstIndex { $0.hasPrefix("A plain `swift build -c release`") })
        let plainRows = rows[(plain + 3)...].prefix { $0.hasPrefix("| ") }
        #expect(plainRows.count == 2, "\(outcome.standardOutput)")
        for row in plainRows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(cells.count >= 6 && cells[2...5].allSatisfy { (Double($0) ?? 0) > 0 }, "\(row)")
        }
        #expect(rows.filter { $0.contains("| xlstm-official ") || $0.contains("| flashrnn ") }.allSatisfy { $0.contains("skipped: --no-peers") })
        #expect(rows.filter { $0.contains("skipped: --no-peers") }.count == 4)
        #expect(rows.contains { $0.contains("| nn.LSTM ") && $0.contains("not run: no --python") })
        // The training step is measured once per round as well.
        #expect(outcome.standardError.split(separator: "\n").filter { $0.contains("xlstm bench train") }.count == 2, "\(outcome.standardError)")
        let train = try #require((results["train"] as? [String: Any])?["xlstm-train"] as? [String: Any])
        #expect((train["command"] as? String)?.hasSuffix("(2 rounds)") == true, "\(train)")
    }

    /// `--timeout` stops a measurement that runs longer: every one of ours here.
    @Test func aMeasurementPastTheTimeoutIsStoppedAndReported() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, ["bench", "--quick", "--timeout", "0.001", "--warmup", "0", "--threads", "1"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let ours = outcome.standardOutput.split(separator: "\n").filter { $0.contains("| xlstm-fast ") }
        #expect(ours.count == 2 && ours.allSatisfy { $0.contains("timed out after 0.001 s") }, "\(ours)")
    }

    /// `xlstm bench gemm`: a column per library that opened, a line naming
    /// each one that did not, and results that agree with each other.
    @Test func theMatrixProductComparisonMeasuresEveryLibraryThatOpens() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let outcome = try ReleaseBuild.run(xlstm, ["bench", "gemm", "--quick", "--threads", "2"])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(lines.first { $0.hasPrefix("| product ") })
        #expect(header.contains("OpenBLAS GFLOP/s") && header.contains("xLSTM micro-kernel GFLOP/s") && header.hasSuffix("max rel. difference |"))
        #if os(Linux) && arch(x86_64)
        #expect(header.contains("libxsmm (B packed once) GFLOP/s"), "libxsmm is linked on x86-64 Linux")
        #endif
        for library in ["BLIS", "oneDNN"] {
            let measured = header.contains("\(library) GFLOP/s")
            let missing = lines.contains { $0.hasPrefix("\(library): not measured: ") }
            #expect(measured != missing, "\(library): a column or a line saying why not")
        }
        let row = try #require(lines.first { $0.hasPrefix("| small ") })
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(cells[1] == "128x112x96 (B^T)")
        let rates = cells[2..<(cells.count - 1)].compactMap { Double($0) }
        #expect(rates.count == cells.count - 3 && rates.allSatisfy { $0 > 0 }, "\(row)")
        #expect((Double(cells[cells.count - 1]) ?? .infinity) <= 1e-5, "the libraries agree: \(row)")
    }
}
