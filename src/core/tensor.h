#pragma once
// Tensor: a contiguous, row-major array of up to 4 dimensions, either owning its storage or a
// view into someone else's (a parameter in the model's arena, a slice of a batch). Copies are
// shallow, like handles; clone() makes a deep copy. Float32 is the working type; double exists
// for gradient checks.
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace vrev {

struct Shape {
  static constexpr int kMaxRank = 4;
  std::array<int64_t, kMaxRank> dims{};
  int rank = 0;

  Shape() = default;
  Shape(std::initializer_list<int64_t> d) {
    VREV_ASSERT(d.size() <= kMaxRank);
    for (int64_t x : d) dims[rank++] = x;
  }
  static Shape from(const std::vector<int64_t>& d) {
    VREV_CHECK(d.size() <= kMaxRank, "shape of rank ", d.size(), " (at most ", kMaxRank, " supported)");
    Shape s;
    for (int64_t x : d) s.dims[s.rank++] = x;
    return s;
  }
  int64_t operator[](int i) const { return dims[i]; }
  int64_t numel() const {
    int64_t n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  std::vector<int64_t> vec() const { return {dims.begin(), dims.begin() + rank}; }
  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank; ++i)
      if (dims[i] != o.dims[i]) return false;
    return true;
  }
  std::string str() const {
    std::string s = "(";
    for (int i = 0; i < rank; ++i) s += (i ? ", " : "") + std::to_string(dims[i]);
    return s + ")";
  }
};

template <class T>
class TensorT {
 public:
  TensorT() = default;
  static TensorT zeros(Shape shape) {
    TensorT t;
    t.owner_ = std::make_shared<std::vector<T>>(static_cast<size_t>(shape.numel()), T(0));
    t.data_ = t.owner_->data();
    t.shape_ = shape;
    return t;
  }
  static TensorT view(T* data, Shape shape) {
    TensorT t;
    t.data_ = data;
    t.shape_ = shape;
    return t;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  const Shape& shape() const { return shape_; }
  int64_t numel() const { return shape_.numel(); }
  int64_t dim(int i) const { return shape_[i]; }
  bool empty() const { return data_ == nullptr; }
  T& operator[](int64_t i) { return data_[i]; }
  const T& operator[](int64_t i) const { return data_[i]; }

  TensorT clone() const {
    TensorT t = zeros(shape_);
    std::memcpy(t.data_, data_, sizeof(T) * numel());
    return t;
  }
  // A view of the same elements under another shape of equal size.
  TensorT reshaped(Shape shape) const {
    VREV_CHECK(shape.numel() == numel(), "cannot reshape ", shape_.str(), " to ", shape.str());
    TensorT t = *this;
    t.shape_ = shape;
    return t;
  }
  void fill(T value) {
    for (int64_t i = 0; i < numel(); ++i) data_[i] = value;
  }

 private:
  std::shared_ptr<std::vector<T>> owner_;  // null for views
  T* data_ = nullptr;
  Shape shape_;
};

using Tensor = TensorT<float>;

}  // namespace vrev
