import Foundation

/// A line chart as a standalone SVG document: axes with ticks, one polyline
/// and legend entry per series. Enough for training curves and accuracy
/// against test length; no dependency.
struct SVGLineChart {
    /// One line: a name for the legend and its (x, y) points.
    struct Series {
        let name: String
        let points: [(x: Double, y: Double)]
    }

    let title: String
    let xLabel: String
    let yLabel: String
    let series: [Series]
    /// The y range; the data's own range when nil.
    var yRange: ClosedRange<Double>? = nil

    private static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
    private var width: Double { 640 }
    private var height: Double { 400 }
    /// Margins: the axis labels on the left and bottom, the legend on the right.
    private var left: Double { 70 }
    private var right: Double { 150 }
    private var top: Double { 40 }
    private var bottom: Double { 50 }

    /// The SVG text.
    var svg: String {
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }
        let xRange = (xs.min() ?? 0)...(max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9))
        let yData = (ys.min() ?? 0)...(max(ys.max() ?? 1, (ys.min() ?? 0) + 1e-9))
        let y = yRange ?? yData
        func px(_ value: Double) -> Double {
            left + (value - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound) * (width - left - right)
        }
        func py(_ value: Double) -> Double {
            height - bottom - (value - y.lowerBound) / (y.upperBound - y.lowerBound) * (height - top - bottom)
        }
        var parts: [String] = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" viewBox="0 0 \#(Int(width)) \#(Int(height))" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(Int(width / 2))" y="22" text-anchor="middle" font-size="15">\#(escape(title))</text>"#,
            #"<line x1="\#(left)" y1="\#(height - bottom)" x2="\#(width - right)" y2="\#(height - bottom)" stroke="black"/>"#,
            #"<line x1="\#(left)" y1="\#(top)" x2="\#(left)" y2="\#(height - bottom)" stroke="black"/>"#,
            #"<text x="\#(Int((left + width - right) / 2))" y="\#(Int(height - 12))" text-anchor="middle">\#(escape(xLabel))</text>"#,
            #"<text x="16" y="\#(Int((top + height - bottom) / 2))" text-anchor="middle" transform="rotate(-90 16 \#(Int((top + height - bottom) / 2)))">\#(escape(yLabel))</text>"#,
        ]
        for tick in 0...4 {
            let xValue = xRange.lowerBound + Double(tick) / 4 * (xRange.upperBound - xRange.lowerBound)
            let yValue = y.lowerBound + Double(tick) / 4 * (y.upperBound - y.lowerBound)
            parts.append(#"<text x="\#(px(xValue))" y="\#(height - bottom + 16)" text-anchor="middle">\#(format(xValue))</text>"#)
            parts.append(#"<text x="\#(left - 6)" y="\#(py(yValue) + 4)" text-anchor="end">\#(format(yValue))</text>"#)
            parts.append(#"<line x1="\#(left)" y1="\#(py(yValue))" x2="\#(width - right)" y2="\#(py(yValue))" stroke="rgb(221,221,221)"/>"#)
        }
        for (index, line) in series.enumerated() {
            let color = Self.colors[index % Self.colors.count]
            let points = line.points.map { "\(px($0.x)),\(py(min(max($0.y, y.lowerBound), y.upperBound)))" }.joined(separator: " ")
            parts.append(#"<polyline class="series" data-name="\#(escape(line.name))" fill="none" stroke="\#(color)" stroke-width="2" points="\#(points)"/>"#)
            let legendY = top + 18 * Double(index)
            parts.append(#"<line x1="\#(width - right + 12)" y1="\#(legendY)" x2="\#(width - right + 32)" y2="\#(legendY)" stroke="\#(color)" stroke-width="2"/>"#)
            parts.append(#"<text x="\#(width - right + 38)" y="\#(legendY + 4)">\#(escape(line.name))</text>"#)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private func format(_ value: Double) -> String {
        abs(value) >= 100 || value == value.rounded() ? String(Int(value.rounded())) : String(format: "%.2f", value)
    }
}

/// `text` with the characters XML reserves escaped.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
