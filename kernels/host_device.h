#pragma once
// VREV_HD marks a function that nvcc compiles for both the CPU and the GPU (__host__ __device__);
// for a host compiler it is nothing. The arithmetic of every kernel whose bits must be the same on
// both sides (kernels/math.h, kernels/lane_sum.h, kernels/cuda/arithmetic/) is written once with
// it, so the order of every sum is one piece of code, tested on the CPU (docs/cuda.md).
// VREV_HD_LAMBDA does the same for a lambda (an extended lambda, nvcc --extended-lambda): a grid's
// thread body (kernels/cuda/grid.h).
#if defined(__CUDACC__)
#define VREV_HD __host__ __device__
#define VREV_HD_LAMBDA __host__ __device__
#else
#define VREV_HD
#define VREV_HD_LAMBDA
#endif
