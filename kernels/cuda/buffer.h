#pragma once
// An array in device memory that frees itself: filled from a host vector, read back into one.
#include <utility>
#include <vector>

#include "kernels/cuda/device.h"

namespace vrev::kernels::cuda {

template <class T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(const std::vector<T>& host)
      : size_(host.size()), data_(static_cast<T*>(allocate(size_ * sizeof(T)))) {
    copy_to_device(data_, host.data(), size_ * sizeof(T));
  }
  DeviceBuffer(DeviceBuffer&& other) noexcept : size_(other.size_), data_(std::exchange(other.data_, nullptr)) {}
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(DeviceBuffer&&) = delete;
  ~DeviceBuffer() { release(data_); }

  T* data() const { return data_; }
  std::vector<T> download() const {
    std::vector<T> host(size_);
    copy_to_host(host.data(), data_, size_ * sizeof(T));
    return host;
  }

 private:
  size_t size_;
  T* data_;
};

}  // namespace vrev::kernels::cuda
