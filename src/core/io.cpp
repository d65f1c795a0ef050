// DTypes and Array, the raw-bytes container that the safetensors and .npy readers and writers share.
#include "core/io.h"

#include <bit>
#include <cstring>
#include <limits>

namespace vrev::io {

static_assert(std::endian::native == std::endian::little,
              "vrev stores arrays as little-endian bytes and copies them with memcpy");

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// The bytes must hold exactly numel elements of the dtype; `what` names the array in the error.
void check_byte_count(const Array& a, const std::string& what) {
  const int64_t n = a.numel();
  VREV_CHECK(n >= 0 && a.bytes.size() == static_cast<size_t>(n) * dtype_size(a.dtype), what, ": ", a.bytes.size(),
             " bytes for shape ", shape_text(a.shape), " of ", dtype_name(a.dtype), " (expected ",
             n * static_cast<int64_t>(dtype_size(a.dtype)), ")");
}

template <class T>
Array from_typed(const T* data, std::vector<int64_t> shape, DType dtype) {
  for (int64_t d : shape) VREV_CHECK(d >= 0, "array shape ", shape_text(shape), " has a negative dimension");
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.bytes.resize(static_cast<size_t>(a.numel()) * sizeof(T));
  if (!a.bytes.empty()) std::memcpy(a.bytes.data(), data, a.bytes.size());
  return a;
}

}  // namespace

const char* dtype_name(DType d) {
  switch (d) {
    case DType::F32:
      return "F32";
    case DType::F64:
      return "F64";
    case DType::I32:
      return "I32";
    case DType::I64:
      return "I64";
  }
  VREV_ASSERT(false);
}

size_t dtype_size(DType d) {
  switch (d) {
    case DType::F32:
      return 4;
    case DType::F64:
      return 8;
    case DType::I32:
      return 4;
    case DType::I64:
      return 8;
  }
  VREV_ASSERT(false);
}

int64_t Array::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::vector<float> Array::to_f32(const std::string& what) const {
  VREV_CHECK(dtype == DType::F32, what, ": expected float32, got ", dtype_name(dtype));
  check_byte_count(*this, what);
  std::vector<float> out(static_cast<size_t>(numel()));
  if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

std::vector<int32_t> Array::to_i32(const std::string& what) const {
  VREV_CHECK(dtype == DType::I32 || dtype == DType::I64, what, ": expected int32 (or int64 within int32 range), got ",
             dtype_name(dtype));
  check_byte_count(*this, what);
  std::vector<int32_t> out(static_cast<size_t>(numel()));
  if (dtype == DType::I32) {
    if (!out.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    int64_t v;
    std::memcpy(&v, bytes.data() + i * sizeof(v), sizeof(v));
    VREV_CHECK(v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max(), what,
               ": int64 value ", v, " at index ", i, " does not fit in int32");
    out[i] = static_cast<int32_t>(v);
  }
  return out;
}

Array Array::from_f32(const float* data, std::vector<int64_t> shape) {
  return from_typed(data, std::move(shape), DType::F32);
}

Array Array::from_i32(const int32_t* data, std::vector<int64_t> shape) {
  return from_typed(data, std::move(shape), DType::I32);
}

}  // namespace vrev::io
