#pragma once
// A bump allocator for the activations and gradients of one training step, in a backend's memory
// (kernels/backend.h). reset() frees everything at once and keeps the memory, so after the first
// step a training loop allocates nothing: when a step needed more than one block, reset() merges
// them into one block that size. Blocks are not zeroed when allocated (every op writes its output
// before reading it).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/backend.h"

namespace vrev::autograd {

template <class T>
class Arena {
 public:
  explicit Arena(const kernels::Backend& backend) : backend_(&backend) {}
  // n elements, 64-byte aligned, contents undefined.
  T* alloc(size_t n) {
    n = (n + kAlign - 1) / kAlign * kAlign;
    if (blocks_.empty() || used_ + n > blocks_.back().size) {
      size_t size = std::max(n, blocks_.empty() ? kMinBlock : blocks_.back().size * 2);
      blocks_.push_back({kernels::Buffer<T>(*backend_, size + kAlign), size});
      used_ = 0;
      ++allocations_;
    }
    Block& b = blocks_.back();
    T* base = aligned(b.data.data());
    T* p = base + used_;
    used_ += n;
    high_water_ = std::max(high_water_, total_before_last() + used_);
    return p;
  }
  void reset() {
    if (blocks_.size() > 1) {
      blocks_.clear();
      blocks_.push_back({kernels::Buffer<T>(*backend_, high_water_ + kAlign), high_water_});
      ++allocations_;
    }
    used_ = 0;
  }
  // How many times the arena has asked the system for memory (tests check it stops growing).
  size_t allocations() const { return allocations_; }

 private:
  static constexpr size_t kAlign = 64 / sizeof(T) > 0 ? 64 / sizeof(T) : 1;
  static constexpr size_t kMinBlock = size_t(1) << 16;
  struct Block {
    kernels::Buffer<T> data;
    size_t size;
  };
  static T* aligned(T* p) {
    auto a = reinterpret_cast<uintptr_t>(p);
    return reinterpret_cast<T*>((a + 63) & ~uintptr_t(63));
  }
  size_t total_before_last() const {
    size_t n = 0;
    for (size_t i = 0; i + 1 < blocks_.size(); ++i) n += blocks_[i].size;
    return n;
  }
  const kernels::Backend* backend_;
  std::vector<Block> blocks_;
  size_t used_ = 0;
  size_t high_water_ = 0;
  size_t allocations_ = 0;
};

}  // namespace vrev::autograd
