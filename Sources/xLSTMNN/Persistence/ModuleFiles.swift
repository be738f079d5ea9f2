import Foundation
import xLSTMTensor

extension Module {
    /// Writes every parameter to a safetensors file under its name (F32 for
    /// `Float`, F64 for `Double`), atomically.
    ///
    /// - Throws: `SafeTensorsError` when the file cannot be written.
    public func saveParameters(to url: URL, metadata: [String: String] = [:]) throws(SafeTensorsError) {
        var writer = SafeTensorsWriter(metadata: metadata)
        for (name, tensor) in namedParameters {
            // Names are unique within a module tree, so `add` cannot fail here.
            do { try writer.add(name, tensor) } catch { throw SafeTensorsError(file: url.path, tensor: name, rule: .duplicateTensor) }
        }
        try writer.write(to: url)
    }

    /// Sets parameters from the tensors of `file` with the same names,
    /// converting F16, BF16, F32 or F64 to `Scalar`.
    ///
    /// Strict (the default), a parameter missing from the file, a tensor the
    /// module does not have, or a shape that differs is an error naming the
    /// file and the tensor, and no parameter is changed. Not strict, what
    /// matches is loaded and the rest is returned.
    ///
    /// - Returns: what was not loaded (empty when strict).
    /// - Throws: `SafeTensorsError` for the first problem (in parameter order).
    @discardableResult
    public func load(safetensors file: SafeTensorsFile, strict: Bool = true) throws(SafeTensorsError)
        -> StateDictionaryMismatch
    {
        let parameters = namedParameters
        let names = Set(parameters.map(\.name))
        var mismatch = StateDictionaryMismatch()
        mismatch.unexpected = file.names.filter { !names.contains($0) }.sorted()
        var values: [(Tensor<Scalar>, [Scalar])] = []
        for (name, parameter) in parameters {
            guard let info = file.info(name) else {
                if strict { throw SafeTensorsError(file: file.path, tensor: name, rule: .missingTensor) }
                mismatch.missing.append(name)
                continue
            }
            guard info.shape == parameter.shape else {
                if strict {
                    throw SafeTensorsError(
                        file: file.path, tensor: name, rule: .shapeMismatch(expected: parameter.shape, received: info.shape))
                }
                mismatch.shapeMismatches.append(.init(name: name, expected: parameter.shape, received: info.shape))
                continue
            }
            values.append((parameter, try file.tensor(name, as: Scalar.self).scalars))
        }
        if strict, let extra = mismatch.unexpected.first {
            throw SafeTensorsError(file: file.path, tensor: extra, rule: .unexpectedTensor)
        }
        for (parameter, scalars) in values { parameter.scalars = scalars }
        return mismatch
    }
}
