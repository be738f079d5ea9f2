import Foundation
import TestSupport
import Testing
@testable import xLSTMTensor

/// The vectorized exp, tanh, sigmoid and logsigmoid of the fast kernel
/// against float64 references, over dense sweeps of their whole input range
/// plus the edges: 0, -0, subnormal and tiny inputs, +-88, +-1e4, +-inf, NaN.
///
/// Stated accuracy: at most 2 ulp (exp, expOfNonPositive) and 3 ulp (the others) of the
/// correctly rounded Float result; results whose true value is below 2^-123
/// may be flushed to zero (no subnormal is ever computed), an absolute error
/// of at most 2^-123.
@Suite struct VectorMathTests {
    typealias Vector = SIMD16<Float>

    static let edges: [Float] = [
        0, -0.0, 1e-30, -1e-30, Float.leastNonzeroMagnitude, -Float.leastNormalMagnitude, 1e-7, -1e-7, 0.5, -0.5,
        0.625, -0.625, 1, -1, 15, -15, 85.9, -85.9, 86, -86, 87.5, -87.5, 88, -88, 88.72, -88.72, 89, -89, 104, -104,
        1e4, -1e4, .infinity, -.infinity,
    ]

    /// `count` evenly spaced points of `range` and the edges.
    static func sweep(_ range: ClosedRange<Float>, count: Int = 400_000) -> [Float] {
        (0...count).map { range.lowerBound + (range.upperBound - range.lowerBound) * Float($0) / Float(count) } + edges
    }

    /// The worst error of `function` against `reference` over `inputs`, in
    /// ulp of the correctly rounded result; a flushed tiny result counts as 0
    /// when within 2^-123, and a wrong infinity or NaN as infinitely wrong.
    static func worstError(
        _ inputs: [Float], _ function: (Vector) -> Vector, _ reference: (Double) -> Double
    ) -> (ulp: Double, at: Float) {
        var worst: (ulp: Double, at: Float) = (0, 0)
        for start in stride(from: 0, to: inputs.count, by: 16) {
            var vector = Vector(repeating: 0)
            for lane in 0..<16 { vector[lane] = inputs[min(start + lane, inputs.count - 1)] }
            let result = function(vector)
            for lane in 0..<16 {
                let x = vector[lane]
                let (actual, expected) = (result[lane], reference(Double(x)))
                let rounded = Float(expected)
                let error: Double
                if rounded.isInfinite || actual.isInfinite || actual.isNaN {
                    error = actual == rounded ? 0 : .infinity
                } else if abs(expected) < 0x1p-123 {
                    error = abs(Double(actual) - expected) <= 0x1p-123 ? 0 : .infinity
                } else {
                    error = abs(Double(actual) - expected) / Double(rounded.ulp)
                }
                if error > worst.ulp { worst = (error, x) }
            }
        }
        return worst
    }

    static func sigmoid(_ x: Double) -> Double { x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x)) }
    static func logSigmoid(_ x: Double) -> Double { x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x)) }

    @Test func expWithinTwoUlp() throws {
        let worst = Self.worstError(Self.sweep(-110...90), Vector.exp) { Foundation.exp($0) }
        #expect(worst.ulp <= 2, "at \(worst.at)")
        // The stabilizer relies on exp(0) being exactly 1 (max(i', f') == 1).
        #expect(Vector.exp(Vector(repeating: 0)) == Vector(repeating: 1))
    }

    @Test func expOfNonPositiveWithinTwoUlp() throws {
        let inputs = Self.sweep(-110...0).filter { $0 <= 0 }
        let worst = Self.worstError(inputs, Vector.expOfNonPositive) { Foundation.exp($0) }
        #expect(worst.ulp <= 2, "at \(worst.at)")
        #expect(Vector.expOfNonPositive(Vector(repeating: 0)) == Vector(repeating: 1))
    }

    @Test func tanhWithinThreeUlp() throws {
        let worst = Self.worstError(Self.sweep(-20...20), Vector.tanh) { Foundation.tanh($0) }
        #expect(worst.ulp <= 3, "at \(worst.at)")
    }

    @Test func sigmoidWithinThreeUlp() throws {
        let worst = Self.worstError(Self.sweep(-110...40), Vector.sigmoid, Self.sigmoid)
        #expect(worst.ulp <= 3, "at \(worst.at)")
    }

    @Test func logSigmoidAndItsDerivativeWithinThreeUlp() throws {
        let inputs = Self.sweep(-40...110)
        let value = Self.worstError(inputs, Vector.logSigmoid, Self.logSigmoid)
        #expect(value.ulp <= 3, "at \(value.at)")
        let derivative = Self.worstError(inputs, { Vector.logSigmoidWithDerivative($0).derivative }) {
            Self.sigmoid(-$0)
        }
        #expect(derivative.ulp <= 3, "at \(derivative.at)")
    }

    @Test func nanStaysNaN() throws {
        let nan = Vector(repeating: .nan)
        for function in [Vector.exp, Vector.expOfNonPositive, Vector.tanh, Vector.sigmoid, Vector.logSigmoid] {
            #expect(function(nan).indices.allSatisfy { function(nan)[$0].isNaN })
        }
    }
}
