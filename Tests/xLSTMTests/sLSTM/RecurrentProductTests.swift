import Testing
@testable import xLSTM

/// The recurrent product's micro-kernel in every register blocking (only
/// the build's own runs in the sLSTM; the others are built for other
/// instruction sets) against a plain Double loop: row counts that leave
/// every kind of rest group, widths that are not multiples of the wider
/// groups, depths that span several column tiles, with and without a start.
@Suite struct RecurrentProductTests {
    @Test(arguments: RecurrentProduct.Blocking.allCases)
    func everyBlockingEqualsThePlainSum(_ blocking: RecurrentProduct.Blocking) throws {
        var generator = Xoshiro256(seed: 11)
        for (depth, width) in [(3, 16), (64, 48), (37, 80), (600, 112)] {
            let matrix = (0..<(depth * width)).map { _ in Float.random(in: -1...1, using: &generator) }
            // M[e][c] in the kernel's panel layout.
            var panels = [Float](repeating: .nan, count: depth * width)
            for e in 0..<depth {
                for c in 0..<width { panels[RecurrentProduct.panelIndex(row: e, column: c, depth: depth)] = matrix[e * width + c] }
            }
            let start = (0..<width).map { _ in Float.random(in: -1...1, using: &generator) }
            for count in 1...9 {
                let rows = (0..<count).map { _ in (0..<depth).map { _ in Float.random(in: -1...1, using: &generator) } }
                for withStart in [false, true] {
                    let outputs = compute(rows, panels, depth: depth, width: width, start: withStart ? start : nil, blocking)
                    for (r, a) in rows.enumerated() {
                        for c in 0..<width {
                            var (sum, magnitude) = (withStart ? Double(start[c]) : 0, withStart ? abs(Double(start[c])) : 0)
                            for e in 0..<depth {
                                sum += Double(a[e]) * Double(matrix[e * width + c])
                                magnitude += abs(Double(a[e]) * Double(matrix[e * width + c]))
                            }
                            let error = abs(Double(outputs[r][c]) - sum)
                            #expect(error <= 1e-5 * magnitude + 1e-7, "\(blocking) depth \(depth) width \(width) rows \(count) start \(withStart): y[\(r)][\(c)] = \(outputs[r][c]), expected \(sum)")
                        }
                    }
                }
            }
        }
    }

    private func compute(
        _ rows: [[Float]], _ panels: [Float], depth: Int, width: Int, start: [Float]?, _ blocking: RecurrentProduct.Blocking
    ) -> [[Float]] {
        let a = rows.map { row in
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: depth)
            pointer.initialize(from: row, count: depth)
            return UnsafePointer(pointer)
        }
        let y = rows.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: width) }
        defer {
            for pointer in a { pointer.deallocate() }
            for pointer in y { pointer.deallocate() }
        }
        a.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { y in
                panels.withUnsafeBufferPointer { panels in
                    let run = { (start: UnsafePointer<Float>?) in
                        var product = RecurrentProduct(
                            a: a.baseAddress!, y: y.baseAddress!, count: rows.count, matrix: panels.baseAddress!,
                            depth: depth, width: width, start: start)
                        product.blocking = blocking
                        product.run()
                    }
                    if let start { start.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                }
            }
        }
        return y.map { Array(UnsafeBufferPointer(start: $0, count: width)) }
    }
}
