import Foundation

/// What one `xlstm train` run of one model measured.
struct RunResult {
    let model: String
    let parameters: Int
    let seconds: Double
    /// The final measurements, named (test accuracy, scaled accuracy; or held-out loss, bits per character).
    let scores: [(name: String, value: Double)]
    /// (step, mean training loss since the previous point).
    let curve: [(x: Double, y: Double)]
    /// Test accuracy by length bucket (formal tasks, filled when a report is asked for).
    let buckets: [(lengths: ClosedRange<Int>, accuracy: Double)]
    /// A language model's greedy continuation of a held-out prompt.
    let sample: (prompt: String, continuation: String)?
}

/// The results table, one row per model, as Markdown lines.
func resultsTable(_ results: [RunResult]) -> [String] {
    let names = results.first?.scores.map(\.name) ?? []
    return ["| model | parameters | " + names.joined(separator: " | ") + " | wall |", "|---|---|" + String(repeating: "---|", count: names.count + 1)]
        + results.map { result in
            "| \(result.model) | \(result.parameters) | " + result.scores.map { String(format: "%.3f", $0.value) }.joined(separator: " | ")
                + String(format: " | %.1f s |", result.seconds)
        }
}

/// The length-generalization table: accuracy by test-length bucket, as Markdown lines.
func bucketTable(_ results: [RunResult]) -> [String] {
    let buckets = results.first?.buckets.map(\.lengths) ?? []
    return ["| model | " + buckets.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: " | ") + " |", "|---|" + String(repeating: "---|", count: buckets.count)]
        + results.map { result in
            "| \(result.model) | " + result.buckets.map { String(format: "%.3f", $0.accuracy) }.joined(separator: " | ") + " |"
        }
}

/// The HTML report of a run: the results table and SVG charts, the training
/// loss of each model and (formal tasks) its accuracy against test length,
/// or (language models) a greedy continuation from each.
struct TrainingReport {
    let title: String
    let results: [RunResult]

    private var hasBuckets: Bool { results.contains { !$0.buckets.isEmpty } }

    /// Writes `index.html`, `training.svg` and, for formal tasks,
    /// `generalization.svg` into `directory` (created when missing).
    func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let training = SVGLineChart(
            title: "Training loss", xLabel: "step", yLabel: "cross-entropy",
            series: results.map { .init(name: $0.model, points: $0.curve) })
        try training.svg.write(to: directory.appendingPathComponent("training.svg"), atomically: true, encoding: .utf8)
        if hasBuckets {
            let generalization = SVGLineChart(
                title: "Accuracy against test length", xLabel: "test length (bucket middle)", yLabel: "accuracy",
                series: results.map { result in
                    .init(name: result.model, points: result.buckets.map { (Double($0.lengths.lowerBound + $0.lengths.upperBound) / 2, $0.accuracy) })
                },
                yRange: 0...1)
            try generalization.svg.write(to: directory.appendingPathComponent("generalization.svg"), atomically: true, encoding: .utf8)
        }
        try html.write(to: directory.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
    }

    var html: String {
        let names = results.first?.scores.map(\.name) ?? []
        let rows = results.map { result in
            "<tr><td>\(escape(result.model))</td><td>\(result.parameters)</td>"
                + result.scores.map { String(format: "<td>%.3f</td>", $0.value) }.joined()
                + String(format: "<td>%.1f s</td></tr>", result.seconds)
        }.joined(separator: "\n")
        var sections = ""
        if hasBuckets {
            let header = (results.first?.buckets ?? []).map { "<th>\($0.lengths.lowerBound)-\($0.lengths.upperBound)</th>" }.joined()
            let buckets = results.map { result in
                "<tr><td>\(escape(result.model))</td>" + result.buckets.map { String(format: "<td>%.3f</td>", $0.accuracy) }.joined() + "</tr>"
            }.joined(separator: "\n")
            sections = """
                <h2>Accuracy by test length</h2>
                <table id="buckets">
                <tr><th>model</th>\(header)</tr>
                \(buckets)
                </table>
                <img src="training.svg" alt="Training loss of each model"/>
                <img src="generalization.svg" alt="Accuracy of each model against test length"/>
                """
        } else {
            let samples = results.compactMap { result in
                result.sample.map { "<p class=\"sample\"><b>\(escape(result.model)):</b> <i>\(escape($0.prompt))</i>\(escape($0.continuation))</p>" }
            }.joined(separator: "\n")
            sections = """
                <img src="training.svg" alt="Training loss of each model"/>
                <h2>Greedy continuations of a held-out prompt</h2>
                \(samples)
                """
        }
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head><meta charset="utf-8"/><title>xlstm train report</title>
            <style>body { font-family: sans-serif; margin: 2em; } table { border-collapse: collapse; margin-bottom: 1.5em; }
            td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; } td:first-child { text-align: left; }
            .sample { font-family: monospace; white-space: pre-wrap; max-width: 60em; }</style>
            </head>
            <body>
            <h1>xlstm train</h1>
            <p>\(escape(title)).</p>
            <table id="results">
            <tr><th>model</th><th>parameters</th>\(names.map { "<th>\(escape($0))</th>" }.joined())<th>wall</th></tr>
            \(rows)
            </table>
            \(sections)
            </body>
            </html>

            """
    }
}
