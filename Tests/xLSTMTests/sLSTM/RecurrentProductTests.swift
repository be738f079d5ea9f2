import Foundation
import Testing
@testable import xLSTM

/// The recurrent product in every register blocking of the micro-kernel
/// (only the build's own runs in the sLSTM; the others are built for other
/// instruction sets) and through the libraries, against a plain Double loop:
/// row counts that leave every kind of rest group, widths that are not
/// multiples of the wider groups, depths that span several column tiles, a
/// product large enough for oneDNN (`OneDNN.minimumMultiplyAdds`),
/// with and without a start; for the libraries, rows at constant strides
/// (one product) and scattered rows (one per row). Widths of 48, 80 and 112
/// end libxsmm's panels of 32 columns with one of 16. The xsmm method on
/// strided rows keeps one kernel cache (``RecurrentProduct/KernelCache``)
/// through all its products, whose shapes change from one to the next; on
/// scattered rows it has none, so each product keeps its own.
@Suite struct RecurrentProductTests {
    enum Method: CaseIterable, Sendable {
        case microKernelNarrow, microKernelStandard, microKernelWide, blasStridedRows, blasScatteredRows
        case oneDNNStridedRows, oneDNNScatteredRows, xsmmStridedRows, xsmmScatteredRows
    }

    @Test(arguments: Method.allCases)
    func everyMethodEqualsThePlainSum(_ method: Method) throws {
        var generator = Xoshiro256(seed: 11)
        let engine: RecurrentProduct.Engine
        switch method {
        case .blasStridedRows, .blasScatteredRows: engine = .blas
        case .oneDNNStridedRows, .oneDNNScatteredRows:
            engine = .oneDNN
            #if os(Linux)
            // Without the library the engine would run OpenBLAS and this test would check nothing new.
            try #require(
                OneDNN.shared != nil, "\(OneDNN.libraryName) not found: scripts/ensure-dependencies.sh installs it")
            #endif
        case .xsmmStridedRows, .xsmmScatteredRows:
            engine = .xsmm
            #if !(os(Linux) && arch(x86_64))
            return
            #endif
        default: engine = .microKernel
        }
        let kernels = UnsafeMutablePointer<RecurrentProduct.KernelCache>.allocate(capacity: 1)
        kernels.initialize(to: .init())
        defer { kernels.deallocate() }
        // 256 x 1024 with 4 rows or more: 2^20 multiply-adds, oneDNN's part of the oneDNN engine.
        for (depth, width) in [(3, 16), (64, 48), (37, 80), (600, 112), (256, 1024)] {
            let matrix = (0..<(depth * width)).map { _ in Float.random(in: -1...1, using: &generator) }
            // M[e][c] where the engine reads it.
            var stored = [Float](repeating: .nan, count: depth * width)
            for e in 0..<depth {
                for c in 0..<width {
                    let at = RecurrentProduct.matrixIndex(row: e, column: c, depth: depth, width: width, engine: engine)
                    stored[at] = matrix[e * width + c]
                }
            }
            let start = (0..<width).map { _ in Float.random(in: -1...1, using: &generator) }
            for count in 1...9 {
                let rows = (0..<count).map { _ in (0..<depth).map { _ in Float.random(in: -1...1, using: &generator) } }
                for withStart in [false, true] {
                    let outputs = compute(
                        rows, stored, depth: depth, width: width, start: withStart ? start : nil, method, engine,
                        kernels: method == .xsmmStridedRows ? kernels : nil)
                    for (r, a) in rows.enumerated() {
                        for c in 0..<width {
                            var (sum, magnitude) = (withStart ? Double(start[c]) : 0, withStart ? abs(Double(start[c])) : 0)
                            for e in 0..<depth {
                                sum += Double(a[e]) * Double(matrix[e * width + c])
                                magnitude += abs(Double(a[e]) * Double(matrix[e * width + c]))
                            }
                            let error = abs(Double(outputs[r][c]) - sum)
                            #expect(error <= 1e-5 * magnitude + 1e-7, "\(method) depth \(depth) width \(width) rows \(count) start \(withStart): y[\(r)][\(c)] = \(outputs[r][c]), expected \(sum)")
                        }
                    }
                }
            }
        }
    }

    /// libxsmm sets `OMP_PROC_BIND=TRUE` in the process's environment when
    /// it initializes; the engine gives the environment back, so that the
    /// variable after an xsmm product is what the process was started with
    /// (`/proc/self/environ` keeps the environment of the start).
    @Test func theXSMMEngineLeavesTheEnvironmentAsItFoundIt() throws {
        #if os(Linux) && arch(x86_64)
        let launch = try String(contentsOfFile: "/proc/self/environ", encoding: .utf8).split(separator: "\0")
        let launchValue = launch.first { $0.hasPrefix("OMP_PROC_BIND=") }.map { String($0.dropFirst("OMP_PROC_BIND=".count)) }
        _ = compute([[1, 2]], [3, 4] + [Float](repeating: 0, count: 30), depth: 2, width: 16, start: nil, .xsmmStridedRows, .xsmm)
        #expect(getenv("OMP_PROC_BIND").map { String(cString: $0) } == launchValue)
        #endif
    }

    /// libxsmm's AVX kernels leave the upper halves of the vector registers
    /// dirty, which the engine clears after each (a `vzeroupper`, which is
    /// only valid on a CPU with AVX): it must know that the kernels use AVX
    /// exactly when the CPU has it (`/proc/cpuinfo`'s flags). Whether it
    /// clears the state is a matter of speed only, which no test times.
    @Test func theXSMMEngineSeesAVXKernelsExactlyOnCPUsWithAVX() throws {
        #if os(Linux) && arch(x86_64)
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = try #require(cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") })
        let hasAVX = flags.split(separator: " ").contains("avx")
        #expect(RecurrentProduct.xsmmKernelsUseAVX == hasAVX)
        #endif
    }

    /// y for `rows`: in one block with rows `depth + 5` (and `width + 3`)
    /// apart for the strided methods, else each row in an allocation of its own.
    private func compute(
        _ rows: [[Float]], _ stored: [Float], depth: Int, width: Int, start: [Float]?, _ method: Method,
        _ engine: RecurrentProduct.Engine, kernels: UnsafeMutablePointer<RecurrentProduct.KernelCache>? = nil
    ) -> [[Float]] {
        let strided = [.blasStridedRows, .oneDNNStridedRows, .xsmmStridedRows].contains(method)
        let (aStride, yStride) = (depth + 5, width + 3)
        let aBlock = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * aStride)
        let yBlock = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * yStride)
        aBlock.initialize(repeating: .nan, count: rows.count * aStride)
        yBlock.initialize(repeating: .nan, count: rows.count * yStride)
        let a = rows.enumerated().map { index, row in
            let pointer = strided ? aBlock + index * aStride : UnsafeMutablePointer<Float>.allocate(capacity: depth)
            pointer.update(from: row, count: depth)
            return UnsafePointer(pointer)
        }
        let y = rows.indices.map { strided ? yBlock + $0 * yStride : UnsafeMutablePointer<Float>.allocate(capacity: width) }
        defer {
            if !strided {
                for pointer in a { pointer.deallocate() }
                for pointer in y { pointer.deallocate() }
            }
            aBlock.deallocate()
            yBlock.deallocate()
        }
        a.withUnsafeBufferPointer { a in
            y.withUnsafeBufferPointer { y in
                stored.withUnsafeBufferPointer { stored in
                    let run = { (start: UnsafePointer<Float>?) in
                        var product = RecurrentProduct(
                            a: a.baseAddress!, y: y.baseAddress!, count: rows.count, matrix: stored.baseAddress!,
                            depth: depth, width: width, start: start, engine: engine, kernels: kernels)
                        switch method {
                        case .microKernelNarrow: product.blocking = .narrow
                        case .microKernelStandard: product.blocking = .standard
                        case .microKernelWide: product.blocking = .wide
                        case .blasStridedRows, .blasScatteredRows, .oneDNNStridedRows, .oneDNNScatteredRows,
                            .xsmmStridedRows, .xsmmScatteredRows:
                            break
                        }
                        product.run()
                    }
                    if let start { start.withUnsafeBufferPointer { run($0.baseAddress!) } } else { run(nil) }
                }
            }
        }
        return y.map { Array(UnsafeBufferPointer(start: $0, count: width)) }
    }
}
