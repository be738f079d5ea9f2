import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `xlstm train --compare slstm,lstm --report DIR` writes an HTML page and
/// two SVG charts that parse as XML and hold one line per model.
@Suite struct CommandLineReportTests {
    /// Elements by name, with their attributes, in document order.
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String]
        ) {
            elements.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    static func parse(_ url: URL) throws -> Collector {
        let parser = try #require(XMLParser(contentsOf: url))
        let collector = Collector()
        parser.delegate = collector
        #expect(parser.parse(), "\(url.lastPathComponent): \(String(describing: parser.parserError))")
        return collector
    }

    @Test func theReportHoldsEveryModel() throws {
        let xlstm = try ReleaseBuild.binary("xlstm")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xlstm-report-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try ReleaseBuild.run(xlstm, [
            "train", "--compare", "slstm,lstm", "--steps", "100", "--test-count", "64", "--threads", "1",
            "--report", directory.path,
        ])
        #expect(outcome.status == 0, "\(outcome.standardError)")
        for chart in ["training.svg", "generalization.svg"] {
            let svg = try Self.parse(directory.appendingPathComponent(chart))
            let lines = svg.elements.filter { $0.name == "polyline" }
            #expect(lines.map { $0.attributes["data-name"] } == ["slstm", "lstm"], "\(chart)")
            // Training: a point per progress line (steps 50 and 100); generalization: one per length bucket.
            let points = lines.map { ($0.attributes["points"] ?? "").split(separator: " ").count }
            #expect(points == (chart == "training.svg" ? [2, 2] : [8, 8]), "\(chart)")
        }
        let html = try Self.parse(directory.appendingPathComponent("index.html"))
        #expect(html.elements.filter { $0.name == "img" }.map { $0.attributes["src"] } == ["training.svg", "generalization.svg"])
        #expect(html.elements.filter { $0.name == "tr" }.count == 6)  // two tables: a header and a row per model each
        #expect(html.text.contains("slstm") && html.text.contains("lstm") && html.text.contains("229-256"))
    }
}
