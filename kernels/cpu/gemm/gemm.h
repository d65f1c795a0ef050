#pragma once
// vrev's own single-precision GEMM, deterministic by construction: C (M, N) = init + op(A) op(B),
// where every element of C is ONE fused multiply-add chain over k = 0, 1, ..., K-1 in order,
// started from init (zero, or C's old value when accumulating). Vectors run across columns of C,
// never across k; k is never split between threads; a K block continues the chain from the
// partial result it left in C. So the bits of C depend only on the inputs: not on the vector
// width (AVX-512, AVX2 or scalar std::fma), the tile shape, or the thread count.
//
// Structure (as in BLIS): one K block (KC) at a time, B is packed into panels of NR columns,
// k-major and zero-padded, and so is A when it is transposed (untransposed A is read in place, its
// rows already contiguous in k); blocks of MC x NC outputs are shared among the OpenMP threads;
// within a block, one B panel (L1) meets every A panel of the block (L2) in a register-blocked
// micro-kernel, the only code that knows the instruction set.
#include "kernels/cpu/kernels.h"

namespace vrev::kernels::cpu::gemm {

// The micro-kernel contract. A's MR x K values are a[r * rs_a + k * cs_a]: a packed panel
// (rs_a = 1, cs_a = MR) or rows of A read in place (rs_a = lda, cs_a = 1). b: K x NR, a k-major
// packed B panel. c: an MR x NR tile with row stride ldc; c[r][j] = fma chain over k of
// A[r][k] * b[k][j] starting from c[r][j] (load_c) or from zero.
using MicroKernel = void (*)(int K, const float* a, long rs_a, long cs_a, const float* b, long ldb, float* c,
                             long ldc, bool load_c);

struct Tile {
  int mr, nr;  // register tile: MR rows by NR columns
  MicroKernel kernel;
};

// One per instruction set, each in its own file compiled for that instruction set alone, and only
// on its architecture (x86-64: AVX2, AVX-512; AArch64: NEON).
Tile tile_portable();
Tile tile_avx2();
Tile tile_avx512();
Tile tile_neon();

// The widest instruction set this CPU runs, and its tile (the portable one for automatic, or for an
// instruction set this build lacks; callers check isa_supported first).
Isa widest_supported();
Tile tile_for(Isa isa);

// c[r][j] += bias[j] for the rows x cols block at c (row stride ldc), on this thread.
void add_bias(float* c, long ldc, int rows, int cols, const float* bias);

// C (M, N), row stride ldc, (+)= op(A) (M, K) @ op(B) (K, N). op(A)[i][k] is A[i * lda + k], or
// A[k * lda + i] when trans_a; op(B)[k][j] is B[k * ldb + j], or B[j * ldb + k] when trans_b.
// A non-null bias (N) is then added to every row: C[i][j] = chain + bias[j], one rounding, as a
// separate pass would, but block by block while each is still in cache.
void multiply(const Tile& tile, bool trans_a, bool trans_b, int M, int N, int K, const float* A, long lda,
              const float* B, long ldb, float* C, long ldc, bool accumulate, const float* bias);

}  // namespace vrev::kernels::cpu::gemm
