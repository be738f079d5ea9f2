import Foundation
import TestSupport
import Testing
@testable import xLSTMTensor

/// The loops that large tensors take: elementwise functions (SIMD for
/// Float), broadcasting operators and sums split over the workers. Sizes
/// are above ``ElementwiseLoops/elementsPerWorker`` times the thread count
/// and not multiples of 16, so the split and the SIMD tail both run.
@Suite struct LargeTensorLoopTests {
    static let count = 70_001

    /// -20...20 evenly, then the edges of VectorMathTests (infinities, ±88, tiny values) and NaN.
    static func inputs() -> [Float] {
        let edges = VectorMathTests.edges + [.nan]
        return (0..<(count - edges.count)).map { -20 + 40 * Float($0) / Float(count) } + edges
    }

    /// Each with its bound in ulp: 4 for the elementary functions, half an ulp for one rounding.
    static let functions: [(name: String, ulp: Double, float: @Sendable (Tensor<Float>) -> Tensor<Float>, reference: @Sendable (Double) -> Double, derivative: @Sendable (Double) -> Double)] = [
        ("exp", 4, { $0.exp() }, { Foundation.exp($0) }, { Foundation.exp($0) }),
        ("tanh", 4, { $0.tanh() }, { Foundation.tanh($0) }, { 1 - Foundation.tanh($0) * Foundation.tanh($0) }),
        ("sigmoid", 4, { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }, { 1 / (2 + Foundation.exp(-$0) + Foundation.exp($0)) }),
        ("logSigmoid", 4, { $0.logSigmoid() }, { x in x < 0 ? x - Foundation.log1p(Foundation.exp(x)) : -Foundation.log1p(Foundation.exp(-x)) },
         { 1 / (1 + Foundation.exp($0)) }),
        ("silu", 4, { $0.silu() }, { $0 / (1 + Foundation.exp(-$0)) }, { x in
            let s = 1 / (1 + Foundation.exp(-x))
            return s * (1 + x * (1 - s))
        }),
        ("squared", 0.5, { $0.squared() }, { $0 * $0 }, { 2 * $0 }),
        ("* 0.3", 0.5, { $0 * 0.3 }, { $0 * Double(Float(0.3)) }, { _ in Double(Float(0.3)) }),
        ("+ 1.7", 0.5, { $0 + 1.7 }, { $0 + Double(Float(1.7)) }, { _ in 1 }),
        ("2.5 -", 0.5, { 2.5 - $0 }, { 2.5 - $0 }, { _ in -1 }),
    ]

    /// The error of `value` in ulp of the Float nearest `reference`, a wrong
    /// infinity or NaN counting as infinitely wrong. An error within
    /// `flushed` counts as none: the SIMD forms flush results below 2^-123
    /// to 0, and silu multiplies such a sigmoid by x.
    static func ulpError(_ value: Float, _ reference: Double, flushed: Double) -> Double {
        if reference.isNaN { return value.isNaN ? 0 : .infinity }
        let rounded = Float(reference)
        if rounded.isInfinite || value.isInfinite || value.isNaN { return value == rounded ? 0 : .infinity }
        if Swift.abs(Double(value) - reference) <= flushed { return 0 }
        return Swift.abs(Double(value) - reference) / Double(rounded.ulp)
    }

    @Test(arguments: 0..<functions.count)
    func floatFunctionsOfALargeTensorAreWithinTheirBoundOfDouble(index: Int) {
        let (name, bound, float, reference, _) = Self.functions[index]
        let x = Self.inputs()
        let y = withoutGradients { float(Tensor(x)) }.scalars
        var worst: (ulp: Double, at: Float) = (0, 0)
        for (input, value) in zip(x, y) {
            let flushed = 0x1p-123 * (name == "silu" ? Swift.max(1, Double(Swift.abs(input))) : 1)
            let error = Self.ulpError(value, reference(Double(input)), flushed: flushed)
            if !(error <= worst.ulp) { worst = (error, input) }
        }
        #expect(worst.ulp <= bound, "\(name): \(worst.ulp) ulp at \(worst.at)")
    }

    /// The sign of a zero result is the correctly rounded one (tanh and silu
    /// are odd at 0, so -0 gives -0), in the SIMD body and in the tail, for
    /// the functions that are 0 at ±0.
    @Test(arguments: ["tanh", "silu", "squared", "* 0.3"])
    func zerosKeepTheirSign(name: String) throws {
        let (_, _, float, reference, _) = try #require(Self.functions.first { $0.name == name })
        let x = (0..<Self.count).map { $0 % 2 == 0 ? Float(-0.0) : 0 }
        let y = withoutGradients { float(Tensor(x)) }.scalars
        #expect(y.count == x.count)
        for (input, value) in zip(x, y) {
            let expected = Float(reference(Double(input)))
            #expect(value == 0 && value.sign == expected.sign, "\(name)(\(input)) = \(value), expected \(expected)")
            if value != 0 || value.sign != expected.sign { return }
        }
    }

    @Test(arguments: 0..<functions.count)
    func gradientsOfALargeTensorMatchTheDerivative(index: Int) {
        let (name, _, float, _, derivative) = Self.functions[index]
        // Where every derivative is a normal, finite number.
        let x = Tensor((0..<Self.count).map { -8 + 16 * Float($0) / Float(Self.count) }, requiresGrad: true)
        float(x).sum().backward()
        let grad = x.grad?.scalars ?? []
        #expect(grad.count == Self.count)
        // Absolute and relative: tanh and sigmoid take their derivatives from
        // the rounded output (1 - y², y (1 - y)), which loses the digits of a
        // derivative far below 1.
        var worst = 0.0
        for (input, value) in zip(x.scalars, grad) {
            let expected = derivative(Double(input))
            worst = worstError(worst, Swift.abs(Double(value) - expected) / (Swift.abs(expected) + 0.1))
        }
        #expect(worst < 1e-5, "\(name): error \(worst)")
    }

    static let broadcastShapes: [([Int], [Int])] = [
        ([2, 36_001], [2, 36_001]), ([3, 9_001, 5], [9_001, 1]), ([1, 40_003, 3], [3]), ([40_001, 1], [1, 3]),
    ]

    @Test(arguments: 0..<broadcastShapes.count)
    func broadcastingOfLargeTensorsMatchesTheDefinition(pair: Int) throws {
        let (shapeA, shapeB) = Self.broadcastShapes[pair]
        let output = try broadcastShape(shapeA, shapeB)
        let a = random(shapeA, seed: UInt64(pair + 1))
        let b = try Tensor<Double>(shape: shapeB, scalars: random(shapeB, seed: UInt64(pair + 7)).scalars.map { $0 + ($0 < 0 ? -2 : 2) })
        for (name, apply, scalar) in BroadcastingTests.operators {
            let result = withoutGradients { apply(a, b) }
            var mismatches = 0
            var index = [Int](repeating: 0, count: output.count)
            for flat in 0..<output.elementCount {
                let expected = scalar(
                    a.scalars[BroadcastingTests.element(of: shapeA, at: index, in: output)],
                    b.scalars[BroadcastingTests.element(of: shapeB, at: index, in: output)])
                if result.scalars[flat] != expected { mismatches += 1 }
                BroadcastingTests.advance(&index, in: output)
            }
            #expect(result.shape == output && mismatches == 0, "\(shapeA) \(name) \(shapeB): \(mismatches) wrong")
        }
    }

    /// Gradients of operators between large operands of one shape (the
    /// engine's shortcut that skips the broadcast bookkeeping), for the
    /// loss sum(op(a, b) * w), against the partial derivatives elementwise.
    @Test func gradientsOfSameShapedLargeOperandsMatchThePartials() throws {
        let shape = [3, 12_001]
        let w = random(shape, seed: 21)
        let partials: [(name: String, apply: @Sendable (Tensor<Double>, Tensor<Double>) -> Tensor<Double>, da: @Sendable (Double, Double) -> Double, db: @Sendable (Double, Double) -> Double)] = [
            ("+", { $0 + $1 }, { _, _ in 1 }, { _, _ in 1 }), ("-", { $0 - $1 }, { _, _ in 1 }, { _, _ in -1 }),
            ("*", { $0 * $1 }, { _, y in y }, { x, _ in x }), ("/", { $0 / $1 }, { _, y in 1 / y }, { x, y in -x / (y * y) }),
            ("maximum", { Tensor.maximum($0, $1) }, { x, y in x >= y ? 1 : 0 }, { x, y in x >= y ? 0 : 1 }),
        ]
        for (name, apply, da, db) in partials {
            let a = random(shape, seed: 22)
            let b = try Tensor<Double>(shape: shape, scalars: random(shape, seed: 23).scalars.map { $0 + ($0 < 0 ? -2 : 2) })
            a.requiresGrad = true
            b.requiresGrad = true
            (apply(a, b) * w).sum().backward()
            var worst = 0.0
            for index in 0..<a.count {
                let (x, y, g) = (a.scalars[index], b.scalars[index], w.scalars[index])
                worst = worstError(worst, Swift.abs((a.grad?.scalars[index] ?? .infinity) - g * da(x, y)))
                worst = worstError(worst, Swift.abs((b.grad?.scalars[index] ?? .infinity) - g * db(x, y)))
            }
            #expect(worst < 1e-12, "\(name): \(worst)")
        }
    }

    @Test(arguments: [(0, [300, 517]), (1, [300, 517]), (1, [40, 301, 7]), (2, [40, 301, 7])])
    func sumsAlongAnAxisOfLargeTensorsMatchTheDefinition(axis: Int, shape: [Int]) {
        let x = random(shape, seed: 5)
        x.requiresGrad = true
        let sums = x.sum(alongAxis: axis)
        let w = random(sums.shape, seed: 6)
        (sums * w).sum().backward()
        let layout = AxisLayout(shape: shape, axis: axis)
        var (worst, worstGradient) = (0.0, 0.0)
        for o in 0..<layout.outer {
            for i in 0..<layout.inner {
                var expected = 0.0
                for k in 0..<layout.extent {
                    let index = (o * layout.extent + k) * layout.inner + i
                    expected += x.scalars[index]
                    // d/dx of sum(sums * w) is the weight of x's line.
                    worstGradient = worstError(worstGradient, Swift.abs((x.grad?.scalars[index] ?? .infinity) - w.scalars[o * layout.inner + i]))
                }
                worst = worstError(worst, Swift.abs(sums.scalars[o * layout.inner + i] - expected))
            }
        }
        #expect(sums.count == layout.outer * layout.inner && worst < 1e-12 && worstGradient == 0)
    }

    /// Each worker takes whole elements, runs or lines, so the results do not
    /// depend on the thread count. In a process of its own: the count is global.
    @Test func resultsDoNotDependOnTheThreadCount() async {
        await #expect(processExitsWith: .success) {
            let x = Tensor<Float>.randomNormal([3, 9_001, 5])
            let y = Tensor<Float>.randomNormal([9_001, 1])
            func results() -> [[Float]] {
                [x.exp().scalars, x.silu().scalars, x.squared().scalars, (x * 0.3).scalars, (x * y).scalars, (x + x).scalars, x.sum(alongAxis: 2).scalars, x.sum(alongAxis: 1).scalars]
            }
            Parallelism.threadCount = 1
            let single = results()
            for count in [2, 3, 5] {
                Parallelism.threadCount = count
                precondition(results() == single, "\(count) threads")
            }
        }
    }
}
