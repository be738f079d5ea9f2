import Foundation
import TestSupport
import Testing
@testable import xLSTMNN
import xLSTMTensor

/// Optimizer steps against updates computed by hand from PyTorch's formulas,
/// over several steps with a changing gradient.
@Suite struct OptimizerTests {
    /// The gradient the tests feed at step `k`: varies in sign and size.
    func gradient(_ k: Int) -> [Double] { [0.5 - Double(k) * 0.3, 1.5 + Double(k) * 0.2] }

    func run(_ optimizer: (Tensor<Double>) throws -> any Optimizer, steps: Int = 4) throws -> [Double] {
        let p = Tensor<Double>([1.0, -2.0], requiresGrad: true)
        let opt = try optimizer(p)
        for k in 0..<steps {
            opt.zeroGrad()
            (p * Tensor(gradient(k))).sum().backward()
            opt.step()
        }
        return p.scalars
    }

    /// SGD by hand: weight decay, momentum buffer, Nesterov.
    func sgdByHand(lr: Double, momentum: Double, decay: Double, nesterov: Bool, steps: Int = 4) -> [Double] {
        var p = [1.0, -2.0]
        var buffer: [Double]? = nil
        for k in 0..<steps {
            var g = zip(gradient(k), p).map { $0 + decay * $1 }
            if momentum > 0 {
                buffer = buffer.map { zip($0, g).map { momentum * $0 + $1 } } ?? g
                g = nesterov ? zip(g, buffer!).map { $0 + momentum * $1 } : buffer!
            }
            p = zip(p, g).map { $0 - lr * $1 }
        }
        return p
    }

    func adamByHand(
        lr: Double, decay: Double, decoupled: Bool, b1: Double = 0.9, b2: Double = 0.999, eps: Double = 1e-8,
        steps: Int = 4
    ) -> [Double] {
        var p = [1.0, -2.0]
        var m = [0.0, 0.0]
        var v = [0.0, 0.0]
        for k in 0..<steps {
            let t = Double(k + 1)
            for i in 0..<2 {
                var g = gradient(k)[i]
                if decoupled { p[i] *= 1 - lr * decay } else { g += decay * p[i] }
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                let mHat = m[i] / (1 - pow(b1, t))
                let vHat = v[i] / (1 - pow(b2, t))
                p[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        return p
    }

    @Test(arguments: [(0.0, 0.0, false), (0.9, 0.0, false), (0.9, 0.0, true), (0.5, 0.1, false), (0.0, 0.2, false)])
    func sgd(momentum: Double, decay: Double, nesterov: Bool) throws {
        let ours = try run { try SGD(parameters: [$0], learningRate: 0.1, momentum: momentum, weightDecay: decay, nesterov: nesterov) }
        expectClose(ours, sgdByHand(lr: 0.1, momentum: momentum, decay: decay, nesterov: nesterov), .sameMath(Double.self), "SGD")
    }

    @Test(arguments: [0.0, 0.1])
    func adam(decay: Double) throws {
        let ours = try run { try Adam(parameters: [$0], learningRate: 0.05, weightDecay: decay) }
        expectClose(ours, adamByHand(lr: 0.05, decay: decay, decoupled: false), .sameMath(Double.self), "Adam")
    }

    @Test(arguments: [0.01, 0.3])
    func adamW(decay: Double) throws {
        let ours = try run { try AdamW(parameters: [$0], learningRate: 0.05, weightDecay: decay) }
        expectClose(ours, adamByHand(lr: 0.05, decay: decay, decoupled: true), .sameMath(Double.self), "AdamW")
    }

    /// A parameter large enough to be updated in pieces on the workers,
    /// in Float, against the formulas in Double element by element.
    @Test(arguments: [false, true])
    func largeParameterFollowsTheFormulas(decoupled: Bool) throws {
        let count = 40_001
        let (lr, decay, b1, b2, eps) = (0.01, 0.1, 0.9, 0.999, 1e-8)
        func gradient(_ i: Int, _ k: Int) -> Double { Foundation.sin(Double(i) * 0.37 + Double(k)) * Double(1 + i % 7) }
        let start = (0..<count).map { Double($0 % 13) / 6 - 1 }
        let p = try Tensor<Float>(shape: [count], scalars: start.map(Float.init), requiresGrad: true)
        let opt: any Optimizer =
            decoupled
            ? try AdamW(parameters: [p], learningRate: lr, weightDecay: decay)
            : try Adam(parameters: [p], learningRate: lr, weightDecay: decay)
        var expected = start
        var (m, v) = ([Double](repeating: 0, count: count), [Double](repeating: 0, count: count))
        for k in 0..<3 {
            opt.zeroGrad()
            let g = try Tensor<Float>(shape: [count], scalars: (0..<count).map { Float(gradient($0, k)) })
            (p * g).sum().backward()
            opt.step()
            let t = Double(k + 1)
            for i in 0..<count {
                var g = Double(Float(gradient(i, k)))
                if decoupled { expected[i] *= 1 - lr * decay } else { g += decay * expected[i] }
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                expected[i] -= lr * (m[i] / (1 - pow(b1, t))) / ((v[i] / (1 - pow(b2, t))).squareRoot() + eps)
            }
        }
        let worst = zip(p.scalars, expected).reduce(0.0) { worstError($0, abs(Double($1.0) - $1.1) / (abs($1.1) + lr)) }
        #expect(worst <= 1e-5, "worst relative error \(worst)")
    }

    /// Each of beta1, beta2 and epsilon where PyTorch's formulas use it (the
    /// moment updates and the bias corrections), not merely somewhere.
    @Test func adamBetasAndEpsilonEnterWhereTheFormulasUseThem() throws {
        let same = Tolerance.sameMath(Double.self)
        expectClose(
            try run { try Adam(parameters: [$0], learningRate: 0.05, beta1: 0.5) },
            adamByHand(lr: 0.05, decay: 0, decoupled: false, b1: 0.5), same, "Adam, beta1 0.5")
        expectClose(
            try run { try Adam(parameters: [$0], learningRate: 0.05, beta2: 0.9) },
            adamByHand(lr: 0.05, decay: 0, decoupled: false, b2: 0.9), same, "Adam, beta2 0.9")
        expectClose(
            try run { try Adam(parameters: [$0], learningRate: 0.05, epsilon: 1) },
            adamByHand(lr: 0.05, decay: 0, decoupled: false, eps: 1), same, "Adam, epsilon 1")
        expectClose(
            try run { try AdamW(parameters: [$0], learningRate: 0.05, beta1: 0.5, beta2: 0.9, epsilon: 1) },
            adamByHand(lr: 0.05, decay: 0.01, decoupled: true, b1: 0.5, b2: 0.9, eps: 1), same, "AdamW, all three")
    }

    @Test func parametersWithoutGradientsAreLeftAlone() throws {
        let used = Tensor<Double>([1], requiresGrad: true)
        let unused = Tensor<Double>([5], requiresGrad: true)
        let optimizer = try Adam(parameters: [used, unused], learningRate: 0.1)
        (used * 2).sum().backward()
        optimizer.step()
        #expect(unused.scalars == [5])
        #expect(used.scalars != [1])
    }

    @Test func gradientClippingScalesTheJointNorm() throws {
        let a = Tensor<Double>([1, 2], requiresGrad: true)
        let b = Tensor<Double>([2], requiresGrad: true)
        ((a * Tensor([3, 4])).sum() + (b * 12).sum()).backward()  // grads: a [3, 4], b [12]
        let norm = try clipGradientNorm([a, b], maxNorm: 5)
        #expect(abs(norm - 13) < 1e-12)
        let factor = 5 / (13 + 1e-6)
        expectClose(a.grad!.scalars + b.grad!.scalars, [3 * factor, 4 * factor, 12 * factor], .sameMath(Double.self), "clipped")
        let untouched = try clipGradientNorm([a, b], maxNorm: 100)
        #expect(abs(untouched - 5) < 1e-5)
        expectClose(a.grad!.scalars, [3 * factor, 4 * factor], .sameMath(Double.self), "below the limit")
    }

    @Test func warmupCosineSchedule() throws {
        let schedule = try WarmupCosineSchedule(peakLearningRate: 1, warmupSteps: 4, totalSteps: 14, minimumLearningRate: 0.1)
        #expect(schedule.learningRate(atStep: 0) == 0.25)
        #expect(schedule.learningRate(atStep: 3) == 1)
        #expect(abs(schedule.learningRate(atStep: 4) - 1) < 1e-15)
        #expect(abs(schedule.learningRate(atStep: 9) - (0.1 + 0.9 * 0.5)) < 1e-12)
        #expect(abs(schedule.learningRate(atStep: 14) - 0.1) < 1e-12)
        #expect(abs(schedule.learningRate(atStep: 100) - 0.1) < 1e-12)
        let plainCosine = try WarmupCosineSchedule(peakLearningRate: 2, warmupSteps: 0, totalSteps: 10)
        #expect(plainCosine.learningRate(atStep: 0) == 2)
        #expect(abs(plainCosine.learningRate(atStep: 5) - 1) < 1e-12)
    }
}
