#pragma once
// Shape: the dimensions of a contiguous, row-major array of up to 4 dimensions. The arrays
// themselves live in the autograd tape's arenas and the model's parameter arena.
#include <array>
#include <cstdint>
#include <initializer_list>
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

}  // namespace vrev
