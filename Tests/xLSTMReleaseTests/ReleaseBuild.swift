import Foundation

/// Builds and runs the package's programs in release configuration (what
/// users run) with the recommended flags, in `.build-release`.
enum ReleaseBuild {
    /// The package root: three levels above this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// What a finished process left behind.
    struct Outcome {
        let status: Int32
        let reason: Process.TerminationReason
        let standardOutput: String
        let standardError: String
    }

    /// Builds `product` (a no-op when `scripts/test.sh` built it already)
    /// and returns the path of its binary.
    static func binary(_ product: String) throws -> String {
        let build = try run("/bin/bash", ["scripts/build-release.sh", product])
        guard build.status == 0 else {
            throw BuildFailure(product: product, output: build.standardOutput + build.standardError)
        }
        return root.appendingPathComponent(".build-release/release/\(product)").path
    }

    /// Runs `executable` with `arguments` in the package root and waits for
    /// it; its output goes through files, so no pipe can fill up and stall it.
    static func run(_ executable: String, _ arguments: [String]) throws -> Outcome {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xlstm-release-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (outputFile, errorFile) = (folder.appendingPathComponent("out"), folder.appendingPathComponent("err"))
        _ = FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outputFile)
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, reason: process.terminationReason,
            standardOutput: try String(contentsOf: outputFile, encoding: .utf8),
            standardError: try String(contentsOf: errorFile, encoding: .utf8))
    }

    struct BuildFailure: Error, CustomStringConvertible {
        let product: String
        let output: String
        var description: String { "release build of \(product) failed:\n\(output)" }
    }
}
