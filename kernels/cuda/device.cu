// The CUDA runtime calls behind kernels/cuda/device.h.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "kernels/cuda/device.h"

namespace vrev::kernels::cuda {

namespace {

void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) throw std::runtime_error(std::string("CUDA: ") + call + ": " + cudaGetErrorString(status));
}

// FP32 cores per SM of compute capability major.minor (CUDA C++ Programming Guide, "Arithmetic
// Instructions"); 0 when unknown.
int fp32_cores_per_sm(int major, int minor) {
  if (major == 6) return minor == 0 ? 64 : 128;
  if (major == 7) return 64;
  if (major == 8) return minor == 0 ? 64 : 128;
  if (major >= 9) return 128;
  return 0;
}

}  // namespace

Devices devices() {
  Devices d;
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    d.error = cudaGetErrorString(status);
    cudaGetLastError();  // asking again later starts from a clean state
    return d;
  }
  for (int i = 0; i < count; i++) {
    cudaDeviceProp p;
    check(cudaGetDeviceProperties(&p, i), "cudaGetDeviceProperties");
    d.names.push_back(std::string(p.name) + " (sm_" + std::to_string(p.major) + std::to_string(p.minor) + ", " +
                      std::to_string(p.totalGlobalMem >> 30) + " GiB)");
  }
  return d;
}

Fp32Peak fp32_peak() {
  int device = 0, clock_khz = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  cudaDeviceProp p;
  check(cudaGetDeviceProperties(&p, device), "cudaGetDeviceProperties");
  check(cudaDeviceGetAttribute(&clock_khz, cudaDevAttrClockRate, device), "cudaDeviceGetAttribute");
  Fp32Peak peak;
  peak.device = p.name;
  peak.sms = p.multiProcessorCount;
  peak.cores_per_sm = fp32_cores_per_sm(p.major, p.minor);
  peak.clock_ghz = clock_khz / 1e6;
  peak.gflops = 2.0 * peak.sms * peak.cores_per_sm * peak.clock_ghz;
  return peak;
}

std::string runtime_version() {
  int v = 0;
  check(cudaRuntimeGetVersion(&v), "cudaRuntimeGetVersion");
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

void* allocate(size_t bytes) {
  if (bytes == 0) return nullptr;
  void* p = nullptr;
  check(cudaMalloc(&p, bytes), "cudaMalloc");
  return p;
}

void release(void* p) noexcept {
  if (p) cudaFree(p);
}

void copy_to_device(void* dst, const void* src, size_t bytes) {
  if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice), "cudaMemcpy to the device");
}

void copy_to_host(void* dst, const void* src, size_t bytes) {
  if (bytes) check(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost), "cudaMemcpy to the host");
}

void* scratch(size_t bytes) {
  static void* p = nullptr;
  static size_t size = 0;
  if (bytes > size) {
    check(cudaDeviceSynchronize(), "a kernel before growing the scratch");  // none may still use it
    release(p);
    p = nullptr;
    p = allocate(bytes);
    size = bytes;
  }
  return p;
}

}  // namespace vrev::kernels::cuda
