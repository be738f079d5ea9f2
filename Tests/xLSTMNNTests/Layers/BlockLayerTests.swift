import Foundation
import TestSupport
import Testing
@testable import xLSTMNN
import xLSTMTensor

/// The layers of the xLSTM blocks: each against central finite differences
/// (Double), and each forward against a plain loop of its definition.
@Suite struct BlockLayerTests {
    @Test func causalConvolutionMatchesItsDefinitionAndItsGradients() throws {
        let x = random([2, 5, 3], seed: 1)
        let conv = Random.withSeed(2) { CausalConvolution<Double>(channels: 3, kernelSize: 4) }
        let y = conv(x)
        for b in 0..<2 {
            for t in 0..<5 {
                for c in 0..<3 {
                    var expected = conv.bias![c]
                    for k in 0..<4 where t - 3 + k >= 0 { expected += conv.weight[c, k] * x[b, t - 3 + k, c] }
                    #expect(abs(y[b, t, c] - expected) < 1e-12)
                }
            }
        }
        checkGradients(of: [("x", x), ("weight", conv.weight), ("bias", conv.bias!)]) { weightedSum(conv(x), seed: 3) }
        let noBias = CausalConvolution<Double>(channels: 3, kernelSize: 1, bias: false)
        #expect(noBias.bias == nil && noBias.namedParameters.map(\.name) == ["weight"])
        // Kernel size 1: y = w * x, with nothing added.
        let unbiased = noBias(x)
        for b in 0..<2 {
            for t in 0..<5 {
                for c in 0..<3 { #expect(abs(unbiased[b, t, c] - noBias.weight[c, 0] * x[b, t, c]) < 1e-12) }
            }
        }
        checkGradients(of: [("x", x), ("weight", noBias.weight)]) { weightedSum(noBias(x), seed: 4) }
    }

    @Test func rmsNormMatchesItsDefinitionAndItsGradients() throws {
        let x = random([3, 4], seed: 5)
        let norm = RMSNorm<Double>(size: 4, epsilon: 1e-5, bias: true)
        try norm.weight.assign(random([4], seed: 6))
        try norm.bias!.assign(random([4], seed: 7))
        let y = norm(x)
        for row in 0..<3 {
            let rms = ((0..<4).reduce(0.0) { $0 + x[row, $1] * x[row, $1] } / 4 + 1e-5).squareRoot()
            for column in 0..<4 {
                #expect(abs(y[row, column] - (x[row, column] / rms * norm.weight[column] + norm.bias![column])) < 1e-12)
            }
        }
        checkGradients(of: [("x", x), ("weight", norm.weight), ("bias", norm.bias!)]) { weightedSum(norm(x), seed: 8) }
    }

    @Test(arguments: [MultiHeadNorm<Double>.Kind.layer, .rms])
    func multiHeadNormNormalizesEachHeadOnItsOwn(kind: MultiHeadNorm<Double>.Kind) throws {
        let x = random([2, 3, 6], seed: 9, scale: 3)
        let norm = MultiHeadNorm<Double>(heads: 3, headSize: 2, kind: kind, epsilon: 1e-5, bias: true)
        try norm.weight.assign(random([6], seed: 10))
        try norm.bias!.assign(random([6], seed: 11))
        let y = norm(x)
        for a in 0..<2 {
            for b in 0..<3 {
                for head in 0..<3 {
                    let values = (0..<2).map { x[a, b, head * 2 + $0] }
                    let mean = kind == .layer ? values.reduce(0, +) / 2 : 0
                    let scale = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2 + 1e-5).squareRoot()
                    for j in 0..<2 {
                        let unit = head * 2 + j
                        #expect(abs(y[a, b, unit] - ((values[j] - mean) / scale * norm.weight[unit] + norm.bias![unit])) < 1e-12)
                    }
                }
            }
        }
        checkGradients(of: [("x", x), ("weight", norm.weight), ("bias", norm.bias!)]) { weightedSum(norm(x), seed: 12) }
    }

    @Test func headwiseLinearIsBlockDiagonal() throws {
        let x = random([2, 2, 6], seed: 13)
        let linear = Random.withSeed(14) { HeadwiseLinear<Double>(heads: 3, inputsPerHead: 2, outputsPerHead: 4) }
        let y = linear(x)
        #expect(y.shape == [2, 2, 12])
        for a in 0..<2 {
            for b in 0..<2 {
                for head in 0..<3 {
                    for o in 0..<4 {
                        let expected = (0..<2).reduce(linear.bias![head * 4 + o]) { $0 + linear.weight[head, o, $1] * x[a, b, head * 2 + $1] }
                        #expect(abs(y[a, b, head * 4 + o] - expected) < 1e-12)
                    }
                }
            }
        }
        checkGradients(of: [("x", x), ("weight", linear.weight), ("bias", linear.bias!)]) { weightedSum(linear(x), seed: 15) }
        let unbiased = HeadwiseLinear<Double>(heads: 3, inputsPerHead: 2, outputsPerHead: 4, bias: false)
        #expect(unbiased.bias == nil && unbiased.namedParameters.map(\.name) == ["weight"])
        try unbiased.weight.assign(linear.weight)
        // The same products as the biased layer's, without its bias.
        expectClose(unbiased(x), linear(x) - linear.bias!, .sameMath(Double.self), "no bias")
    }

    @Test(arguments: [GatedFeedForward<Double>.Activation.gelu, .silu])
    func gatedFeedForwardGradients(activation: GatedFeedForward<Double>.Activation) throws {
        let x = random([3, 4], seed: 16)
        let network = Random.withSeed(17) { GatedFeedForward<Double>(inputSize: 4, hiddenSize: 6, activation: activation, bias: true) }
        #expect(network.namedParameters.map(\.name) == ["gate.weight", "gate.bias", "up.weight", "up.bias", "down.weight", "down.bias"])
        let gate = network.gate(x)
        let activated = activation == .gelu ? gate.gelu() : gate * gate.sigmoid()
        expectClose(network(x), network.down(activated * network.up(x)), .sameMath(Double.self), "definition")
        checkGradients(of: [("x", x)] + network.namedParameters) { weightedSum(network(x), seed: 18) }
    }

    @Test func softCapSquashesIntoTheCap() throws {
        let x = try Tensor<Double>(shape: [5], scalars: [-1000, -15, 0, 3, 1e6])
        let capped = x.softCapped(15)
        #expect(zip(capped.scalars, x.scalars).allSatisfy { abs($0 - 15 * Foundation.tanh($1 / 15)) < 1e-12 })
        #expect(capped.scalars.allSatisfy { abs($0) <= 15 })
        let small = random([4], seed: 19)
        checkGradients(of: [("x", small)]) { weightedSum(small.softCapped(2), seed: 20) }
    }
}
