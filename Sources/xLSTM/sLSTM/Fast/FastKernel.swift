import xLSTMNN
import xLSTMTensor

/// The fast CPU sLSTM for `Float` (DESIGN section 4): the semantics of
/// ``sLSTMReference`` (same layouts, lengths, reverse, first-step rule and
/// gradients), computed with BLAS products for everything that spans the
/// whole sequence, a SIMD micro-kernel for the recurrent product (the BLAS
/// in a build for the x86-64 baseline, see ``RecurrentProduct/Engine``), a fused
/// vectorized pointwise step, and `Parallelism.threadCount` workers that
/// each run their own time loop over a (batch chunk, head).
///
/// See ``FastForward`` and ``FastBackward`` for the two passes and
/// ``FastLayout`` for the memory layout.
enum sLSTMFastKernel {
    /// - Parameters:
    ///   - threads: workers for the forward and the backward
    ///     (`Parallelism.threadCount` when the pass runs).
    ///   - engine: who computes the recurrent products (tests run both).
    ///
    /// Without gradient recording (`withoutGradients`) the forward keeps
    /// nothing for a backward; should the backward be called anyway, it runs
    /// the forward again first.
    static func run(
        _ geometry: sLSTMLayerGeometry, _ inputs: sLSTMLayerInputs<Float>, threads: Int = Parallelism.threadCount,
        engine: RecurrentProduct.Engine = .target
    ) -> sLSTMLayerPass<Float> {
        let saving = GradientRecording.isActive
        let forward = FastForward(geometry, inputs, saving: saving, engine: engine)
        let (outputs, final) = forward.run(threads: threads, recurrentWeights: inputs.recurrentWeights)
        let kept = saving ? forward : nil
        return sLSTMLayerPass(outputs: outputs, final: final) { upstream in
            let recorded = kept ?? replay(geometry, inputs, threads: threads, engine: engine)
            return FastBackward.run(
                recorded, recurrentWeights: inputs.recurrentWeights, upstream: upstream, threads: threads)
        }
    }

    /// The forward again, this time keeping what the backward needs.
    private static func replay(
        _ geometry: sLSTMLayerGeometry, _ inputs: sLSTMLayerInputs<Float>, threads: Int,
        engine: RecurrentProduct.Engine
    ) -> FastForward {
        let forward = FastForward(geometry, inputs, saving: true, engine: engine)
        _ = forward.run(threads: threads, recurrentWeights: inputs.recurrentWeights)
        return forward
    }
}
