import Foundation
import Testing
import xLSTMTensor

/// The one tolerance table: how close two results of a scalar type must be,
/// by what is being compared.
public struct Tolerance: Sendable {
    public let relative: Double
    public let absolute: Double

    public init(relative: Double, absolute: Double) {
        self.relative = relative
        self.absolute = absolute
    }

    /// Two computations of the same math in this scalar type (reference vs a
    /// reformulation, chunked vs whole): rounding differences only.
    public static func sameMath<Scalar: TensorScalar>(_: Scalar.Type) -> Tolerance {
        Scalar.self == Double.self ? Tolerance(relative: 1e-10, absolute: 1e-12) : Tolerance(relative: 2e-4, absolute: 2e-5)
    }

    /// The fast Float sLSTM kernel against the Float reference: the same math
    /// in another order (BLAS sums, vectorized exp/tanh/sigmoid within a few
    /// ulp). `sameMath` holds at ordinary scales; with pre-activations near
    /// +-50 the Float reference itself strays from the float64 result by up
    /// to 1.1x `sameMath` (dR) while the fast kernel stays within 0.4x, so
    /// the two Float results are compared with 2.5x `sameMath`.
    public static let fastAgainstReference = Tolerance(relative: 5e-4, absolute: 5e-5)

    /// Analytic gradients against central finite differences (Double, step 1e-6).
    public static let finiteDifference = Tolerance(relative: 1e-5, absolute: 1e-7)

    /// Float results against float64 golden files made by PyTorch.
    public static let floatAgainstGolden = Tolerance(relative: 1e-3, absolute: 2e-5)
}

/// The larger of a running worst error and a new one, a NaN error counting
/// as infinite. `Swift.max(worst, error)` returns `worst` when `error` is
/// NaN, so a worst-error loop built on it would pass over a missed write.
public func worstError<Value: FloatingPoint>(_ worst: Value, _ error: Value) -> Value {
    error.isNaN ? .infinity : Swift.max(worst, error)
}

/// Expects `actual` and `expected` to agree elementwise within `tolerance`
/// (|a - e| <= absolute + relative * |e|); fails on any NaN and on a count mismatch.
public func expectClose<A: BinaryFloatingPoint, E: BinaryFloatingPoint>(
    _ actual: [A], _ expected: [E], _ tolerance: Tolerance, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    var worst: (index: Int, excess: Double)?
    for index in actual.indices {
        let a = Double(actual[index])
        let e = Double(expected[index])
        let allowed = tolerance.absolute + tolerance.relative * abs(e)
        let error = abs(a - e)
        if a.isNaN || e.isNaN || !(error <= allowed) {
            let excess = a.isNaN || e.isNaN ? .infinity : error / allowed
            if worst == nil || excess > worst!.excess { worst = (index, excess) }
        }
    }
    if let worst {
        let excess = String(format: "%.3g", worst.excess)
        let message = "\(what): element \(worst.index) is \(actual[worst.index]), expected \(expected[worst.index]) (\(excess)x the tolerance)"
        Issue.record(Comment(rawValue: message), sourceLocation: sourceLocation)
    }
}

/// Expects two tensors to have equal shapes and close values.
public func expectClose<Scalar, Other>(
    _ actual: Tensor<Scalar>, _ expected: Tensor<Other>, _ tolerance: Tolerance, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "\(what): shape", sourceLocation: sourceLocation)
    expectClose(actual.scalars, expected.scalars, tolerance, what, sourceLocation: sourceLocation)
}
