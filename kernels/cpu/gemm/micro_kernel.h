#pragma once
// The register-blocked micro-kernel, written once for any vector type. Included only by the
// per-ISA files (tile_*.cpp), each inside an anonymous namespace so that code compiled for one
// instruction set can never be linked in place of another's.
//
// Ops supplies the vector type V with kWidth float lanes and load, store, zero, broadcast and
// fma (a * b + c, one rounding). The tile is MR rows by NV vectors: MR * NV accumulators stay in
// registers for the whole k loop; each k loads NV vectors of B and broadcasts MR values of A,
// A[r][k] = a[r * rs_a + k * cs_a] (a packed panel, or A read in place).

template <class Ops, int MR, int NV>
void micro_kernel(int K, const float* a, long rs_a, long cs_a, const float* b, long ldb, float* c, long ldc,
                  bool load_c) {
  using V = typename Ops::V;
  constexpr int W = Ops::kWidth;
  V acc[MR][NV];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) acc[r][v] = load_c ? Ops::load(c + r * ldc + v * W) : Ops::zero();
  const float* a_row[MR];
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++) a_row[r] = a + r * rs_a;
  for (int k = 0; k < K; k++) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) bv[v] = Ops::load(b + (long)k * ldb + v * W);
#pragma GCC unroll 16
    for (int r = 0; r < MR; r++) {
      const V ar = Ops::broadcast(a_row[r][(long)k * cs_a]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc[r][v] = Ops::fma(ar, bv[v], acc[r][v]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; r++)
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) Ops::store(c + r * ldc + v * W, acc[r][v]);
}
