import TestSupport
import Testing
import xLSTMTensor

/// Reading and writing values: indexing, assignment, argmax, the one scalar.
@Suite struct TensorAccessTests {
    @Test func subscriptIsRowMajor() throws {
        let t = try Tensor<Double>(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        for i in 0..<2 {
            for j in 0..<3 {
                for k in 0..<4 { #expect(t[i, j, k] == Double((i * 3 + j) * 4 + k)) }
            }
        }
        t[1, 2, 3] = -1
        #expect(t.scalars[23] == -1)
        #expect(Tensor<Float>(scalar: 7)[] == 7)
    }

    @Test func anIndexOutOfRangeStopsWithItsAxis() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3])[1, 3]
        }
        #expect(standardError(of: result).contains(
            "invalid indices[1]: expected an index in 0..<3 for shape [2, 3], received 3"))
    }

    @Test func assignKeepsTheShapeAndChecksTheCount() throws {
        let t = Tensor<Double>.zeros([2, 2])
        try t.assign([1, 2, 3, 4])
        #expect(t.shape == [2, 2] && t.scalars == [1, 2, 3, 4])
        let error = #expect(throws: xLSTMError.self) { try t.assign([1, 2, 3]) }
        #expect(error?.description == "invalid values: expected 4 elements for shape [2, 2], received 3")
        let shapeError = #expect(throws: xLSTMError.self) { try t.assign(Tensor.zeros([4])) }
        #expect(shapeError?.description == "invalid values: expected shape [2, 2], received shape [4]")
    }

    @Test func argmaxAlongEachAxis() throws {
        // Brute force: the first index of the largest value on each line.
        var generator = Xoshiro256(seed: 3)
        let t = Tensor<Double>.randomNormal([3, 4, 5], using: &generator)
        t[1, 2, 0] = t[1, 3, 0]  // a tie: the first wins
        for axis in 0..<3 {
            var expected: [Int] = []
            let (a, b) = ([0, 1, 2].filter { $0 != axis }[0], [0, 1, 2].filter { $0 != axis }[1])
            for i in 0..<t.shape[a] {
                for j in 0..<t.shape[b] {
                    var values: [Double] = []
                    for k in 0..<t.shape[axis] {
                        var index = [0, 0, 0]
                        (index[a], index[b], index[axis]) = (i, j, k)
                        values.append(t[index[0], index[1], index[2]])
                    }
                    expected.append(values.firstIndex(of: values.max()!)!)
                }
            }
            #expect(t.argmax(alongAxis: axis) == expected)
            #expect(t.argmax(alongAxis: axis - 3) == expected)
        }
    }

    @Test func argmaxAndMaxTreatNaNAsLargest() throws {
        let t = try Tensor<Float>(rows: [[1, .nan, 3], [4, 2, 0]])
        #expect(t.argmax(alongAxis: 1) == [1, 0])
        let maxima = t.max(alongAxis: 1)
        #expect(maxima.scalars[0].isNaN && maxima.scalars[1] == 4)
    }

    @Test func theScalarOfAOneElementTensorOfAnyRank() throws {
        #expect(try Tensor<Double>(shape: [1, 1, 1], scalars: [2.5]).scalar == 2.5)
    }

    @Test func negativeExtentsAreRejected() throws {
        let error = #expect(throws: xLSTMError.self) { try Tensor<Double>(shape: [2, -1], scalars: []) }
        #expect(error?.description == "invalid shape: expected non-negative extents, received [2, -1]")
    }
}
