// What the build targets, as the C compiler sees it: Swift has no
// conditional compilation on CPU features, but the clang importer compiles
// this header with the same -target-cpu, so its macros tell Swift code which
// vector registers the build may use. No code, only constants.
//
// XLSTM_VECTOR_REGISTER_BYTES: the size of the vector register file the
// build can use (registers x width): 32 x 64 bytes with AVX-512, 16 x 32 with
// AVX or AVX2, 16 x 16 with only SSE2 (a plain x86-64 build), 32 x 16 with NEON.
#if defined(__AVX512F__)
#define XLSTM_VECTOR_REGISTER_BYTES 2048
#elif defined(__AVX__)
#define XLSTM_VECTOR_REGISTER_BYTES 512
#elif defined(__aarch64__)
#define XLSTM_VECTOR_REGISTER_BYTES 512
#else
#define XLSTM_VECTOR_REGISTER_BYTES 256
#endif

// XLSTM_FUSED_MULTIPLY_ADD: 1 when the build may use fused multiply-add
// instructions (FMA3 on x86-64 since Haswell and Zen; every AArch64), else 0.
#if defined(__FMA__) || defined(__aarch64__)
#define XLSTM_FUSED_MULTIPLY_ADD 1
#else
#define XLSTM_FUSED_MULTIPLY_ADD 0
#endif
