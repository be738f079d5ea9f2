import Foundation

/// What one `xlstm train` run of one core measured.
struct RunResult {
    let core: String
    let accuracy: Double
    let scaled: Double
    let parameters: Int
    let seconds: Double
    /// (step, mean training loss since the previous point).
    let curve: [(x: Double, y: Double)]
    /// Test accuracy by length bucket (filled when a report is asked for).
    let buckets: [(lengths: ClosedRange<Int>, accuracy: Double)]
}

/// The HTML report of a run: the results table and two SVG charts, the
/// training loss of each core and its accuracy against test length.
struct TrainingReport {
    let title: String
    let results: [RunResult]

    /// Writes `index.html`, `training.svg` and `generalization.svg` into `directory` (created when missing).
    func write(to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let training = SVGLineChart(
            title: "Training loss", xLabel: "step", yLabel: "cross-entropy",
            series: results.map { .init(name: $0.core, points: $0.curve) })
        let generalization = SVGLineChart(
            title: "Accuracy against test length", xLabel: "test length (bucket middle)", yLabel: "accuracy",
            series: results.map { result in
                .init(name: result.core, points: result.buckets.map { (Double($0.lengths.lowerBound + $0.lengths.upperBound) / 2, $0.accuracy) })
            },
            yRange: 0...1)
        try training.svg.write(to: directory.appendingPathComponent("training.svg"), atomically: true, encoding: .utf8)
        try generalization.svg.write(to: directory.appendingPathComponent("generalization.svg"), atomically: true, encoding: .utf8)
        try html.write(to: directory.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
    }

    var html: String {
        let rows = results.map { result in
            "<tr><td>\(escape(result.core))</td><td>\(result.parameters)</td>"
                + String(format: "<td>%.3f</td><td>%.3f</td><td>%.1f s</td></tr>", result.accuracy, result.scaled, result.seconds)
        }.joined(separator: "\n")
        let buckets = results.map { result in
            "<tr><td>\(escape(result.core))</td>"
                + result.buckets.map { String(format: "<td>%.3f</td>", $0.accuracy) }.joined() + "</tr>"
        }.joined(separator: "\n")
        let header = (results.first?.buckets ?? []).map { "<th>\($0.lengths.lowerBound)-\($0.lengths.upperBound)</th>" }.joined()
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head><meta charset="utf-8"/><title>xlstm train report</title>
            <style>body { font-family: sans-serif; margin: 2em; } table { border-collapse: collapse; margin-bottom: 1.5em; }
            td, th { border: 1px solid #ccc; padding: 4px 10px; text-align: right; } td:first-child { text-align: left; }</style>
            </head>
            <body>
            <h1>xlstm train</h1>
            <p>\(escape(title)).</p>
            <table id="results">
            <tr><th>model</th><th>parameters</th><th>test accuracy</th><th>scaled accuracy</th><th>wall</th></tr>
            \(rows)
            </table>
            <h2>Accuracy by test length</h2>
            <table id="buckets">
            <tr><th>model</th>\(header)</tr>
            \(buckets)
            </table>
            <img src="training.svg" alt="Training loss of each model"/>
            <img src="generalization.svg" alt="Accuracy of each model against test length"/>
            </body>
            </html>

            """
    }
}
