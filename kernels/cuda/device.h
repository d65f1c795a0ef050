#pragma once
// The CUDA runtime as vrev uses it, behind plain C++ declarations (no CUDA header needed to
// include this): the devices this process sees, device memory, copies, the CUDA kernel set and backend.
// Only in a build with -DVREV_CUDA=ON (docs/cuda.md). Every failure throws std::runtime_error
// naming the call and CUDA's message.
#include <cstddef>
#include <string>
#include <vector>

#include "kernels/backend.h"
#include "kernels/kernel_set.h"

namespace vrev::kernels::cuda {

// The GPUs the driver reports ("NVIDIA H100 80GB HBM3 (sm_90, 79 GiB)"), or none and why.
struct Devices {
  std::vector<std::string> names;
  std::string error;  // empty unless asking failed (no driver, a driver too old for this build, ...)
};
Devices devices();

// The current device's FP32 peak: SMs x FP32 cores per SM (by architecture) x clock x 2, an FMA
// being two FLOPs (docs/cuda.md, Speed). cores_per_sm is 0, and so the peak, for an architecture
// this build does not know.
struct Fp32Peak {
  std::string device;
  int sms = 0, cores_per_sm = 0;
  double clock_ghz = 0, gflops = 0;
};
Fp32Peak fp32_peak();

// The version of the CUDA runtime linked in, as "13.0".
std::string runtime_version();

// Device memory of the current device; nullptr for zero bytes.
void* allocate(size_t bytes);
void release(void* p) noexcept;
// Copies between host and device memory; a copy to the host waits for the kernels before it.
void copy_to_device(void* dst, const void* src, size_t bytes);
void copy_to_host(void* dst, const void* src, size_t bytes);
// At least `bytes` of device memory, kept and reused by the next call (the kernels' scratch).
void* scratch(size_t bytes);

// The CUDA kernels (kernels/cuda/grid.h on the GPU); their pointers are device memory.
KernelSet kernels();
// The CUDA backend: those kernels and the buffer operations on the GPU, in device memory.
const Backend& backend();

}  // namespace vrev::kernels::cuda
