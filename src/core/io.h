#pragma once
// File formats vrev reads and writes: safetensors (checkpoints, gradients), NumPy .npy (arrays),
// and the atomic write every output goes through. Readers validate everything and raise
// vrev::Error with a one-line message that names the file and what was wrong.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/shape.h"

namespace vrev::io {

enum class DType { F32, F64, I32, I64 };
const char* dtype_name(DType d);  // "F32", ... (safetensors spelling)
size_t dtype_size(DType d);

// Write bytes to `path` atomically: a temp file in the same folder, fsync, rename.
void write_file_atomic(const std::string& path, const void* data, size_t bytes);
void write_text_atomic(const std::string& path, const std::string& text);
std::vector<uint8_t> read_file(const std::string& path);  // error names the path if unreadable
std::string read_text(const std::string& path);

// ---- safetensors --------------------------------------------------------------------------
// One array as it sits in (or goes to) a file: raw little-endian bytes plus dtype and shape.
struct Array {
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  int64_t numel() const;
  // Typed access; the error names `what` when the dtype is not the one asked for.
  std::vector<float> to_f32(const std::string& what) const;
  std::vector<int32_t> to_i32(const std::string& what) const;
  static Array from_f32(const float* data, std::vector<int64_t> shape);
  static Array from_i32(const int32_t* data, std::vector<int64_t> shape);
};

struct SafetensorsFile {
  std::map<std::string, std::string> metadata;   // "__metadata__"
  std::vector<std::string> names;                // in the order of their data offsets
  std::map<std::string, Array> tensors;
};

// Tensors are written in the order given, data contiguous, header padded to 8 bytes.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Array>>& tensors,
                       const std::map<std::string, std::string>& metadata);
SafetensorsFile read_safetensors(const std::string& path);
// The same reader on a file's bytes already in memory; `source` stands for the path in errors.
SafetensorsFile parse_safetensors(const uint8_t* data, size_t size, const std::string& source);

// ---- NumPy .npy (format 1.0, C order, little-endian) ------------------------------------------
void write_npy(const std::string& path, const Array& array);
Array read_npy(const std::string& path);
// The same reader on a file's bytes (moved into the result's data); `source` stands for the path in errors.
Array parse_npy(std::vector<uint8_t> bytes, const std::string& source);

// ---- SHA-256 of a file or buffer, as lowercase hex -------------------------------------------
std::string sha256_hex(const void* data, size_t bytes);
std::string sha256_file(const std::string& path);

}  // namespace vrev::io
