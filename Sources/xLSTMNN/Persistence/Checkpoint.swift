import Foundation
import xLSTMTensor

/// One saved point of a training run: a directory holding
///
/// - `model.safetensors`: the parameters by name;
/// - `config.json`: `{"model": <name>, "configuration": <the model's configuration>}`,
///   enough to rebuild the model without code;
/// - `optimizer.safetensors`: the optimizer's buffers keyed by parameter
///   name (`<name>.exp_avg`, ...), its kind and step counts in the metadata;
/// - `trainer.json`: the ``TrainerState``.
///
/// ``CheckpointStore`` writes and finds them.
public struct Checkpoint: Sendable {
    /// The checkpoint's directory.
    public let directory: URL

    static let modelFile = "model.safetensors"
    static let configurationFile = "config.json"
    static let optimizerFile = "optimizer.safetensors"
    static let trainerFile = "trainer.json"

    /// The checkpoint in `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The name of the model `config.json` describes (a type's
    /// `ConfigurableModule.modelName`), to choose the type to open it as.
    ///
    /// - Throws: ``CheckpointError`` naming the file when it is missing or malformed.
    public func modelName() throws(CheckpointError) -> String {
        struct Name: Decodable { let model: String }
        return try readJSON(Name.self, from: directory.appendingPathComponent(Self.configurationFile)).model
    }

    /// Rebuilds the model from `config.json` and loads its parameters
    /// (strictly) from `model.safetensors`.
    ///
    /// - Throws: ``CheckpointError`` naming the file when one is missing or
    ///   malformed, was written for another model, or does not fit the configuration.
    public func model<Model: ConfigurableModule>(_: Model.Type) throws(CheckpointError) -> Model {
        let url = directory.appendingPathComponent(Self.configurationFile)
        let record = try readJSON(ModelRecord<Model.Configuration>.self, from: url)
        guard record.model == Model.modelName else {
            throw CheckpointError(file: url.path, reason: "holds a \(record.model), not a \(Model.modelName)")
        }
        let model: Model
        do {
            model = try Model(configuration: record.configuration)
        } catch {
            throw CheckpointError(file: url.path, reason: error.description)
        }
        try loadParameters(into: model)
        return model
    }

    /// Loads `model.safetensors` into an existing model (strictly).
    ///
    /// - Throws: ``CheckpointError`` naming the file, the tensor and the rule broken.
    public func loadParameters(into model: some Module) throws(CheckpointError) {
        do {
            try model.load(safetensors: SafeTensorsFile(contentsOf: directory.appendingPathComponent(Self.modelFile)))
        } catch {
            throw CheckpointError(file: error.file, reason: error.detail)
        }
    }

    /// Restores `optimizer` (built like the saved one, over `model`'s
    /// parameters) from `optimizer.safetensors`.
    ///
    /// - Throws: ``CheckpointError`` when the file is malformed, was written
    ///   by another kind of optimizer, or lacks a parameter's buffers.
    public func restore<O: Optimizer>(_ optimizer: O, of model: some Module<O.Scalar>) throws(CheckpointError) {
        let url = directory.appendingPathComponent(Self.optimizerFile)
        let file: SafeTensorsFile
        do { file = try SafeTensorsFile(contentsOf: url) } catch { throw CheckpointError(file: url.path, reason: error.detail) }
        let kind = String(describing: O.self)
        guard file.metadata["optimizer"] == kind else {
            throw CheckpointError(file: url.path, reason: "written by \(file.metadata["optimizer"] ?? "no optimizer"), not \(kind)")
        }
        let steps: [String: Int]
        do {
            steps = try JSONDecoder().decode([String: Int].self, from: Data((file.metadata["steps"] ?? "{}").utf8))
        } catch {
            throw CheckpointError(file: url.path, reason: "metadata \"steps\" is not a map of names to counts")
        }
        let names = try optimizerParameterNames(optimizer, model, file: url.path)
        var state: [OptimizerState<O.Scalar>] = []
        for (name, current) in zip(names, optimizer.state()) {
            var buffers: [String: [O.Scalar]] = [:]
            for buffer in file.names where buffer.hasPrefix(name + ".") {
                let key = String(buffer.dropFirst(name.count + 1))
                guard !key.contains(".") else { continue }
                do { buffers[key] = try file.tensor(buffer, as: O.Scalar.self).scalars } catch {
                    throw CheckpointError(file: url.path, reason: error.detail)
                }
            }
            state.append(OptimizerState(step: current.step == nil ? nil : steps[name], buffers: buffers))
        }
        do {
            try optimizer.load(state: state)
        } catch {
            throw CheckpointError(file: url.path, reason: error.description)
        }
    }

    /// Reads `trainer.json`.
    ///
    /// - Throws: ``CheckpointError`` naming the file when it is missing or malformed.
    public func trainerState() throws(CheckpointError) -> TrainerState {
        try readJSON(TrainerState.self, from: directory.appendingPathComponent(Self.trainerFile))
    }
}

/// The optimizer's parameters named as `model` names them: how optimizer
/// state is keyed in `optimizer.safetensors`, by writer and reader alike.
func optimizerParameterNames<O: Optimizer>(_ optimizer: O, _ model: some Module<O.Scalar>, file: String)
    throws(CheckpointError) -> [String]
{
    var names: [ObjectIdentifier: String] = [:]
    for (name, tensor) in model.namedParameters { names[ObjectIdentifier(tensor)] = name }
    var result: [String] = []
    for (index, parameter) in optimizer.parameters.enumerated() {
        guard let name = names[ObjectIdentifier(parameter)] else {
            throw CheckpointError(file: file, reason: "the optimizer's parameter \(index) is not a parameter of the model")
        }
        result.append(name)
    }
    return result
}

/// The contents of `config.json`.
struct ModelRecord<Configuration: Codable>: Codable {
    let model: String
    let configuration: Configuration
}

/// Decodes `url` as JSON, naming the file in any error.
func readJSON<Value: Decodable>(_: Value.Type, from url: URL) throws(CheckpointError) -> Value {
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
        throw CheckpointError(file: url.path, reason: "cannot be read: \(error.localizedDescription)")
    }
    do {
        return try JSONDecoder().decode(Value.self, from: data)
    } catch let error as DecodingError {
        throw CheckpointError(file: url.path, reason: "malformed: \(describe(error))")
    } catch {
        throw CheckpointError(file: url.path, reason: "malformed: \(error)")
    }
}

/// A decoding error as one line: what is wrong, and where.
private func describe(_ error: DecodingError) -> String {
    func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return keys.isEmpty ? "" : " at \(keys)"
    }
    switch error {
    case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\"\(path(context))"
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        return context.debugDescription + path(context)
    @unknown default: return "\(error)"
    }
}
