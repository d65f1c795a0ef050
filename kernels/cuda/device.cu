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
