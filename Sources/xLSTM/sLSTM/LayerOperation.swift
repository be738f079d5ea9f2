import xLSTMNN
import xLSTMTensor

/// One sLSTM layer pass in one direction as ONE node of the gradient engine,
/// whose backward is the kernel's hand-written BPTT.
struct sLSTMLayerOperation<Scalar: TensorScalar> {
    /// What the operation returns: outputs (T, B, H) and the final h, c, n, m
    /// (B, H each). The final m carries no gradient (see ``sLSTMLayerUpstream``).
    struct Result {
        let outputs: Tensor<Scalar>
        let h: Tensor<Scalar>
        let c: Tensor<Scalar>
        let n: Tensor<Scalar>
        let m: Tensor<Scalar>
    }

    let geometry: sLSTMLayerGeometry
    let backend: sLSTMBackend

    /// - Parameters:
    ///   - x: (T, B, D).
    ///   - inputWeights: (4H, D); `recurrentWeights`: (K, 4d, d); `bias`: (4H) or nil for none.
    ///   - initial: h, c, n, m, each (B, H).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func callAsFunction(
        _ x: Tensor<Scalar>, inputWeights: Tensor<Scalar>, recurrentWeights: Tensor<Scalar>,
        bias: Tensor<Scalar>?, initial: (h: Tensor<Scalar>, c: Tensor<Scalar>, n: Tensor<Scalar>, m: Tensor<Scalar>)
    ) -> Result {
        let (B, H) = (geometry.batch, geometry.hiddenSize)
        let inputs = sLSTMLayerInputs(
            x: x.scalars, inputWeights: inputWeights.scalars, recurrentWeights: recurrentWeights.scalars,
            bias: bias?.scalars ?? [Scalar](repeating: 0, count: 4 * H),
            initial: sLSTMLayerState(
                h: initial.h.scalars, c: initial.c.scalars, n: initial.n.scalars, m: initial.m.scalars))
        let pass = backend.kernel(for: Scalar.self).run(geometry, inputs)
        let result = Result(
            outputs: Tensor(validatedShape: [geometry.steps, B, H], scalars: pass.outputs),
            h: Tensor(validatedShape: [B, H], scalars: pass.final.h),
            c: Tensor(validatedShape: [B, H], scalars: pass.final.c),
            n: Tensor(validatedShape: [B, H], scalars: pass.final.n),
            m: Tensor(validatedShape: [B, H], scalars: pass.final.m))
        var operands = [x, inputWeights, recurrentWeights]
        if let bias { operands.append(bias) }
        operands += [initial.h, initial.c, initial.n, initial.m]
        let hasBias = bias != nil
        // The final m is a stabilizer, not a differentiable result: it is no
        // output of the node.
        recordOperation(
            outputs: [result.outputs, result.h, result.c, result.n], inputs: operands
        ) { grads in
            let gradients = pass.backward(
                sLSTMLayerUpstream(
                    outputs: grads[0]?.scalars, h: grads[1]?.scalars, c: grads[2]?.scalars, n: grads[3]?.scalars))
            var list = [
                Tensor(validatedShape: x.shape, scalars: gradients.x),
                Tensor(validatedShape: inputWeights.shape, scalars: gradients.inputWeights),
                Tensor(validatedShape: recurrentWeights.shape, scalars: gradients.recurrentWeights),
            ]
            if hasBias { list.append(Tensor(validatedShape: [4 * H], scalars: gradients.bias)) }
            list += [gradients.initial.h, gradients.initial.c, gradients.initial.n, gradients.initial.m].map {
                Tensor(validatedShape: [B, H], scalars: $0)
            }
            return list
        }
        return result
    }
}
