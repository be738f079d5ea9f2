// Thin shim over Debian's libxsmm-dev (a static library): its kernels are C
// function pointers of variadic type, which Swift cannot call, so these
// functions hand one over as an opaque pointer and call it with the three
// operands that a kernel without prefetch takes; and the one instruction
// that its AVX kernels leave out (see xlstm_xsmm_clear_upper_state).
#include <libxsmm.h>

/// The JIT kernel for column-major C (m, n) = A (m, k) B (k, n) + beta C, with
/// alpha 1 and beta 0 or 1; NULL when libxsmm has none for this shape.
static inline const void *xlstm_xsmm_dispatch(int m, int n, int k, int lda, int ldb, int ldc, float beta) {
    const libxsmm_blasint ld[3] = {lda, ldb, ldc};
    const float alpha = 1;
    return (const void *)libxsmm_smmdispatch(m, n, k, &ld[0], &ld[1], &ld[2], &alpha, &beta, NULL, NULL);
}

/// Runs a kernel from xlstm_xsmm_dispatch.
static inline void xlstm_xsmm_run(const void *kernel, const float *a, const float *b, float *c) {
    ((libxsmm_smmfunction)kernel)(a, b, c);
}

/// Whether libxsmm generates kernels with AVX (or later) instructions on this CPU.
static inline int xlstm_xsmm_uses_avx(void) {
    return libxsmm_get_target_archid() >= LIBXSMM_X86_AVX;
}

/// vzeroupper: marks the upper halves of the vector registers clean. Only
/// on a CPU with AVX (xlstm_xsmm_uses_avx), hence the target attribute.
///
/// libxsmm 1.17's AVX kernels return with those halves dirty, and SSE
/// instructions after that (all the vector code of a plain x86-64 build)
/// run slowly: in a C probe on a Zen 3, a kernel followed by a short SSE
/// loop took 238 ns, 104 ns with this in between, and the loop alone 64 ns.
__attribute__((target("avx"))) static inline void xlstm_xsmm_clear_upper_state(void) {
    __builtin_ia32_vzeroupper();
}
