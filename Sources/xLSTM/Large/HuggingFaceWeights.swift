import Foundation
import xLSTMNN
import xLSTMTensor

/// Reads the weights of a Hugging Face checkpoint directory into a model by
/// the checkpoint's key names: one `model.safetensors`, or the shards that
/// `model.safetensors.index.json` lists.
enum HuggingFaceWeights {
    /// Checkpoint names that differ from this library's module names.
    static let renamed = [".ffn.proj_up_gate.": ".ffn.gate.", ".ffn.proj_up.": ".ffn.up.", ".ffn.proj_down.": ".ffn.down."]

    /// The library's name for checkpoint key `key`.
    static func libraryName(_ key: String) -> String {
        renamed.reduce(key) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    /// Loads every parameter of `model` (strictly: nothing missing, nothing left over, shapes equal).
    static func load<Model: Module>(into model: Model, from directory: URL) throws(CheckpointError) {
        let files = try shardFiles(in: directory)
        var values: [String: Tensor<Model.Scalar>] = [:]
        var origin: [String: String] = [:]
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters.map { ($0.name, $0.tensor) })
        for url in files {
            let file: SafeTensorsFile
            do { file = try SafeTensorsFile(contentsOf: url) } catch { throw CheckpointError(file: error.file, reason: error.detail) }
            for key in file.names {
                let name = libraryName(key)
                guard let parameter = parameters[name] else {
                    throw CheckpointError(file: url.path, reason: "tensor \"\(key)\": not a parameter of an xLSTM-Large model of this configuration")
                }
                guard values[name] == nil else {
                    throw CheckpointError(file: url.path, reason: "tensor \"\(key)\": also in \(origin[name]!)")
                }
                guard file.info(key)!.shape == parameter.shape else {
                    throw CheckpointError(
                        file: url.path,
                        reason: "tensor \"\(key)\": shape \(file.info(key)!.shape) does not match the model's \(parameter.shape)")
                }
                do { values[name] = try file.tensor(key, as: Model.Scalar.self) } catch {
                    throw CheckpointError(file: url.path, reason: error.detail)
                }
                origin[name] = url.lastPathComponent
            }
        }
        if let missing = parameters.keys.sorted().first(where: { values[$0] == nil }) {
            throw CheckpointError(file: directory.path, reason: "no tensor for parameter \(missing)")
        }
        do { try model.load(stateDictionary: values) } catch {
            throw CheckpointError(file: directory.path, reason: error.description)
        }
    }

    /// `model.safetensors`, or the distinct files of the index's `weight_map`.
    private static func shardFiles(in directory: URL) throws(CheckpointError) -> [URL] {
        let single = directory.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: single.path) { return [single] }
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        guard FileManager.default.fileExists(atPath: index.path) else {
            throw CheckpointError(file: directory.path, reason: "holds neither model.safetensors nor model.safetensors.index.json")
        }
        let map: [String: String]
        do { map = try JSONDecoder().decode(ShardIndex.self, from: Data(contentsOf: index)).weight_map } catch {
            throw CheckpointError(file: index.path, reason: "malformed: expected {\"weight_map\": {tensor: file}}")
        }
        let names = Set(map.values).sorted()
        for name in names where name.contains("/") || name.hasPrefix(".") {
            throw CheckpointError(file: index.path, reason: "names shard \"\(name)\" outside the directory")
        }
        return names.map { directory.appendingPathComponent($0) }
    }

    private struct ShardIndex: Decodable {
        let weight_map: [String: String]
    }
}
