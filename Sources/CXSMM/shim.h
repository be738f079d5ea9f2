// Thin shim over Debian's libxsmm-dev (a static library): its kernels are C
// function pointers of variadic type, which Swift cannot call, so these two
// functions hand one over as an opaque pointer and call it with the three
// operands that a kernel without prefetch takes.
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
