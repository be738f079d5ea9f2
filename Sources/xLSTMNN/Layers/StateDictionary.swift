import xLSTMTensor

/// What a non-strict `Module/load(stateDictionary:strict:)` left undone.
public struct StateDictionaryMismatch: Equatable, Sendable, CustomStringConvertible {
    /// A parameter and the value offered for it, of different shapes.
    public struct ShapeMismatch: Equatable, Sendable {
        /// The parameter's name.
        public let name: String
        /// The parameter's shape.
        public let expected: [Int]
        /// The offered value's shape.
        public let received: [Int]
    }

    /// Parameters of the module with no value in the dictionary (left as they were).
    public var missing: [String] = []
    /// Names in the dictionary that are no parameter of the module (ignored).
    public var unexpected: [String] = []
    /// Values whose shape differs from their parameter's (not loaded).
    public var shapeMismatches: [ShapeMismatch] = []

    /// `true` when every parameter was loaded and nothing was left over.
    public var isEmpty: Bool { missing.isEmpty && unexpected.isEmpty && shapeMismatches.isEmpty }

    /// One clause per kind of mismatch, naming every key and both shapes.
    public var description: String {
        var clauses: [String] = []
        if !missing.isEmpty { clauses.append("missing \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { clauses.append("unexpected \(unexpected.joined(separator: ", "))") }
        for mismatch in shapeMismatches {
            clauses.append(
                "\(mismatch.name) has shape \(shapeText(mismatch.received)), the module's is \(shapeText(mismatch.expected))")
        }
        return clauses.isEmpty ? "no mismatch" : clauses.joined(separator: "; ")
    }
}

extension Module {
    /// Every parameter's values by its name (as `namedParameters` names
    /// them), as PyTorch's `state_dict()`: copies, outside any graph, so that
    /// later training does not change what was taken.
    public func stateDictionary() -> [String: Tensor<Scalar>] {
        Dictionary(uniqueKeysWithValues: namedParameters.map { ($0.name, $0.tensor.detached()) })
    }

    /// Sets parameters from `dictionary`, as PyTorch's `load_state_dict`
    /// and MLX Swift's `update(parameters:)`.
    ///
    /// A value is loaded only when its shape matches its parameter's. Strict
    /// (the default), any missing key, unexpected key or shape mismatch is an
    /// error and nothing is changed; not strict, the matching values are
    /// loaded and the rest is returned.
    ///
    /// - Returns: what was not loaded (empty when strict).
    /// - Throws: `xLSTMError` (argument `stateDictionary`) naming every key and both shapes, when strict.
    @discardableResult
    public func load(stateDictionary dictionary: [String: Tensor<Scalar>], strict: Bool = true) throws(xLSTMError)
        -> StateDictionaryMismatch
    {
        let parameters = namedParameters
        let names = Set(parameters.map(\.name))
        var mismatch = StateDictionaryMismatch()
        mismatch.unexpected = dictionary.keys.filter { !names.contains($0) }.sorted()
        var matched: [(Tensor<Scalar>, Tensor<Scalar>)] = []
        for (name, parameter) in parameters {
            guard let value = dictionary[name] else {
                mismatch.missing.append(name)
                continue
            }
            guard value.shape == parameter.shape else {
                mismatch.shapeMismatches.append(.init(name: name, expected: parameter.shape, received: value.shape))
                continue
            }
            matched.append((parameter, value))
        }
        if strict && !mismatch.isEmpty {
            throw xLSTMError(
                argument: "stateDictionary", expected: "exactly the module's parameters with their shapes",
                received: mismatch.description)
        }
        for (parameter, value) in matched { try parameter.assign(value) }
        return mismatch
    }
}
