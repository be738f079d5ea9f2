import xLSTMTensor

/// The contract every recurrent kernel implements: the sLSTM's reference and
/// fast kernels now, the mLSTM's reference, parallel, chunkwise and step
/// forms next.
///
/// A kernel runs one pass of one layer in one direction on flat row-major
/// buffers described by its `Geometry`, and returns a `Pass`: the outputs,
/// the final state, and the backward that belongs to that forward. The module
/// around it (``sLSTM``) turns a pass into ONE node of the gradient engine.
///
/// Every form of a family implements the same math on the same layouts, so
/// that each fast or chunked form is tested against the family's plain-loop
/// reference on outputs, final states and every gradient.
protocol RecurrentKernel<Scalar> {
    associatedtype Scalar: TensorScalar
    /// The sizes of a pass and the time step each batch row reads.
    associatedtype Geometry
    /// What a pass reads: the input sequence, the weights, the initial state.
    associatedtype Inputs
    /// What a pass returns: outputs, final state and the matching backward.
    associatedtype Pass

    static func run(_ geometry: Geometry, _ inputs: Inputs) -> Pass
}

/// An sLSTM kernel: one layer-direction pass with the layouts of
/// ``sLSTMLayerGeometry``.
protocol sLSTMKernel<Scalar>: RecurrentKernel
where Geometry == sLSTMLayerGeometry, Inputs == sLSTMLayerInputs<Scalar>, Pass == sLSTMLayerPass<Scalar> {}

extension sLSTMFastKernel: sLSTMKernel {
    typealias Scalar = Float

    static func run(_ geometry: sLSTMLayerGeometry, _ inputs: sLSTMLayerInputs<Float>) -> sLSTMLayerPass<Float> {
        run(geometry, inputs, threads: Parallelism.threadCount)
    }
}

/// Which implementation runs the sLSTM recurrence.
public enum sLSTMBackend: String, Sendable, CaseIterable {
    /// The fastest kernel for the scalar type (the default): for `Float`, the
    /// SIMD kernel with BLAS products and `Parallelism.threadCount` workers;
    /// a scalar type without an optimized kernel (`Double`) runs the reference.
    case fast
    /// The plain-loop reference, for any scalar type: slow, the ground truth
    /// every other kernel is tested against.
    case reference

    /// The optimized kernels; the first whose scalar type matches serves `.fast`.
    private static var optimizedKernels: [any sLSTMKernel.Type] { [sLSTMFastKernel.self] }

    /// The kernel this backend runs for `Scalar`.
    func kernel<Scalar: TensorScalar>(for _: Scalar.Type) -> any sLSTMKernel<Scalar>.Type {
        if self == .fast {
            for kernel in Self.optimizedKernels {
                if let matching = kernel as? any sLSTMKernel<Scalar>.Type { return matching }
            }
        }
        return sLSTMReference<Scalar>.self
    }
}
