#pragma once
// The CUDA kernels' grids (kernels/cuda/grid.h) run on the CPU, each grid a loop over its threads'
// indices in order, a product's tiles block after block: every GPU thread's arithmetic, compiled as
// host code, in every build. CI holds this set to the CPU kernels bit for bit
// (tests/test_cuda_arithmetic.cpp), and trains through the device path with it (the emulated
// device, kernels/backend.h). It is a test of the device code's
// order, not a fast path: one scalar thread at a time.
#include "kernels/kernel_set.h"

namespace vrev::kernels::cuda {

KernelSet kernels_on_host();

}  // namespace vrev::kernels::cuda
