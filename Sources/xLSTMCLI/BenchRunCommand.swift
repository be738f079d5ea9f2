import ArgumentParser
import Foundation
import xLSTM

/// The benchmark runner: our release build and the PyTorch baselines on the
/// same shapes in the same run, each measurement in a process of its own;
/// prints the machine, the tables with ratios and FLOP-floor shares, and
/// writes them as JSON. `Benchmarks/run.sh` builds, installs the Python
/// side, then calls this.
struct BenchRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Measure ours against the PyTorch baselines (same shapes, same run) and print the tables.")

    @Flag(help: "Tiny shapes and one run: a smoke test of the whole runner (seconds).")
    var quick = false
    @Flag(help: "Also time the (slow) reference kernel at the large shapes.")
    var all = false
    @Option(help: "Untimed warm-up runs per measurement.")
    var warmup = 1
    @Option(help: "Timed runs per measurement (the median is reported, and for the layer rows also the fastest); --quick makes it 1.")
    var runs = 5
    @Option(help: "Worker threads, ours and PyTorch's.")
    var threads = 2
    @Option(help: "Rounds of the layer rows and the training step: each round measures ours, the PyTorch baseline and the plain build one after another, and a row reports the median over the rounds, and the fastest run of all (for a noisy machine).")
    var rounds = 1
    @Option(help: "A Python with torch for the baselines (Benchmarks/run.sh makes Benchmarks/.venv); without it only our rows run.")
    var python: String?
    @Option(help: "The folder of baselines.py and hf_xlstm_baseline.py.")
    var baselines = "Benchmarks"
    @Option(help: "Write the results as JSON to this file.")
    var output: String?
    @Option(help: "Seconds before a measurement is stopped.")
    var timeout = 1800.0
    @Flag(help: "Skip the official xlstm and flashrnn packages (pure-PyTorch loops over time: minutes per row at the large shapes).")
    var noPeers = false
    @Option(help: "An xlstm built with a plain `swift build -c release` (no target flags, as a consumer package gets it): its layer rows beside ours (Benchmarks/run.sh builds one).")
    var plainBuild: String?

    func validate() throws {
        try requirePositive(runs, "--runs")
        try requirePositive(threads, "--threads")
        try requirePositive(rounds, "--rounds")
        try requireOption(warmup >= 0, "--warmup", expected: "a whole number >= 0", received: warmup)
        try requireOption(timeout > 0, "--timeout", expected: "a positive number of seconds", received: timeout)
        if let python {
            try requireOption(
                FileManager.default.isExecutableFile(atPath: python), "--python", expected: "an executable Python", received: python)
        }
        if let plainBuild {
            try requireOption(
                FileManager.default.isExecutableFile(atPath: plainBuild), "--plain-build", expected: "an executable xlstm", received: plainBuild)
        }
    }

    /// One sLSTM layer shape: batch, steps, input and hidden size, heads.
    struct LayerShape: Equatable {
        let batch, steps, inputSize, hiddenSize, heads: Int
        var arguments: [String] {
            ["--batch", "\(batch)", "--steps", "\(steps)", "--input-size", "\(inputSize)", "--hidden-size", "\(hiddenSize)", "--heads", "\(heads)"]
        }
        /// The forward FLOP floor: the input projection 2·B·T·D·4H and the
        /// block-diagonal recurrence 2·B·T·4H·H/K.
        var forwardFLOPs: Double {
            let (b, t, d, h, k) = (Double(batch), Double(steps), Double(inputSize), Double(hiddenSize), Double(heads))
            return 2 * b * t * d * 4 * h + 2 * b * t * 4 * h * h / k
        }
        var label: String { "\(batch)x\(steps)x\(inputSize)->\(hiddenSize)" }
    }

    var layerShapes: [LayerShape] {
        let shapes = quick
            ? [(2, 16, 32, 32, 1), (2, 16, 32, 32, 4)]
            : [(8, 256, 256, 256, 1), (8, 256, 256, 256, 4), (32, 512, 512, 512, 1), (32, 512, 512, 512, 4),
               (1, 1024, 128, 128, 1), (1, 1024, 128, 128, 4), (8, 1024, 256, 256, 4)]
        return shapes.map { LayerShape(batch: $0.0, steps: $0.1, inputSize: $0.2, hiddenSize: $0.3, heads: $0.4) }
    }

    func run() throws {
        let runs = quick ? 1 : self.runs
        let timing = ["--threads", "\(threads)", "--warmup", "\(warmup)", "--runs", "\(runs)"]
        let ours = Bundle.main.executablePath ?? CommandLine.arguments[0]
        let machine = BenchMachine.current
        let startPeak = BenchMachine.matrixProductPeak(threads: threads)
        print("CPU: \(machine.cpu), \(machine.cores) logical CPUs; vector instructions: \(machine.instructionSets.joined(separator: ", "))")
        print(String(format: "measured %d-thread sgemm peak (1536^3, through the library): %.0f GFLOP/s", threads, startPeak))
        let info = python.map { BenchChild.run($0, ["\(baselines)/baselines.py", "--info"], timeout: 120) }
        let available = { (package: String) in ((info?.record?[package] as? [String: Any])?["import"] as? String) == "ok" }
        if quick { print("quick: tiny shapes, one run: a smoke test of the runner, not a measurement") }
        print("baselines: " + (python == nil ? "none (no --python)" : "torch \(info?.record?["torch"] ?? "not importable"), xlstm \(available("xlstm") ? "ok" : "missing"), flashrnn \(available("flashrnn") ? "ok" : "missing")"))
        print()
        fflush(nil)  // the machine first, before minutes of measurements

        // The sLSTM layer against nn.LSTM (it has no heads: the same model at every K) and the official packages.
        var layerResults: [LayerRow] = []
        var peakMeasurements = [startPeak]
        var plainRows: [(shape: LayerShape, plain: BenchChild, ours: BenchChild)] = []
        for shape in layerShapes {
            func child(_ impl: String) -> BenchChild {
                switch impl {
                case "xlstm-fast", "xlstm-reference":
                    return BenchChild.run(ours, ["bench", "layer", "--kernel", impl == "xlstm-fast" ? "fast" : "reference"] + shape.arguments + timing, timeout: timeout)
                default:
                    if impl != "nn.LSTM" && noPeers { return BenchChild.notRun("skipped: --no-peers") }
                    guard let python else { return BenchChild.notRun("not run: no --python") }
                    if impl != "nn.LSTM" && !available(impl == "xlstm-official" ? "xlstm" : "flashrnn") {
                        return BenchChild.notRun("not run: package not importable")
                    }
                    return BenchChild.run(python, ["\(baselines)/baselines.py", "--impl", impl] + shape.arguments + timing, timeout: timeout)
                }
            }
            let referenceFits = all || shape.batch * shape.steps * shape.hiddenSize <= 8 * 256 * 256
            // Ours, nn.LSTM and the plain build in turns, so that a slow spell of the machine falls on all of them;
            // the peak too, so that the shape's floor shares compare the product rate and the row's time in one spell
            // (this VM's speed drifts by a third within minutes: one run's probes read 95 to 184 GFLOP/s). The best
            // of the shape's probes: a single probe lasts half a second, and one that fell in a dip (141 and 144
            // beside 179 in one shape's rounds) made the shape's shares read up to 109%.
            var (fastRounds, lstmRounds, plainRounds, shapePeaks) = ([BenchChild](), [BenchChild](), [BenchChild](), [Double]())
            for _ in 0..<rounds {
                shapePeaks.append(BenchMachine.matrixProductPeak(threads: threads))
                fastRounds.append(child("xlstm-fast"))
                lstmRounds.append(child("nn.LSTM"))
                if let plainBuild {
                    plainRounds.append(BenchChild.run(plainBuild, ["bench", "layer", "--kernel", "fast"] + shape.arguments + timing, timeout: timeout))
                }
            }
            let (fast, lstm) = (BenchChild.combined(rounds: fastRounds), BenchChild.combined(rounds: lstmRounds))
            if !plainRounds.isEmpty { plainRows.append((shape, BenchChild.combined(rounds: plainRounds), fast)) }
            let official = child("xlstm-official")
            let measured: [(String, BenchChild)] = [
                ("xlstm-fast", fast),
                ("xlstm-reference", referenceFits ? child("xlstm-reference") : BenchChild.notRun("skipped: B*T*H > 8*256*256 (slow); use --all")),
                ("nn.LSTM", lstm), ("xlstm-official", official), ("flashrnn", child("flashrnn")),
            ]
            peakMeasurements += shapePeaks
            for (impl, result) in measured {
                layerResults.append(
                    LayerRow(shape: shape, impl: impl, result: result, lstm: lstm, official: official, peakGFLOPs: shapePeaks.max()!))
            }
        }
        let peak = peakMeasurements.max()!
        print(String(
            format: "sgemm peak over the run: %d probes, %.0f to %.0f GFLOP/s; a row's floor shares use the best of its shape's probes, one per round (the peak column)",
            peakMeasurements.count, peakMeasurements.min()!, peak))
        print("sLSTM layer, Float32, \(threads) threads (times and ratios: medians, below 1 ours is faster; floor: FLOP floor / peak / fastest run):")
        print(LayerRow.table(layerResults))
        if !plainRows.isEmpty {
            print()
            print("A plain `swift build -c release` (what a consumer package gets without flags) against our build (target: <= 1.3):")
            print(markdownTable(
                ["B x T x D -> H", "K", "plain fwd ms", "plain f+b ms", "fwd plain / ours", "f+b plain / ours", "note"],
                plainRows.map { row in
                    [
                        row.shape.label, "\(row.shape.heads)", millis(row.plain.value("forward_ms")), millis(row.plain.value("forward_backward_ms")),
                        ratioText(row.plain.value("forward_ms"), row.ours.value("forward_ms")),
                        ratioText(row.plain.value("forward_backward_ms"), row.ours.value("forward_backward_ms")), row.plain.error ?? "",
                    ]
                }))
        }

        // The matrix-product libraries on the shapes the library multiplies.
        print()
        print(
            "Matrix products, Float32 (the library uses OpenBLAS, and oneDNN for large x W^T products when installed;"
                + " xlstm bench gemm):")
        print(GemmComparison(shapes: quick ? GemmShape.quick : GemmShape.library, threads: threads, warmup: warmup, runs: runs).report())
        fflush(nil)

        // The training step against the same model with nn.LSTM in PyTorch.
        let train = quick ? (2, 16, 256, 32, 64, 2) : (16, 128, 256, 128, 256, 2)
        let trainArguments = [
            "--batch", "\(train.0)", "--steps", "\(train.1)", "--vocab", "\(train.2)", "--embed", "\(train.3)",
            "--hidden-size", "\(train.4)", "--layers", "\(train.5)",
        ] + timing
        // In turns over the rounds too: one sample of this short step is at the mercy of a slow spell.
        var (oursTrainRounds, torchTrainRounds) = ([BenchChild](), [BenchChild]())
        for _ in 0..<rounds {
            oursTrainRounds.append(BenchChild.run(ours, ["bench", "train"] + trainArguments, timeout: timeout))
            if let python {
                torchTrainRounds.append(BenchChild.run(python, ["\(baselines)/baselines.py", "--impl", "torch-train"] + trainArguments, timeout: timeout))
            }
        }
        let oursTrain = BenchChild.combined(rounds: oursTrainRounds)
        let torchTrain = torchTrainRounds.isEmpty ? BenchChild.notRun("not run: no --python") : BenchChild.combined(rounds: torchTrainRounds)
        print()
        print("Training step: embedding \(train.2)x\(train.3) -> \(train.5) recurrent layers of \(train.4) -> linear -> cross-entropy -> Adam, B=\(train.0), T=\(train.1):")
        print(trainTable(ours: oursTrain, torch: torchTrain))

        // The language model against transformers' xLSTMForCausalLM.
        let lm = quick ? (128, 2, 2, 64, 2, 32, 8, 4) : (512, 4, 6, 256, 4, 512, 64, 32)
        let oursLM = BenchChild.run(ours, [
            "bench", "lm", "--hidden-size", "\(lm.0)", "--heads", "\(lm.1)", "--blocks", "\(lm.2)", "--vocab", "\(lm.3)",
            "--batch", "\(lm.4)", "--steps", "\(lm.5)", "--prompt", "\(lm.6)", "--new-tokens", "\(lm.7)",
        ] + timing, timeout: timeout)
        let hf = python.map {
            BenchChild.run($0, [
                "\(baselines)/hf_xlstm_baseline.py", "--hidden", "\(lm.0)", "--heads", "\(lm.1)", "--blocks", "\(lm.2)", "--vocab", "\(lm.3)",
                "--batch", "\(lm.4)", "--seq", "\(lm.5)", "--prompt-tokens", "\(lm.6)", "--new-tokens", "\(lm.7)",
            ] + timing, timeout: timeout)
        } ?? BenchChild.notRun("not run: no --python")
        print()
        print("Language model (xLSTM-Large of random weights): D=\(lm.0), \(lm.1) heads, \(lm.2) blocks, V=\(lm.3); prefill and training \(lm.4)x\(lm.5) tokens, decoding after a \(lm.6)-token prompt:")
        print(languageModelTable(ours: oursLM, transformers: hf))

        if let output {
            let results: [String: Any] = [
                "meta": [
                    "date": ISO8601DateFormatter().string(from: Date()), "cpu": machine.cpu, "cores": machine.cores,
                    "instruction_sets": machine.instructionSets, "sgemm_peak_gflops": peak,
                    "sgemm_peak_measurements_gflops": peakMeasurements, "threads": threads,
                    "warmup": warmup, "runs": runs, "quick": quick, "baselines": info?.record ?? NSNull(),
                ] as [String: Any],
                "layer": layerResults.map(\.json),
                "plain_build": plainRows.map { ["shape": $0.shape.label, "heads": $0.shape.heads, "plain": $0.plain.json] },
                "train": ["xlstm-train": oursTrain.json, "torch-train": torchTrain.json],
                "lm": ["xlstm": oursLM.json, "transformers": hf.json],
            ]
            let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: output), options: .atomic)
            print("\nresults: \(output)")
        }
    }

    private func trainTable(ours: BenchChild, torch: BenchChild) -> String {
        let ratio = ratioText(ours.value("train_step_ms"), torch.value("train_step_ms"))
        return markdownTable(
            ["impl", "step ms", "ours / torch", "RSS +MB", "peak MB", "note"],
            [ours, torch].enumerated().map { index, child in
                [
                    index == 0 ? "xlstm-train" : "torch-train", millis(child.value("train_step_ms")), index == 0 ? ratio : "",
                    whole(child.value("rss_increase_mb")), whole(child.value("peak_rss_mb")), child.error ?? "",
                ]
            })
    }

    private func languageModelTable(ours: BenchChild, transformers: BenchChild) -> String {
        let tokens = Double((ours.record?["batch"] as? Int ?? 0) * (ours.record?["steps"] as? Int ?? 0))
        let prefill = ours.value("prefill_ms").map { tokens / $0 * 1e3 }
        let training = ours.value("train_ms").map { tokens / $0 * 1e3 }
        let hfPrefill = ((transformers.record?["prefill"] as? [String: Any])?["tokens_per_s"] as? NSNumber)?.doubleValue
        let hfDecode = ((transformers.record?["decode"] as? [String: Any])?["ms_per_token"] as? NSNumber)?.doubleValue
        let decode = ours.value("decode_ms_per_token")
        return markdownTable(
            ["measure", "ours", "transformers", "ours / transformers", "target"],
            [
                ["prefill tokens/s", whole(prefill), whole(hfPrefill), ratioText(prefill, hfPrefill), ">= 2"],
                ["training tokens/s (forward + backward)", whole(training), "not measured: fails with use_cache=True (in-place error)", "", ""],
                ["ms per generated token (greedy)", millis(decode), millis(hfDecode), ratioText(decode, hfDecode), "<= 0.5"],
                ["peak RSS MB", whole(ours.value("peak_rss_mb")), "", "", ""],
            ] + [ours.error.map { ["ours: error", $0, "", "", ""] }, transformers.error.map { ["transformers: error", $0, "", "", ""] }].compactMap { $0 })
    }
}

/// One row of the layer table: an implementation at a shape, its ratios to
/// nn.LSTM and to the official package, and its share of the FLOP floor.
struct LayerRow {
    let shape: BenchRunCommand.LayerShape
    let impl: String
    let result: BenchChild
    let lstm: BenchChild
    let official: BenchChild
    /// The sgemm peak measured in the rounds of this row's shape (the best of them).
    let peakGFLOPs: Double

    var forward: Double? { result.value("forward_ms") }
    var forwardBackward: Double? { result.value("forward_backward_ms") }
    var forwardBest: Double? { result.value("forward_best_ms") }
    var forwardBackwardBest: Double? { result.value("forward_backward_best_ms") }
    var isOurs: Bool { impl.hasPrefix("xlstm-") && impl != "xlstm-official" }
    /// The FLOP floor at the measured peak over the fastest run: 1 means the run did nothing but
    /// peak-rate products. The fastest run, not the median: the peak is itself the best of its probes'
    /// runs, so both are the machine at its least disturbed. This VM's speed moves within a second
    /// (the medians of one process's 20-run blocks read 9.8 to 14.9 ms at 8x256x256, K = 4, on a Zen 3),
    /// and the median time beside the best probe counted the slow spells against the kernel alone.
    var forwardFloorShare: Double? { forwardBest.map { shape.forwardFLOPs / (peakGFLOPs * 1e9) / ($0 / 1e3) } }
    var forwardBackwardFloorShare: Double? { forwardBackwardBest.map { 3 * shape.forwardFLOPs / (peakGFLOPs * 1e9) / ($0 / 1e3) } }

    var cells: [String] {
        [
            shape.label, "\(shape.heads)", impl, millis(forward), millis(forwardBackward),
            isOurs ? ratioText(forward, lstm.value("forward_ms")) : "", isOurs ? ratioText(forwardBackward, lstm.value("forward_backward_ms")) : "",
            isOurs ? ratioText(forward, official.value("forward_ms")) : "", isOurs ? ratioText(forwardBackward, official.value("forward_backward_ms")) : "",
            percent(forwardFloorShare), percent(forwardBackwardFloorShare), whole(peakGFLOPs), whole(result.value("rss_increase_mb")),
            whole(result.value("peak_rss_mb")),
            result.error ?? (impl == "nn.LSTM" && shape.heads != 1 ? "no heads: the K=1 model" : ""),
        ]
    }

    static func table(_ rows: [LayerRow]) -> String {
        markdownTable(
            ["B x T x D -> H", "K", "impl", "fwd ms", "f+b ms", "fwd / nn.LSTM", "f+b / nn.LSTM", "fwd / official", "f+b / official",
             "fwd floor", "f+b floor", "peak GFLOP/s", "RSS +MB", "peak MB", "note"],
            rows.map(\.cells))
    }

    var json: [String: Any] {
        [
            "batch": shape.batch, "steps": shape.steps, "input_size": shape.inputSize, "hidden_size": shape.hiddenSize,
            "heads": shape.heads, "impl": impl, "forward_ms": forward ?? NSNull(), "forward_backward_ms": forwardBackward ?? NSNull(),
            "forward_best_ms": forwardBest ?? NSNull(), "forward_backward_best_ms": forwardBackwardBest ?? NSNull(),
            "forward_floor_share": forwardFloorShare ?? NSNull(), "forward_backward_floor_share": forwardBackwardFloorShare ?? NSNull(),
            "peak_gflops": peakGFLOPs,
            "peak_rss_mb": result.value("peak_rss_mb") ?? NSNull(), "rss_increase_mb": result.value("rss_increase_mb") ?? NSNull(),
            "error": result.error ?? NSNull(), "command": result.command, "rounds": result.rounds.map(\.roundJSON),
        ]
    }
}

extension BenchChild {
    var json: [String: Any] {
        ["record": record ?? NSNull(), "error": error ?? NSNull(), "command": command, "rounds": rounds.map(\.roundJSON)]
    }

    /// One round of a measurement repeated in rounds: its record or its error.
    var roundJSON: [String: Any] { ["record": record ?? NSNull(), "error": error ?? NSNull()] }
}

/// A Markdown table with its columns padded to their widest cell.
func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
    func line(_ cells: [String]) -> String {
        "| " + cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: " | ") + " |"
    }
    return ([line(header), "|" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "|") + "|"] + rows.map(line))
        .joined(separator: "\n")
}

func millis(_ value: Double?) -> String {
    guard let value else { return "-" }
    return String(format: value >= 100 ? "%.0f" : value >= 10 ? "%.1f" : "%.2f", value)
}
func whole(_ value: Double?) -> String { value.map { String(format: "%.0f", $0) } ?? "-" }
func percent(_ value: Double?) -> String { value.map { String(format: "%.0f%%", 100 * $0) } ?? "-" }
func ratioText(_ ours: Double?, _ base: Double?) -> String {
    guard let ours, let base, base > 0 else { return "-" }
    return String(format: "%.2f", ours / base)
}
