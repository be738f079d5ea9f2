import CTargetFeatures

/// Multiply-adds that are one fused instruction per lane where the build
/// has FMA (`XLSTM_FUSED_MULTIPLY_ADD`: FMA3 on x86-64, every AArch64), and
/// a multiply and an add elsewhere.
///
/// Why not `*` and `+` everywhere: Swift never contracts `a * b + c` into an
/// FMA on its own, and the separate multiply and add double the arithmetic
/// instructions of the hot loops (on a Zen 3 core the recurrent micro-kernel
/// could not issue them beside its loads). Why not `addingProduct`
/// everywhere: without FMA (a plain x86-64 build targets SSE2) it becomes a
/// call to `fmaf` per lane. The condition is a compile-time constant, so
/// each build keeps only one branch.
extension SIMD16 where Scalar == Float {
    /// Whether the build has FMA. Read through this property rather than
    /// the macro itself so that the compiler does not warn, in every build,
    /// that the other branch "will never be executed"; the optimizer still
    /// folds it to a constant.
    @usableFromInline @inline(__always)
    static var buildHasFusedMultiplyAdd: Bool { XLSTM_FUSED_MULTIPLY_ADD != 0 }

    /// `a * b + c`.
    @inline(always)
    package static func multiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self {
        buildHasFusedMultiplyAdd ? c.addingProduct(a, b) : a * b + c
    }

    /// `self += a * w`.
    @inline(always)
    package mutating func addProduct(_ a: Float, _ w: Self) {
        if Self.buildHasFusedMultiplyAdd {
            self = addingProduct(a, w)
        } else {
            self += a * w
        }
    }
}
