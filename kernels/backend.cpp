// The CPU backend and the emulated device (kernels/backend.h).
#include "kernels/backend.h"

#include <cstring>
#include <new>

#include "kernels/cuda/on_host.h"

namespace vrev::kernels {

namespace {

void* allocate_host(size_t bytes) { return bytes ? ::operator new(bytes) : nullptr; }
void release_host(void* p) { ::operator delete(p); }
void copy_host(void* dst, const void* src, size_t bytes) {
  if (bytes) std::memcpy(dst, src, bytes);
}

const Backend* selected = &cpu_backend();

}  // namespace

const Backend& cpu_backend() {
  static const Backend b{"cpu",          true,          cpu_kernels(), buffer_ops_of<HostLauncher>(),
                         &allocate_host, &release_host, &copy_host,    &copy_host};
  return b;
}

const Backend& emulated_device() {
  static const Backend b{"emulated device",
                         false,
                         cuda::kernels_on_host(),
                         buffer_ops_of<HostLauncher>(),
                         &allocate_host,
                         &release_host,
                         &copy_host,
                         &copy_host};
  return b;
}

void select_backend(const Backend& backend) { selected = &backend; }
const Backend& selected_backend() { return *selected; }

}  // namespace vrev::kernels
