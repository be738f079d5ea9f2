import Foundation
import Testing
@testable import xLSTMNN
import xLSTMTensor

/// A small model of two layers, built from a configuration (the checkpoint tests use it too).
final class TinyModel: ConfigurableModule {
    struct Configuration: Codable, Equatable, Sendable {
        var inputs: Int
        var outputs: Int
    }

    static var modelName: String { "TinyModel" }
    let configuration: Configuration
    let layer: Linear<Float>
    let norm: LayerNorm<Float>
    var isTraining = true

    init(configuration: Configuration) throws(xLSTMError) {
        try require(configuration.inputs > 0, "inputs", expected: "a positive count", received: "\(configuration.inputs)")
        self.configuration = configuration
        layer = Linear(inputFeatures: configuration.inputs, outputFeatures: configuration.outputs)
        norm = LayerNorm(size: configuration.outputs)
    }

    var children: [(name: String, module: any Module<Float>)] { [("layer", layer), ("norm", norm)] }
}

/// State dictionaries in and out, strict and not, and parameter files.
@Suite struct StateDictionaryTests {
    @Test func aStateDictionaryRoundTripsIntoAFreshModel() throws {
        let source = try Random.withSeed(1) { try TinyModel(configuration: .init(inputs: 3, outputs: 2)) }
        let target = try Random.withSeed(2) { try TinyModel(configuration: .init(inputs: 3, outputs: 2)) }
        let dictionary = source.stateDictionary()
        #expect(Set(dictionary.keys) == ["layer.weight", "layer.bias", "norm.weight", "norm.bias"])
        #expect(try target.load(stateDictionary: dictionary).isEmpty)
        for ((_, a), (_, b)) in zip(source.namedParameters, target.namedParameters) { #expect(a.scalars == b.scalars) }
        // A copy: training the source afterwards does not change what was taken.
        source.layer.weight[0, 0] = 99
        #expect(dictionary["layer.weight"]![0, 0] != 99)
    }

    @Test func strictLoadingNamesEveryMismatchAndChangesNothing() throws {
        let model = try TinyModel(configuration: .init(inputs: 3, outputs: 2))
        let before = model.layer.weight.scalars
        var dictionary = model.stateDictionary()
        dictionary["layer.weight"] = Tensor<Float>.ones([2, 4])
        dictionary["norm.bias"] = nil
        dictionary["head.weight"] = Tensor<Float>.ones([1])
        let error = #expect(throws: xLSTMError.self) { try model.load(stateDictionary: dictionary) }
        #expect(error?.description == "invalid stateDictionary: expected exactly the module's parameters with their shapes, received missing norm.bias; unexpected head.weight; layer.weight has shape [2, 4], the module's is [2, 3]")
        #expect(model.layer.weight.scalars == before)
        // Not strict: what matches is loaded, the rest comes back.
        dictionary["layer.bias"] = Tensor<Float>([5, 6])
        let mismatch = try model.load(stateDictionary: dictionary, strict: false)
        #expect(mismatch.missing == ["norm.bias"] && mismatch.unexpected == ["head.weight"])
        #expect(mismatch.shapeMismatches == [.init(name: "layer.weight", expected: [2, 3], received: [2, 4])])
        #expect(model.layer.bias!.scalars == [5, 6] && model.layer.weight.scalars == before)
    }

    @Test func parameterFilesNameTheFileTheTensorAndTheRule() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("params-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try TinyModel(configuration: .init(inputs: 3, outputs: 2))
        let url = directory.appendingPathComponent("tiny.safetensors")
        try model.saveParameters(to: url, metadata: ["note": "tiny"])
        #expect(try SafeTensorsFile(contentsOf: url).metadata == ["note": "tiny"])
        let copy = try Random.withSeed(5) { try TinyModel(configuration: .init(inputs: 3, outputs: 2)) }
        try copy.load(safetensors: SafeTensorsFile(contentsOf: url))
        #expect(copy.layer.weight.scalars == model.layer.weight.scalars && copy.norm.bias.scalars == model.norm.bias.scalars)

        let wider = try TinyModel(configuration: .init(inputs: 4, outputs: 2))
        let shape = #expect(throws: SafeTensorsError.self) { try wider.load(safetensors: SafeTensorsFile(contentsOf: url)) }
        #expect(shape?.description == "\(url.path): tensor \"layer.weight\": shape [2, 3] does not match the model's [2, 4]")

        var writer = SafeTensorsWriter()
        for (name, tensor) in model.namedParameters where name != "norm.weight" { try writer.add(name, tensor) }
        try writer.add("extra", Tensor<Float>([1]))
        try writer.write(to: url)
        let missing = #expect(throws: SafeTensorsError.self) { try copy.load(safetensors: SafeTensorsFile(contentsOf: url)) }
        #expect(missing?.description == "\(url.path): tensor \"norm.weight\": missing from the file")
        let report = try copy.load(safetensors: SafeTensorsFile(contentsOf: url), strict: false)
        #expect(report.missing == ["norm.weight"] && report.unexpected == ["extra"])
        try writer.add("norm.weight", Tensor<Float>([1, 1]))
        try writer.write(to: url)
        let extra = #expect(throws: SafeTensorsError.self) { try copy.load(safetensors: SafeTensorsFile(contentsOf: url)) }
        #expect(extra?.description == "\(url.path): tensor \"extra\": not a parameter of the model")
    }
}
