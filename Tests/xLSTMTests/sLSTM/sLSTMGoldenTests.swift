import Foundation
import TestSupport
import Testing
@testable import xLSTM

/// Golden files written by `scripts/golden/make_slstm_golden.py` (its own
/// float64 PyTorch sLSTM, autograd with m detached): the same weights and
/// inputs must reproduce its outputs, final states and gradients.
@Suite struct sLSTMGoldenTests {
    struct Golden: Decodable {
        struct Config: Decodable {
            let inputSize, hiddenSize, numLayers, numHeads, seqLength, batchSize: Int
            let forgetGate: ForgetGate
            let hasInitialState: Bool
        }
        struct Array: Decodable {
            let shape: [Int]
            let data: [Double]
        }
        let config: Config
        let tensors: [String: Array]

        func tensor<Scalar: TensorScalar>(_ name: String, _: Scalar.Type) -> Tensor<Scalar> {
            let array = tensors[name]!
            return Tensor(validatedShape: array.shape, scalars: array.data.map { Scalar($0) })
        }
    }

    static let names = ["exp_1head", "sigmoid_2heads", "exp_3heads_2layers_state", "exp_scaled"]

    func load(_ name: String) throws -> Golden {
        let url = try #require(Bundle.module.url(forResource: "slstm_\(name)", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
    }

    func check<Scalar: TensorScalar>(_ golden: Golden, _ type: Scalar.Type, _ tolerance: Tolerance) {
        let config = golden.config
        let model = sLSTM<Scalar>(
            inputSize: config.inputSize, hiddenSize: config.hiddenSize, numLayers: config.numLayers,
            numHeads: config.numHeads, forgetGate: config.forgetGate)
        for (name, parameter) in model.namedParameters {
            parameter.scalars = golden.tensor(name, type).scalars
        }
        let x = golden.tensor("input", type)
        x.requiresGrad = true
        var state: sLSTMState<Scalar>? = nil
        if config.hasInitialState {
            state = sLSTMState(
                h: golden.tensor("h0", type), c: golden.tensor("c0", type), n: golden.tensor("n0", type),
                m: golden.tensor("m0", type))
            for (_, tensor) in state!.named { tensor.requiresGrad = true }
        }
        let (outputs, final) = model(x, state)
        expectClose(outputs, golden.tensor("output", Double.self), tolerance, "output")
        for (name, tensor) in final.named {
            expectClose(tensor, golden.tensor("\(name)T", Double.self), tolerance, "\(name)T")
        }
        let loss = (outputs * golden.tensor("grad_output", type)).sum()
            + (final.h * golden.tensor("grad_hT", type)).sum()
            + (final.c * golden.tensor("grad_cT", type)).sum()
            + (final.n * golden.tensor("grad_nT", type)).sum()
        loss.backward()
        expectClose(x.grad!, golden.tensor("grad.input", Double.self), tolerance, "grad.input")
        for (name, parameter) in model.namedParameters {
            expectClose(parameter.grad!, golden.tensor("grad.\(name)", Double.self), tolerance, "grad.\(name)")
        }
        if let state {
            for (name, tensor) in state.named {
                expectClose(tensor.grad!, golden.tensor("grad.\(name)0", Double.self), tolerance, "grad.\(name)0")
            }
        }
    }

    @Test(arguments: names)
    func floatReproducesPyTorch(_ name: String) throws {
        check(try load(name), Float.self, .floatAgainstGolden)
    }

    @Test(arguments: names)
    func doubleReproducesPyTorch(_ name: String) throws {
        check(try load(name), Double.self, Tolerance(relative: 1e-9, absolute: 1e-12))
    }
}
