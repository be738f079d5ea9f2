import TestSupport
import Testing
@testable import xLSTMNN
import xLSTMTensor

@Suite struct LayerTests {
    @Test func linearMatchesItsFormulaAndNamesItsParameters() throws {
        let layer = Linear<Double>(inputFeatures: 3, outputFeatures: 2)
        #expect(layer.namedParameters.map(\.name) == ["weight", "bias"])
        let x = random([4, 3], seed: 1)
        let expected = Tensor.matmul(x, layer.weight.transposed()) + layer.bias!
        expectClose(layer(x), expected, .sameMath(Double.self), "linear")
        let noBias = Linear<Double>(inputFeatures: 3, outputFeatures: 2, bias: false)
        #expect(noBias.namedParameters.map(\.name) == ["weight"])
        expectClose(noBias(x), Tensor.matmul(x, noBias.weight.transposed()), .sameMath(Double.self), "no bias")
        let bound = 1 / 3.0.squareRoot()
        #expect(layer.weight.scalars.allSatisfy { abs($0) <= bound })
    }

    @Test func embeddingLooksUpRows() throws {
        let table = Embedding<Double>(count: 5, dimension: 2)
        let out = table([3, 0, 3], shape: [3])
        #expect(out.shape == [3, 2])
        #expect(Array(out.scalars[0..<2]) == Array(table.weight.scalars[6..<8]))
        #expect(Array(out.scalars[4..<6]) == Array(table.weight.scalars[6..<8]))
        #expect(table([1, 2, 3, 4], shape: [2, 2]).shape == [2, 2, 2])
    }

    @Test func layerNormNormalizes() throws {
        let norm = LayerNorm<Double>(size: 4)
        let y = norm(random([3, 4], seed: 2, scale: 5) + 7)
        for row in 0..<3 {
            let values = Array(y.scalars[(row * 4)..<(row * 4 + 4)])
            let mean = values.reduce(0, +) / 4
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-12)
            #expect(abs(variance - 1) < 1e-3)
        }
        let loose = LayerNorm<Double>(size: 4, epsilon: 10)
        let shrunk = loose(try Tensor(rows: [[1, -1, 1, -1]]))
        expectClose(shrunk.scalars, [1, -1, 1, -1].map { $0 / 11.0.squareRoot() }, .sameMath(Double.self), "epsilon")
    }

    @Test func dropoutStatisticsAndEvaluationIdentity() throws {
        let drop = Dropout<Double>(probability: 0.25)
        let x = Tensor<Double>.ones([40_000])
        let y = Random.withSeed(11) { drop(x).scalars }
        let zeros = y.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / 40_000 - 0.25) < 0.01)
        #expect(y.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-15 })
        #expect(abs(y.reduce(0, +) / 40_000 - 1) < 0.02)
        drop.eval()
        #expect(drop(x).scalars == x.scalars)
        drop.train()
        #expect(drop.isTraining)
        #expect(Dropout<Double>(probability: 0)(x).scalars == x.scalars)
    }

    /// A module tree: names nest, mode switches reach every child.
    final class TwoLayers: Module {
        typealias Scalar = Double
        let first = Linear<Double>(inputFeatures: 2, outputFeatures: 8)
        let second = Linear<Double>(inputFeatures: 8, outputFeatures: 1)
        let drop = Dropout<Double>(probability: 0.1)
        var isTraining = true
        var children: [(name: String, module: any Module<Double>)] { [("first", first), ("drop", drop), ("second", second)] }
        func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> { second(first(x).tanh()) }
    }

    @Test func moduleTreesNameParametersAndSwitchModes() throws {
        let model = TwoLayers()
        #expect(model.namedParameters.map(\.name) == ["first.weight", "first.bias", "second.weight", "second.bias"])
        model.eval()
        #expect(!model.drop.isTraining && !model.first.isTraining)
        model.train()
        #expect(model.drop.isTraining)
        model(try Tensor(rows: [[1, 2]])).sum().backward()
        #expect(model.parameters.allSatisfy { $0.grad != nil })
        model.zeroGrad()
        #expect(model.parameters.allSatisfy { $0.grad == nil })
    }

    @Test func aSmallNetworkLearnsXOR() throws {
        let model = Random.withSeed(5) { TwoLayers() }
        let optimizer = try Adam(parameters: model.parameters, learningRate: 0.05)
        let inputs = try Tensor<Double>(rows: [[0, 0], [0, 1], [1, 0], [1, 1]])
        let targets = try Tensor<Double>(shape: [4, 1], scalars: [0, 1, 1, 0])
        for _ in 0..<400 {
            optimizer.zeroGrad()
            meanSquaredError(model(inputs), targets).backward()
            optimizer.step()
        }
        let predictions = model(inputs).scalars
        #expect(zip(predictions, targets.scalars).allSatisfy { abs($0 - $1) < 0.1 }, "\(predictions)")
    }
}
