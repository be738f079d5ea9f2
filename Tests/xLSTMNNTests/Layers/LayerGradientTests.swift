import TestSupport
import Testing
import xLSTMNN
import xLSTMTensor

/// Losses and layers against central finite differences (Double).
@Suite struct LayerGradientTests {
    let a = random([2, 3, 4], seed: 1)

    @Test func losses() throws {
        let logits = random([4, 5], seed: 100)
        checkGradients(of: [("logits", logits)]) { crossEntropy(logits: logits, targets: [1, 4, -100, 0]) * 3 }
        checkGradients(of: [("logits", logits)]) { crossEntropy(logits: logits, targets: [7, 1, 2, 3], ignoreIndex: 7) }
        let target = random([4, 5], seed: 101)
        checkGradients(of: [("prediction", logits), ("target", target)]) { meanSquaredError(logits, target) }
    }

    @Test func layerNormAndSeededDropout() throws {
        let norm = LayerNorm<Double>(size: 4)
        norm.weight.scalars = random([4], seed: 110).scalars
        norm.bias.scalars = random([4], seed: 111).scalars
        checkGradients(of: [("x", a), ("weight", norm.weight), ("bias", norm.bias)]) { weightedSum(norm(a), seed: 112) }
        let drop = Dropout<Double>(probability: 0.3)
        checkGradients(of: [("x", a)]) {
            Random.withSeed(7) { weightedSum(drop(a), seed: 113) }
        }
    }
}
