import TestSupport
import Testing
@testable import xLSTMTensor

/// Elementwise operators between tensors of broadcast shapes against a
/// plain loop over output indices (values) and finite differences
/// (gradients), for operands repeated along leading, middle and trailing
/// axes and not repeated at all.
@Suite struct BroadcastingTests {
    static let shapes: [([Int], [Int])] = [
        ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 1, 4], [3, 1]), ([3, 1, 5], [1, 4, 1]), ([1], [2, 3]),
        ([4, 1, 1, 3], [2, 1, 3]), ([2, 3, 1], [2, 3, 5]), ([5], []),
    ]

    static let operators: [(name: String, apply: @Sendable (Tensor<Double>, Tensor<Double>) -> Tensor<Double>, scalar: @Sendable (Double, Double) -> Double)] = [
        ("+", { $0 + $1 }, { $0 + $1 }), ("-", { $0 - $1 }, { $0 - $1 }), ("*", { $0 * $1 }, { $0 * $1 }),
        ("/", { $0 / $1 }, { $0 / $1 }), ("maximum", { Tensor.maximum($0, $1) }, { Swift.max($0, $1) }),
    ]

    /// The element of an operand of `shape` that output index `index` (of `output`) reads.
    static func element(of shape: [Int], at index: [Int], in output: [Int]) -> Int {
        var offset = 0
        for axis in shape.indices {
            let position = index[axis + output.count - shape.count]
            offset = offset * shape[axis] + (shape[axis] == 1 ? 0 : position)
        }
        return offset
    }

    /// Moves a multi-index to the next element of `shape` in row-major order.
    static func advance(_ index: inout [Int], in shape: [Int]) {
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { return }
            index[axis] = 0
            axis -= 1
        }
    }

    @Test(arguments: 0..<shapes.count)
    func valuesAndGradientsMatchTheDefinition(pair: Int) throws {
        let (shapeA, shapeB) = Self.shapes[pair]
        for (name, apply, scalar) in Self.operators {
            let a = random(shapeA, seed: UInt64(pair * 10 + 1))
            // Away from zero (division) and from a (maximum's kink).
            let b = try Tensor<Double>(shape: shapeB, scalars: random(shapeB, seed: UInt64(pair * 10 + 2)).scalars.map { $0 + ($0 < 0 ? -2 : 2) })
            let output = try broadcastShape(shapeA, shapeB)
            let result = withoutGradients { apply(a, b) }
            #expect(result.shape == output)
            var expected: [Double] = []
            var index = [Int](repeating: 0, count: output.count)
            for _ in 0..<output.elementCount {
                expected.append(scalar(a.scalars[Self.element(of: shapeA, at: index, in: output)], b.scalars[Self.element(of: shapeB, at: index, in: output)]))
                Self.advance(&index, in: output)
            }
            #expect(result.scalars == expected, "\(shapeA) \(name) \(shapeB)")
            checkGradients(of: [("a", a), ("b", b)]) { weightedSum(apply(a, b), seed: 9) }
        }
    }
}
