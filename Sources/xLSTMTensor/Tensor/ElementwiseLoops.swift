/// The elementwise functions with a SIMD form for `Float`: the elementary
/// functions of VectorMath.swift, which the toolkit's `exp`, `tanh`,
/// `sigmoid`, `logSigmoid` and `silu` use on Float tensors instead of
/// glibc's scalar calls (measured: `expf` alone was 6% of an xLSTM-Large
/// prefill), and the arithmetic with a scalar, so that these too run on all
/// workers (a scalar closure inside a worker is an indirect call per element).
enum VectorizedFunction: Sendable {
    case exp, tanh, sigmoid, logSigmoid, silu, square
    /// x * factor.
    case scale(Float)
    /// x + offset.
    case shift(Float)
    /// minuend - x.
    case subtractedFrom(Float)
}

/// The loops of the toolkit's elementwise operations over whole tensors:
/// contiguous pieces over `Parallelism.threadCount` workers once a tensor is
/// large enough to repay waking them (a single thread ran every pointwise
/// operation of an xLSTM-Large prefill while the other core idled). The
/// functions without a SIMD form, and every function of a Double tensor,
/// run on the calling thread.
package enum ElementwiseLoops {
    /// Elements per worker below which one thread does the whole loop: a
    /// dispatch costs some microseconds, about what 16 K elements take.
    static let elementsPerWorker = 1 << 14

    /// How many workers a loop over `count` elements uses.
    @inline(__always)
    static func workers(for count: Int) -> Int {
        Swift.max(1, Swift.min(Parallelism.threadCount, count / elementsPerWorker))
    }

    /// Runs `body(range)` over near-equal contiguous pieces of `0..<count`,
    /// concurrently; each index stands for `elementsEach` elements of work.
    @inline(__always)
    package static func forEachPiece(_ count: Int, elementsEach: Int = 1, _ body: @Sendable (Range<Int>) -> Void) {
        let pieces = Swift.min(workers(for: count * elementsEach), Swift.max(count, 1))
        if pieces == 1 {
            body(0..<count)
        } else {
            runWorkers(pieces) { body(evenPiece($0, of: pieces, total: count)) }
        }
    }

    /// `function` of each element of `input`; for Float, `vectorized` (when
    /// given) computes the same function on 16 lanes at a time.
    @inline(__always)
    static func map<Scalar: TensorScalar>(
        _ input: [Scalar], vectorized: VectorizedFunction?, _ function: (Scalar) -> Scalar
    ) -> [Scalar] {
        // The scalar path stays on this thread: `function` inlines into its
        // loop here, while inside a worker it would be an indirect call per element.
        guard let vectorized, Scalar.self == Float.self else { return input.map(function) }
        let count = input.count
        return input.withUnsafeBufferPointer { input in
            [Scalar].fresh(count: count) { output in
                let buffers = ElementBuffers(
                    input: UnsafeRawPointer(input.baseAddress)?.assumingMemoryBound(to: Float.self),
                    output: UnsafeMutableRawPointer(output.baseAddress)?.assumingMemoryBound(to: Float.self))
                forEachPiece(count) { range in
                    guard let input = buffers.input, let output = buffers.output else { return }
                    mapFloats(vectorized, input + range.lowerBound, output + range.lowerBound, range.count)
                }
            }
        }
    }

    /// `values[i] = combine(values[i], x[i], y[i])` for every element: the
    /// backward of an elementwise operation (upstream times its derivative).
    @inline(__always)
    static func update<Scalar: TensorScalar>(
        _ values: inout [Scalar], _ x: [Scalar], _ y: [Scalar], _ combine: @Sendable (Scalar, Scalar, Scalar) -> Scalar
    ) {
        let count = values.count
        x.withUnsafeBufferPointer { x in
            y.withUnsafeBufferPointer { y in
                values.withUnsafeMutableBufferPointer { values in
                    let buffers = UpdateBuffers(values: values.baseAddress, x: x.baseAddress, y: y.baseAddress)
                    forEachPiece(count) { range in
                        guard let values = buffers.values, let x = buffers.x, let y = buffers.y else { return }
                        for index in range { values[index] = combine(values[index], x[index], y[index]) }
                    }
                }
            }
        }
    }

    /// `formula` of `g[i]`, `x[i]` and `y[i]` for every element of three
    /// same-sized arrays, into a new one, split over the workers.
    static func gradient<Scalar: TensorScalar>(_ formula: GradientFormula, _ g: [Scalar], _ x: [Scalar], _ y: [Scalar]) -> [Scalar] {
        var result: [Scalar] = uninitializedArray(count: g.count)
        result.withUnsafeMutableBufferPointer { result in
            g.withUnsafeBufferPointer { g in
                x.withUnsafeBufferPointer { x in
                    y.withUnsafeBufferPointer { y in
                        let buffers = CombineBuffers(result: result.baseAddress, g: g.baseAddress, x: x.baseAddress, y: y.baseAddress)
                        forEachPiece(g.count) { range in
                            guard let result = buffers.result, let g = buffers.g, let x = buffers.x, let y = buffers.y else { return }
                            formula.run(result, g, x, y, range)
                        }
                    }
                }
            }
        }
        return result
    }

    /// `function` on `count` Floats, 16 at a time; the last partial group
    /// goes through a zero-padded vector, so no lane reads past the end.
    @inline(__always)
    static func mapFloats(_ function: VectorizedFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
        // One loop per case, so that no loop switches per vector.
        switch function {
        case .exp: mapFloats(x, y, count) { .exp($0) }
        case .tanh: mapFloats(x, y, count) { .tanh($0) }
        case .sigmoid: mapFloats(x, y, count) { .sigmoid($0) }
        case .logSigmoid: mapFloats(x, y, count) { .logSigmoid($0) }
        case .silu: mapFloats(x, y, count) { $0 * .sigmoid($0) }
        case .square: mapFloats(x, y, count) { $0 * $0 }
        case .scale(let factor): mapFloats(x, y, count) { $0 * factor }
        case .shift(let offset): mapFloats(x, y, count) { $0 + offset }
        case .subtractedFrom(let minuend): mapFloats(x, y, count) { minuend - $0 }
        }
    }

    @inline(__always)
    private static func mapFloats(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int, _ function: (SIMD16<Float>) -> SIMD16<Float>
    ) {
        var index = 0
        while index + 16 <= count {
            let value = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(y + index).storeBytes(of: function(value), as: SIMD16<Float>.self)
            index += 16
        }
        guard index < count else { return }
        var rest = SIMD16<Float>()
        for lane in 0..<(count - index) { rest[lane] = x[index + lane] }
        let result = function(rest)
        for lane in 0..<(count - index) { (y + index + lane).initialize(to: result[lane]) }
    }
}

/// The raw buffers of a map, shared with its workers. @unchecked: each worker
/// reads `input` and writes only its own piece of `output`.
private struct ElementBuffers: @unchecked Sendable {
    let input: UnsafePointer<Float>?
    let output: UnsafeMutablePointer<Float>?
}

/// The raw buffers of an update. @unchecked: each worker reads `x` and `y`
/// and writes only its own piece of `values`.
private struct UpdateBuffers<Scalar>: @unchecked Sendable {
    let values: UnsafeMutablePointer<Scalar>?
    let x: UnsafePointer<Scalar>?
    let y: UnsafePointer<Scalar>?
}

/// A partial derivative of a binary operation times the upstream gradient g,
/// at operands x and y.
enum GradientFormula: Sendable {
    /// -g.
    case negated
    /// g y.
    case timesSecond
    /// g x.
    case timesFirst
    /// g / y.
    case overSecond
    /// g (-x / y²).
    case quotientBySecond
    /// g times 1 where x >= y, else times 0.
    case whereFirstIsLarger
    /// g times 0 where x >= y, else times 1.
    case whereSecondIsLarger

    /// Writes the formula to `result[i]` for `i` in `range`, rounded as the
    /// broadcasting backward rounds it (g times the partial derivative), so
    /// equal shapes and broadcast ones give the same gradients. The switch
    /// sits outside the loops, so each loop is straight-line code (a closure
    /// inside a worker would be an indirect call per element).
    @inline(__always)
    func run<Scalar: TensorScalar>(
        _ result: UnsafeMutablePointer<Scalar>, _ g: UnsafePointer<Scalar>, _ x: UnsafePointer<Scalar>,
        _ y: UnsafePointer<Scalar>, _ range: Range<Int>
    ) {
        switch self {
        case .negated: for i in range { result[i] = g[i] * -1 }
        case .timesSecond: for i in range { result[i] = g[i] * y[i] }
        case .timesFirst: for i in range { result[i] = g[i] * x[i] }
        case .overSecond: for i in range { result[i] = g[i] / y[i] }
        case .quotientBySecond: for i in range { result[i] = g[i] * (-x[i] / (y[i] * y[i])) }
        case .whereFirstIsLarger: for i in range { result[i] = g[i] * (x[i] >= y[i] ? 1 : 0) }
        case .whereSecondIsLarger: for i in range { result[i] = g[i] * (x[i] >= y[i] ? 0 : 1) }
        }
    }
}

/// The buffers of a three-operand map. @unchecked: each worker reads `g`,
/// `x` and `y` and writes only its own piece of `result`.
private struct CombineBuffers<Scalar>: @unchecked Sendable {
    let result: UnsafeMutablePointer<Scalar>?
    let g: UnsafePointer<Scalar>?
    let x: UnsafePointer<Scalar>?
    let y: UnsafePointer<Scalar>?
}
