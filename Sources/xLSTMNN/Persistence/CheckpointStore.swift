import Foundation
import xLSTMTensor

/// The checkpoints of one training run, in one directory:
///
///     runs/parity/
///       latest              the name of the newest complete checkpoint ("step-00000400")
///       step-00000300/      model.safetensors, config.json, optimizer.safetensors, trainer.json
///       step-00000400/
///
/// A save writes a new checkpoint into a temporary directory (every file
/// flushed to the disk), renames it into place, then replaces `latest` the
/// same way. Each rename is atomic, so a crash at any instant leaves `latest`
/// naming a complete checkpoint: the previous one until the new one is whole.
public struct CheckpointStore: Sendable {
    /// The run's directory.
    public let directory: URL
    /// How many of the newest checkpoints a save keeps (older ones are removed).
    public let keep: Int

    static let latestFile = "latest"
    static let temporaryPrefix = ".tmp-"

    /// The points of a save after which a crash is simulated in tests
    /// (``interruption``); in order.
    package enum Stage: Int, CaseIterable, Comparable, Sendable {
        case createdTemporaryDirectory, wroteModel, wroteConfiguration, wroteOptimizer, wroteTrainer
        case renamedCheckpoint, updatedLatest, prunedOlder

        package static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    /// When set (tests only), a save stops right after this stage as a crash
    /// would: nothing is cleaned up.
    @TaskLocal package static var interruption: Stage?

    /// The store in `directory` (created by the first save), keeping the `keep` newest checkpoints.
    ///
    /// - Throws: `xLSTMError` when `keep < 1`.
    public init(directory: URL, keep: Int = 2) throws(xLSTMError) {
        try require(keep >= 1, "keep", expected: "at least 1", received: "\(keep)")
        self.directory = directory
        self.keep = keep
    }

    /// The checkpoint `latest` names, or `nil` when no save has completed.
    ///
    /// - Throws: ``CheckpointError`` when `latest` names no checkpoint directory.
    public func latest() throws(CheckpointError) -> Checkpoint? {
        let url = directory.appendingPathComponent(Self.latestFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let name: String
        do { name = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) } catch {
            throw CheckpointError(file: url.path, reason: "cannot be read: \(error.localizedDescription)")
        }
        guard Self.step(ofCheckpointNamed: name) != nil else {
            throw CheckpointError(file: url.path, reason: "names \"\(name)\", which is not a checkpoint (step-NNNNNNNN)")
        }
        let checkpoint = directory.appendingPathComponent(name)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: checkpoint.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError(file: url.path, reason: "names \(name), which does not exist")
        }
        return Checkpoint(directory: checkpoint)
    }

    /// Saves `model`, `optimizer` and `trainer` as checkpoint `step-<trainer.step>` and makes it the latest.
    ///
    /// - Returns: the new checkpoint.
    /// - Throws: ``CheckpointError`` naming the file that could not be written;
    ///   the previous checkpoint is then still the latest and intact.
    @discardableResult
    public func save<Model: ConfigurableModule, O: Optimizer>(
        model: Model, optimizer: O, trainer: TrainerState
    ) throws(CheckpointError) -> Checkpoint where O.Scalar == Model.Scalar {
        let name = Self.name(ofStep: trainer.step)
        let temporary = directory.appendingPathComponent("\(Self.temporaryPrefix)\(name)-\(UUID().uuidString)")
        try create(temporary)
        try reached(.createdTemporaryDirectory)
        do {
            try model.saveParameters(to: temporary.appendingPathComponent(Checkpoint.modelFile))
        } catch {
            throw CheckpointError(file: error.file, reason: error.detail)
        }
        try reached(.wroteModel)
        try writeJSON(
            ModelRecord(model: Model.modelName, configuration: model.configuration),
            to: temporary.appendingPathComponent(Checkpoint.configurationFile))
        try reached(.wroteConfiguration)
        try writeOptimizer(optimizer, of: model, to: temporary.appendingPathComponent(Checkpoint.optimizerFile))
        try reached(.wroteOptimizer)
        try writeJSON(trainer, to: temporary.appendingPathComponent(Checkpoint.trainerFile))
        try reached(.wroteTrainer)
        try flush(temporary)

        let destination = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: destination.path) {
            // A checkpoint of this step that `latest` does not name (a crash
            // came between its rename and `latest`): it may be replaced.
            guard try latest()?.directory.lastPathComponent != name else {
                throw CheckpointError(file: destination.path, reason: "is the latest checkpoint already; step \(trainer.step) was saved before")
            }
            try remove(destination)
        }
        guard rename(temporary.path, destination.path) == 0 else {
            throw CheckpointError(file: destination.path, reason: "cannot rename \(temporary.lastPathComponent) into place: \(String(cString: strerror(errno)))")
        }
        try flush(directory)
        try reached(.renamedCheckpoint)
        do {
            try AtomicFile.write(Array((name + "\n").utf8), to: directory.appendingPathComponent(Self.latestFile))
        } catch {
            throw CheckpointError(file: directory.appendingPathComponent(Self.latestFile).path, reason: error.reason)
        }
        try reached(.updatedLatest)
        try pruneOlder(than: name)
        try reached(.prunedOlder)
        return Checkpoint(directory: destination)
    }

    /// Removes temporary directories and all but the `keep` newest checkpoints (never the latest).
    private func pruneOlder(than latest: String) throws(CheckpointError) {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory.path) } catch {
            throw CheckpointError(file: directory.path, reason: "cannot be listed: \(error.localizedDescription)")
        }
        for name in names where name.hasPrefix(Self.temporaryPrefix) { try remove(directory.appendingPathComponent(name)) }
        let checkpoints = names.compactMap { name in Self.step(ofCheckpointNamed: name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
        for (name, _) in checkpoints.dropFirst(keep) where name != latest {
            try remove(directory.appendingPathComponent(name))
        }
    }

    private func writeOptimizer<Model: Module, O: Optimizer>(_ optimizer: O, of model: Model, to url: URL)
        throws(CheckpointError) where O.Scalar == Model.Scalar
    {
        let names = try optimizerParameterNames(optimizer, model, file: url.path)
        var writer = SafeTensorsWriter(metadata: ["optimizer": String(describing: O.self)])
        var steps: [String: Int] = [:]
        do {
            for (name, (parameter, entry)) in zip(names, zip(optimizer.parameters, optimizer.state())) {
                steps[name] = entry.step
                for (buffer, values) in entry.buffers.sorted(by: { $0.key < $1.key }) {
                    try writer.add("\(name).\(buffer)", Tensor(validatedShape: parameter.shape, scalars: values))
                }
            }
        } catch {
            throw CheckpointError(file: url.path, reason: error.description)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        writer.metadata["steps"] = String(decoding: (try? encoder.encode(steps)) ?? Data("{}".utf8), as: UTF8.self)
        do { try writer.write(to: url) } catch { throw CheckpointError(file: url.path, reason: error.detail) }
    }

    private func writeJSON(_ value: some Encodable, to url: URL) throws(CheckpointError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(value) } catch {
            throw CheckpointError(file: url.path, reason: "cannot be encoded: \(error)")
        }
        do { try AtomicFile.write(Array(data) + [0x0A], to: url) } catch {
            throw CheckpointError(file: url.path, reason: error.reason)
        }
    }

    private func create(_ url: URL) throws(CheckpointError) {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) } catch {
            throw CheckpointError(file: url.path, reason: "cannot be created: \(error.localizedDescription)")
        }
    }

    private func remove(_ url: URL) throws(CheckpointError) {
        do { try FileManager.default.removeItem(at: url) } catch {
            throw CheckpointError(file: url.path, reason: "cannot be removed: \(error.localizedDescription)")
        }
    }

    private func flush(_ url: URL) throws(CheckpointError) {
        do { try AtomicFile.flushDirectory(url.path) } catch { throw CheckpointError(file: url.path, reason: error.reason) }
    }

    private func reached(_ stage: Stage) throws(CheckpointError) {
        if Self.interruption == stage {
            throw CheckpointError(file: directory.path, reason: "interrupted after \(stage) (a simulated crash)")
        }
    }

    /// `step-00000042`: eight digits, so names sort as steps do.
    static func name(ofStep step: Int) -> String {
        let digits = String(step)
        return "step-" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The step of a checkpoint directory's name, or `nil` for any other name.
    static func step(ofCheckpointNamed name: String) -> Int? {
        guard name.hasPrefix("step-"), !name.contains("/") else { return nil }
        return Int(name.dropFirst(5)).flatMap { $0 >= 0 ? $0 : nil }
    }
}
