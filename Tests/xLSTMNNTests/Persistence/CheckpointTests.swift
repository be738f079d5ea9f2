import Foundation
import Testing
@testable import xLSTMNN
import xLSTMTensor

/// Checkpoints: a round trip into fresh objects, a save interrupted after
/// each of its stages, and malformed checkpoint files.
@Suite struct CheckpointTests {
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoints-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A model trained a few Adam steps, so that every optimizer buffer is non-zero.
    static func trained(seed: UInt64) throws -> (TinyModel, Adam<Float>) {
        try Random.withSeed(seed) {
            let model = try TinyModel(configuration: .init(inputs: 3, outputs: 4))
            let optimizer = try Adam(parameters: model.parameters, learningRate: 0.01)
            for step in 0..<3 {
                optimizer.zeroGrad()
                let x = Tensor<Float>.randomNormal([5, 3])
                (model.norm(model.layer(x)) * Float(step + 1)).squared().mean().backward()
                optimizer.step()
            }
            return (model, optimizer)
        }
    }

    @Test func aCheckpointRebuildsTheModelAndRestoresTheOptimizerAndTrainer() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (model, optimizer) = try Self.trained(seed: 1)
        let store = try CheckpointStore(directory: directory)
        let trainer = TrainerState(
            step: 3, random: Xoshiro256(seed: 9), generators: ["data": Xoshiro256(seed: 10)],
            schedule: try WarmupCosineSchedule(peakLearningRate: 0.01, warmupSteps: 1, totalSteps: 10))
        try store.save(model: model, optimizer: optimizer, trainer: trainer)

        let checkpoint = try #require(try store.latest())
        #expect(checkpoint.directory.lastPathComponent == "step-00000003")
        let files = try FileManager.default.contentsOfDirectory(atPath: checkpoint.directory.path).sorted()
        #expect(files == ["config.json", "model.safetensors", "optimizer.safetensors", "trainer.json"])
        let rebuilt = try checkpoint.model(TinyModel.self)
        #expect(rebuilt.configuration == model.configuration)
        for ((_, a), (_, b)) in zip(model.namedParameters, rebuilt.namedParameters) { #expect(a.scalars == b.scalars) }
        let restored = try Adam(parameters: rebuilt.parameters, learningRate: 0.01)
        try checkpoint.restore(restored, of: rebuilt)
        #expect(restored.state() == optimizer.state())
        #expect(try checkpoint.trainerState() == trainer)
        // Keyed by parameter name, with PyTorch's buffer names.
        let optimizerFile = try SafeTensorsFile(contentsOf: checkpoint.directory.appendingPathComponent("optimizer.safetensors"))
        #expect(Set(optimizerFile.names) == Set(["layer.weight", "layer.bias", "norm.weight", "norm.bias"].flatMap { ["\($0).exp_avg", "\($0).exp_avg_sq"] }))
        #expect(optimizerFile.metadata["optimizer"] == "Adam<Float>")
    }

    @Test func sgdMomentumBuffersRoundTrip() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try TinyModel(configuration: .init(inputs: 2, outputs: 2))
        let optimizer = try SGD(parameters: model.parameters, learningRate: 0.1, momentum: 0.9)
        (model.layer(Tensor<Float>.ones([1, 2]))).sum().backward()
        optimizer.step()
        try CheckpointStore(directory: directory).save(model: model, optimizer: optimizer, trainer: TrainerState(step: 1, random: Random.state))
        let fresh = try SGD(parameters: model.parameters, learningRate: 0.1, momentum: 0.9)
        try #require(try CheckpointStore(directory: directory).latest()).restore(fresh, of: model)
        #expect(fresh.state() == optimizer.state())
        #expect(fresh.state()[0].buffers["momentum_buffer"] != nil && fresh.state()[2].buffers.isEmpty)
        let adam = try Adam(parameters: model.parameters)
        let error = #expect(throws: CheckpointError.self) { try CheckpointStore(directory: directory).latest()!.restore(adam, of: model) }
        #expect(error?.reason == "written by SGD<Float>, not Adam<Float>")
    }

    /// A save stopped after each stage (as a crash would stop it) leaves the
    /// previous checkpoint the latest and loadable, or the new one once
    /// `latest` names it; the next save cleans up.
    @Test(arguments: CheckpointStore.Stage.allCases)
    func aSaveInterruptedAfterAnyStageLeavesALoadableCheckpoint(stage: CheckpointStore.Stage) throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CheckpointStore(directory: directory)
        let (first, firstOptimizer) = try Self.trained(seed: 1)
        let (second, secondOptimizer) = try Self.trained(seed: 2)
        try store.save(model: first, optimizer: firstOptimizer, trainer: TrainerState(step: 5, random: Xoshiro256(seed: 1)))
        #expect(throws: CheckpointError.self) {
            try CheckpointStore.$interruption.withValue(stage) {
                try store.save(model: second, optimizer: secondOptimizer, trainer: TrainerState(step: 10, random: Xoshiro256(seed: 2)))
            }
        }
        let latest = try #require(try store.latest())
        let survivor = stage < .updatedLatest ? first : second
        #expect(latest.directory.lastPathComponent == (stage < .updatedLatest ? "step-00000005" : "step-00000010"))
        let loaded = try latest.model(TinyModel.self)
        for ((_, a), (_, b)) in zip(survivor.namedParameters, loaded.namedParameters) { #expect(a.scalars == b.scalars) }
        #expect(try latest.trainerState().step == (stage < .updatedLatest ? 5 : 10))
        // The next save succeeds and leaves only checkpoints behind.
        try store.save(model: second, optimizer: secondOptimizer, trainer: TrainerState(step: 11, random: Xoshiro256(seed: 3)))
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(!names.contains { $0.hasPrefix(".tmp-") })
        #expect(names.last == "step-00000011" && names.contains("latest") && names.count <= 3)
    }

    @Test func malformedCheckpointFilesAreNamed() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try CheckpointStore(directory: directory)
        let (model, optimizer) = try Self.trained(seed: 3)
        let checkpoint = try store.save(model: model, optimizer: optimizer, trainer: TrainerState(step: 1, random: Xoshiro256(seed: 1)))
        let config = checkpoint.directory.appendingPathComponent("config.json")
        try Data(#"{"model":"sLSTM","configuration":{"inputs":3,"outputs":4}}"#.utf8).write(to: config)
        let wrongModel = #expect(throws: CheckpointError.self) { try checkpoint.model(TinyModel.self) }
        #expect(wrongModel?.description == "\(config.path): holds a sLSTM, not a TinyModel")
        try Data(#"{"model":"TinyModel","configuration":{"inputs":3}}"#.utf8).write(to: config)
        let missingField = #expect(throws: CheckpointError.self) { try checkpoint.model(TinyModel.self) }
        #expect(missingField?.description == "\(config.path): malformed: missing \"outputs\" at .configuration")
        try Data(#"{"model":"TinyModel","configuration":{"inputs":0,"outputs":4}}"#.utf8).write(to: config)
        let invalid = #expect(throws: CheckpointError.self) { try checkpoint.model(TinyModel.self) }
        #expect(invalid?.description == "\(config.path): invalid inputs: expected a positive count, received 0")
        let weights = checkpoint.directory.appendingPathComponent("model.safetensors")
        let bytes = try Data(contentsOf: weights)
        try bytes.prefix(bytes.count - 3).write(to: weights)
        try Data(#"{"model":"TinyModel","configuration":{"inputs":3,"outputs":4}}"#.utf8).write(to: config)
        let truncated = #expect(throws: CheckpointError.self) { try checkpoint.model(TinyModel.self) }
        #expect(truncated?.file == weights.path)
        #expect(truncated?.reason.hasPrefix("the tensors end at byte") == true)
        try Data("step-00000099\n".utf8).write(to: directory.appendingPathComponent("latest"))
        let dangling = #expect(throws: CheckpointError.self) { try store.latest() }
        #expect(dangling?.reason == "names step-00000099, which does not exist")
    }
}

/// `keep` checkpoints survive a save, never fewer than the latest.
@Test func aStoreKeepsItsNewestCheckpoints() throws {
    let directory = try CheckpointTests.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let (model, optimizer) = try CheckpointTests.trained(seed: 4)
    for keep in [1, 3] {
        let store = try CheckpointStore(directory: directory.appendingPathComponent("keep\(keep)"), keep: keep)
        for step in 1...5 { try store.save(model: model, optimizer: optimizer, trainer: TrainerState(step: step, random: Xoshiro256(seed: 1))) }
        let names = try FileManager.default.contentsOfDirectory(atPath: store.directory.path).filter { $0.hasPrefix("step-") }.sorted()
        #expect(names == (6 - keep...5).map { "step-0000000\($0)" })
    }
    #expect(throws: xLSTMError(argument: "keep", expected: "at least 1", received: "0")) { try CheckpointStore(directory: directory, keep: 0) }
}
