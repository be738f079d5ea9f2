import TestSupport
import Testing
import xLSTMTensor

/// Every tensor error path stops the process with a message that names the
/// argument, what was expected and what was received.
@Suite struct TensorErrorTests {
    @Test func tensorWithWrongElementCount() throws {
        let error = #expect(throws: xLSTMError.self) {
            _ = try Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3])
        }
        #expect(error?.description.contains("invalid scalars: expected 4 elements for shape [2, 2], received 3") == true)
    }

    @Test func raggedRows() throws {
        let error = #expect(throws: xLSTMError.self) {
            _ = try Tensor<Double>(rows: [[1, 2], [3]])
        }
        #expect(error?.description.contains("invalid rows[1]: expected 2 elements, received 1") == true)
    }

    @Test func incompatibleBroadcast() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]) + Tensor<Double>.zeros([2])
        }
        #expect(standardError(of: result).contains("invalid operands: expected broadcastable shapes"))
        #expect(standardError(of: result).contains("received [2, 3] and [2]"))
    }

    @Test func matmulInnerMismatch() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.matmul(.zeros([2, 3]), .zeros([4, 2]))
        }
        #expect(standardError(of: result).contains("invalid operands: expected the inner extents to agree, received [2, 3] x [4, 2]"))
    }

    @Test func reshapeToWrongCount() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).reshaped([4, 2])
        }
        #expect(standardError(of: result).contains("invalid shape: expected a shape with 6 elements (from [2, 3]), received [4, 2]"))
    }

    @Test func axisOutOfRange() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).sum(alongAxis: 2)
        }
        #expect(standardError(of: result).contains("invalid axis: expected a value in -2..<2 for shape [2, 3], received 2"))
    }

    @Test func sliceOutOfRange() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).slice(alongAxis: 1, 2..<5)
        }
        #expect(standardError(of: result).contains("invalid range: expected a range within 0..<3"))
    }

    @Test func concatenateMismatch() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.concatenate([.zeros([2, 3]), .zeros([3, 3])], alongAxis: 1)
        }
        #expect(standardError(of: result).contains("invalid tensors[1]: expected shape [2, 3] except along axis 1, received shape [3, 3]"))
    }

    @Test func permutationInvalid() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).permuted([0, 0])
        }
        #expect(standardError(of: result).contains("invalid axes: expected a permutation of 0..<2, received [0, 0]"))
    }

    @Test func backwardOfNonScalarNeedsUpstream() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Tensor<Double>.zeros([2], requiresGrad: true).backward()
        }
        #expect(standardError(of: result).contains("invalid upstream"))
    }
}
