#pragma once
// A backend: where training's buffers live and what computes on them. Its kernel set
// (kernels/kernel_set.h), its memory (allocation, copies up from the host and down to it) and the
// buffer operations besides the kernels (kernels/buffer_ops.h), all on pointers into its memory.
//
//   cpu              the CPU kernels on the host's own arrays: a model or optimizer trained here is
//                    its host arrays, and nothing is copied (the default, and what every other
//                    backend is held to, bit for bit)
//   emulated device  the CUDA kernels' grids run as host loops (kernels/cuda/on_host.h) on memory of
//                    its own, with explicit copies: training through the device path without a GPU,
//                    which is how CI checks that path gives the CPU's bits (docs/cuda.md)
//   cuda             the same grids on the GPU, in device memory (kernels/cuda/device.h; a CUDA build)
#include <array>
#include <cstddef>
#include <utility>

#include "kernels/buffer_ops.h"
#include "kernels/kernel_set.h"

namespace vrev::kernels {

// Where training runs, as a setting (kernels.device): every choice gives the same bits.
enum class Device { cpu, cuda };
constexpr std::array<std::pair<Device, const char*>, 2> enum_names(Device) {
  return {{{Device::cpu, "cpu"}, {Device::cuda, "cuda"}}};
}

struct Backend {
  const char* name;
  // The CPU backend: its memory is the host's own, so nothing is placed on it or copied.
  bool is_host;
  KernelSet kernels;
  BufferOps ops;
  void* (*allocate)(size_t bytes);  // nullptr for zero bytes
  void (*release)(void* p);
  void (*copy_up)(void* device, const void* host, size_t bytes);
  void (*copy_down)(void* host, const void* device, size_t bytes);
};

const Backend& cpu_backend();
const Backend& emulated_device();

// The backend that training runs on (the CLI's kernels.device); the CPU's until one is selected.
// Not thread-safe: select before any training starts, as select_kernels.
void select_backend(const Backend& backend);
const Backend& selected_backend();

// n elements of T in a backend's memory, freed with it; contents undefined until written.
template <class T>
class Buffer {
 public:
  Buffer() = default;
  Buffer(const Backend& backend, size_t n)
      : backend_(&backend), size_(n), data_(static_cast<T*>(backend.allocate(n * sizeof(T)))) {}
  Buffer(Buffer&& other) noexcept
      : backend_(other.backend_), size_(std::exchange(other.size_, 0)), data_(std::exchange(other.data_, nullptr)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    std::swap(backend_, other.backend_);
    std::swap(size_, other.size_);
    std::swap(data_, other.data_);
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
    if (data_) backend_->release(data_);
  }

  T* data() const { return data_; }
  size_t size() const { return size_; }
  // All n elements from, or to, host memory.
  void upload(const T* host) { backend_->copy_up(data_, host, size_ * sizeof(T)); }
  void download(T* host) const { backend_->copy_down(host, data_, size_ * sizeof(T)); }

 private:
  const Backend* backend_ = nullptr;
  size_t size_ = 0;
  T* data_ = nullptr;
};

}  // namespace vrev::kernels
