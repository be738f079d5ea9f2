/// The causal depthwise 1-D convolution of the xLSTM blocks: each channel is
/// filtered along time by its own kernel, seeing only the present and past.
extension Tensor {
    /// `y[b, t, c] = bias[c] + sum_k weight[c, k] * x[b, t - (K - 1) + k, c]`,
    /// with x = 0 before the first step (PyTorch's `Conv1d(C, C, K,
    /// groups=C, padding=K-1)` keeping the first T outputs).
    ///
    /// - Parameters:
    ///   - x: (B, T, C).
    ///   - weight: (C, K), K the kernel size.
    ///   - bias: (C), or `nil`.
    /// - Returns: (B, T, C).
    /// - Precondition: the shapes are as above.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func causalDepthwiseConvolution(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        orTrap { () throws(xLSTMError) in
            try require(x.rank == 3, "input", expected: "rank 3 (B, T, C)", received: "shape \(shapeText(x.shape))")
            try require(
                weight.rank == 2 && weight.shape[0] == x.shape[2], "weight",
                expected: "shape (\(x.shape[2]), kernel size)", received: "shape \(shapeText(weight.shape))")
            if let bias {
                try require(
                    bias.shape == [x.shape[2]], "bias", expected: "shape [\(x.shape[2])]",
                    received: "shape \(shapeText(bias.shape))")
            }
        }
        let (batch, steps, channels, width) = (x.shape[0], x.shape[1], x.shape[2], weight.shape[1])
        let (input, kernel) = (x.scalars, weight.scalars)
        var out = [Scalar](repeating: 0, count: x.count)
        for b in 0..<batch {
            for t in 0..<steps {
                let row = (b * steps + t) * channels
                for c in 0..<channels {
                    var sum = bias?.scalars[c] ?? 0
                    for k in Swift.max(0, width - 1 - t)..<width {
                        sum += kernel[c * width + k] * input[(b * steps + t - (width - 1) + k) * channels + c]
                    }
                    out[row + c] = sum
                }
            }
        }
        let result = Tensor(validatedShape: x.shape, scalars: out)
        let operands = bias.map { [x, weight, $0] } ?? [x, weight]
        recordOperation(outputs: [result], inputs: operands) { grads in
            guard let upstream = grads[0]?.scalars else { return operands.map { _ in nil } }
            var gradInput = [Scalar](repeating: 0, count: input.count)
            var gradKernel = [Scalar](repeating: 0, count: kernel.count)
            var gradBias = [Scalar](repeating: 0, count: channels)
            for b in 0..<batch {
                for t in 0..<steps {
                    let row = (b * steps + t) * channels
                    for c in 0..<channels {
                        let g = upstream[row + c]
                        gradBias[c] += g
                        for k in Swift.max(0, width - 1 - t)..<width {
                            let source = (b * steps + t - (width - 1) + k) * channels + c
                            gradInput[source] += kernel[c * width + k] * g
                            gradKernel[c * width + k] += input[source] * g
                        }
                    }
                }
            }
            var list: [Tensor?] = [
                Tensor(validatedShape: x.shape, scalars: gradInput), Tensor(validatedShape: weight.shape, scalars: gradKernel),
            ]
            if bias != nil { list.append(Tensor(validatedShape: [channels], scalars: gradBias)) }
            return list
        }
        return result
    }

    /// `cap * tanh(x / cap)`: squashes values smoothly into (-cap, cap),
    /// nearly the identity well inside (the soft-capping of xLSTM-Large's
    /// gates and output logits).
    ///
    /// - Precondition: `cap > 0`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func softCapped(_ cap: Scalar) -> Tensor {
        if !(cap > 0) { trap(xLSTMError(argument: "cap", expected: "a value > 0", received: "\(cap)")) }
        return (self / cap).tanh() * cap
    }
}
