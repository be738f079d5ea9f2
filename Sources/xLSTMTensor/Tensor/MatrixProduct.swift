/// Matrix products through the platform BLAS.
extension Tensor {
    /// The matrix product.
    ///
    /// - `a` (M, K) and `b` (K, N) give (M, N);
    /// - `a` (..., M, K) and `b` (K, N) treat the leading axes of `a` as rows;
    /// - `a` (B, M, K) and `b` (B, K, N) give (B, M, N), one product per batch.
    ///
    /// - Precondition: the inner extents agree and the ranks are one of the above.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func matmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (batch, m, k, n) = orTrap { () throws(xLSTMError) -> (Int, Int, Int, Int) in
            try require(
                a.rank >= 2 && (b.rank == 2 || (b.rank == 3 && a.rank == 3)), "operands",
                expected: "(M, K) x (K, N), (..., M, K) x (K, N) or (B, M, K) x (B, K, N)",
                received: "\(shapeText(a.shape)) x \(shapeText(b.shape))")
            try require(
                a.shape[a.rank - 1] == b.shape[b.rank - 2], "operands",
                expected: "the inner extents to agree",
                received: "\(shapeText(a.shape)) x \(shapeText(b.shape))")
            if b.rank == 3 {
                try require(
                    a.shape[0] == b.shape[0], "operands", expected: "equal batch extents",
                    received: "\(shapeText(a.shape)) x \(shapeText(b.shape))")
                return (a.shape[0], a.shape[1], a.shape[2], b.shape[2])
            }
            return (1, Array(a.shape.dropLast()).elementCount, a.shape[a.rank - 1], b.shape[1])
        }
        let batchedB = b.rank == 3
        var out = productBuffer(Scalar.self, count: batch * m * n, inner: k)
        multiply(a.scalars, b.scalars, into: &out, batch: batch, m: m, n: n, k: k, batchedB: batchedB)
        var shape = Array(a.shape.dropLast())
        shape.append(n)
        let result = Tensor(validatedShape: shape, scalars: out)
        recordOperation(outputs: [result], inputs: [a, b]) { grads in
            guard let upstream = grads[0]?.scalars else { return [nil, nil] }
            var gradA = productBuffer(Scalar.self, count: a.count, inner: n)
            var gradB = productBuffer(Scalar.self, count: b.count, inner: batchedB ? m : batch * m)
            // dA = dC B^T (per batch); dB = A^T dC (summed over batches when B is shared).
            multiply(upstream, b.scalars, into: &gradA, batch: batch, m: m, n: k, k: n, transposeB: true, batchedB: batchedB)
            if batchedB {
                multiply(a.scalars, upstream, into: &gradB, batch: batch, m: k, n: n, k: m, transposeA: true, batchedB: true)
            } else {
                multiply(a.scalars, upstream, into: &gradB, batch: 1, m: k, n: n, k: batch * m, transposeA: true, batchedB: false)
            }
            return [Tensor(validatedShape: a.shape, scalars: gradA), Tensor(validatedShape: b.shape, scalars: gradB)]
        }
        return result
    }

    /// `x W^T + b` on the last axis, PyTorch's `linear`: `x` (..., inputs),
    /// `weight` (outputs, inputs), `bias` (outputs) gives (..., outputs).
    ///
    /// - Precondition: the extents agree as above.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        let outputs = weight.shape.first ?? 0
        orTrap { () throws(xLSTMError) in
            try require(
                weight.rank == 2, "weight", expected: "rank 2 (outputs, inputs)",
                received: "shape \(shapeText(weight.shape))")
            try require(
                x.rank >= 1 && x.shape[x.rank - 1] == weight.shape[1], "input",
                expected: "last extent \(weight.shape[1])", received: "shape \(shapeText(x.shape))")
            if let bias {
                try require(
                    bias.shape == [outputs], "bias", expected: "shape [\(outputs)]",
                    received: "shape \(shapeText(bias.shape))")
            }
        }
        let inputs = weight.shape[1]
        let rows = Array(x.shape.dropLast()).elementCount
        var out: [Scalar]
        if let bias {
            out = [Scalar](repeating: 0, count: rows * outputs)
            for row in 0..<rows { out.replaceSubrange((row * outputs)..<((row + 1) * outputs), with: bias.scalars) }
        } else {
            out = productBuffer(Scalar.self, count: rows * outputs, inner: inputs)
        }
        multiply(
            x.scalars, weight.scalars, into: &out, batch: 1, m: rows, n: outputs, k: inputs, transposeB: true,
            accumulate: bias != nil)
        var shape = Array(x.shape.dropLast())
        shape.append(outputs)
        let result = Tensor(validatedShape: shape, scalars: out)
        let operands = bias.map { [x, weight, $0] } ?? [x, weight]
        recordOperation(outputs: [result], inputs: operands) { grads in
            guard let upstream = grads[0]?.scalars else { return operands.map { _ in nil } }
            var gradX = productBuffer(Scalar.self, count: x.count, inner: outputs)
            var gradWeight = productBuffer(Scalar.self, count: weight.count, inner: rows)
            multiply(upstream, weight.scalars, into: &gradX, batch: 1, m: rows, n: inputs, k: outputs)
            multiply(upstream, x.scalars, into: &gradWeight, batch: 1, m: outputs, n: inputs, k: rows, transposeA: true)
            var grads = [Tensor(validatedShape: x.shape, scalars: gradX), Tensor(validatedShape: weight.shape, scalars: gradWeight)]
            if bias != nil {
                var gradBias = [Scalar](repeating: 0, count: outputs)
                for row in 0..<rows {
                    for column in 0..<outputs { gradBias[column] += upstream[row * outputs + column] }
                }
                grads.append(Tensor(validatedShape: [outputs], scalars: gradBias))
            }
            return grads
        }
        return result
    }
}

/// The buffer a product with inner extent `inner` overwrites: uninitialized,
/// since with beta 0 the BLAS writes every element without reading it
/// (zero-filling first was a memset, and the page faults of a fresh
/// allocation, on one thread before every product); zeros when the inner
/// extent is 0, since then the BLAS is not called and the product is 0.
@inline(__always)
func productBuffer<Scalar: TensorScalar>(_: Scalar.Type, count: Int, inner: Int) -> [Scalar] {
    guard inner > 0 else { return [Scalar](repeating: 0, count: count) }
    return uninitializedArray(count: count)
}

/// `out[b] (+)= op(a[b]) op(b[b])` for each batch; `b` is shared across
/// batches unless `batchedB`.
///
/// Large products are split over `Parallelism.threadCount` workers, each
/// making single-threaded BLAS calls: the library keeps the BLAS itself
/// single-threaded meanwhile (see `withSingleThreadedBLAS`), so that its
/// spinning threads never compete with the sLSTM's workers. A batch of at
/// least as many products as workers is split by whole products (the
/// chunkwise mLSTM's small per-head products: splitting each by rows woke
/// the workers once per product); a single product by rows of `out`, or by
/// columns when it has one row (a decoding step).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
func multiply<Scalar: TensorScalar>(
    _ a: [Scalar], _ b: [Scalar], into out: inout [Scalar],
    batch: Int, m: Int, n: Int, k: Int,
    transposeA: Bool = false, transposeB: Bool = false, batchedB: Bool = false, accumulate: Bool = false
) {
    let threads = Parallelism.threadCount
    let byProducts = batch >= threads && batch * m * n * k >= 1 << 18
    // A one-row product streams its matrix from memory at a few bytes per
    // multiply-add: worth sharing from 256 KB on (a 512 x 256 decoding
    // projection ran on one core while the other idled).
    let large = m == 1 ? n * k >= 1 << 16 : m * n * k >= 1 << 18
    let byColumns = m == 1 && large
    let workers = byProducts ? threads : (large ? min(threads, byColumns ? n : m) : 1)
    withSingleThreadedBLAS {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                out.withUnsafeMutableBufferPointer { out in
                    guard let aBase = a.baseAddress, let bBase = b.baseAddress, let outBase = out.baseAddress else {
                        return
                    }
                    let first = SplitProduct(
                        transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                        a: aBase, lda: transposeA ? m : k, b: bBase, ldb: transposeB ? k : n,
                        c: outBase, ldc: n, accumulate: accumulate)
                    let strides = (a: m * k, b: batchedB ? k * n : 0, c: m * n)
                    if byProducts {
                        runWorkers(workers) { piece in
                            for index in evenPiece(piece, of: workers, total: batch) {
                                first.advanced(a: index * strides.a, b: index * strides.b, c: index * strides.c).run(piece: 0, of: 1)
                            }
                        }
                        return
                    }
                    for index in 0..<batch {
                        let product = first.advanced(a: index * strides.a, b: index * strides.b, c: index * strides.c)
                        if byColumns {
                            runWorkers(workers) { piece in product.runColumns(piece: piece, of: workers) }
                        } else {
                            runWorkers(workers) { piece in product.run(piece: piece, of: workers) }
                        }
                    }
                }
            }
        }
    }
}
