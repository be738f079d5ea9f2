import Foundation

/// One measurement in a process of its own (so its peak memory is its own):
/// the last JSON object line it prints, or why there is none.
struct BenchChild {
    /// The record the program printed (nil when it failed).
    let record: [String: Any]?
    /// Why there is no record (or the record's own `error`).
    let error: String?
    /// The command line, for the results file.
    let command: String
    /// For a measurement repeated in rounds (``combined(rounds:)``), each
    /// round, failed ones too, for the results file; else empty.
    var rounds: [BenchChild] = []

    /// A measurement that was not run, and why.
    static func notRun(_ reason: String) -> BenchChild { BenchChild(record: nil, error: reason, command: "") }

    /// Runs `executable` with `arguments`, killing it after `timeout` seconds,
    /// and says on standard error what it ran and how long it took (a full
    /// run lasts many minutes; the tables come at its end).
    static func run(_ executable: String, _ arguments: [String], timeout: Double) -> BenchChild {
        let started = Date()
        let child = measure(executable, arguments, timeout: timeout)
        let name = ([URL(fileURLWithPath: executable).lastPathComponent] + arguments).joined(separator: " ")
        let outcome = child.error.map { "error: \($0.prefix(120))" } ?? "ok"
        FileHandle.standardError.write(Data(String(format: "  %6.1f s  %@  (%@)\n", Date().timeIntervalSince(started), name, outcome).utf8))
        return child
    }

    private static func measure(_ executable: String, _ arguments: [String], timeout: Double) -> BenchChild {
        let command = ([executable] + arguments).joined(separator: " ")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            return BenchChild(record: nil, error: "not found: \(executable)", command: command)
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xlstm-bench-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let (outputURL, errorURL) = (folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
            _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
            _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = try FileHandle(forWritingTo: outputURL)
            process.standardError = try FileHandle(forWritingTo: errorURL)
            try process.run()
            let deadline = Date().addingTimeInterval(timeout)
            // Polled every 50 ms, never past the deadline.
            while process.isRunning && Date() < deadline {
                Thread.sleep(forTimeInterval: min(0.05, max(0, deadline.timeIntervalSinceNow)))
            }
            let timedOut = process.isRunning
            if timedOut { process.terminate() }
            process.waitUntilExit()
            let output = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
            let errors = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
            let record = output.split(separator: "\n").reversed().lazy.compactMap { line -> [String: Any]? in
                guard line.hasPrefix("{") else { return nil }
                return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }.first
            let failure: String?
            if timedOut {
                failure = "timed out after \(timeout) s"
            } else if let reported = record?["error"] as? String {
                failure = reported
            } else if process.terminationStatus != 0 || record == nil {
                let tail = (errors + output).split(separator: "\n").suffix(2).joined(separator: " / ")
                failure = "exit status \(process.terminationStatus)\(tail.isEmpty ? "" : ": \(tail.prefix(200))")"
            } else {
                failure = nil
            }
            return BenchChild(record: record, error: failure, command: command)
        } catch {
            return BenchChild(record: nil, error: "could not run: \(error.localizedDescription)", command: command)
        }
    }

    /// A number of the record.
    func value(_ key: String) -> Double? { (record?[key] as? NSNumber)?.doubleValue }

    /// The same measurement repeated in rounds: the first record, each of its
    /// numbers replaced by the median over the rounds that succeeded (a
    /// fastest run, `*_best_ms`, by the fastest of them); the first round's
    /// error when none did.
    static func combined(rounds: [BenchChild]) -> BenchChild {
        guard rounds.count > 1 else { return rounds[0] }
        let succeeded = rounds.filter { $0.error == nil && $0.record != nil }
        let command = rounds[0].command + " (\(rounds.count) rounds)"
        guard var record = succeeded.first?.record else {
            return BenchChild(record: rounds[0].record, error: rounds[0].error, command: command, rounds: rounds)
        }
        for (key, value) in record where value is NSNumber && !(value is Bool) && !["batch", "steps", "input_size", "hidden_size", "heads", "threads"].contains(key) {
            let values = succeeded.compactMap { $0.value(key) }
            record[key] = key.hasSuffix("_best_ms") ? values.min()! : Measurement.median(values)
        }
        return BenchChild(record: record, error: nil, command: command, rounds: rounds)
    }
}
