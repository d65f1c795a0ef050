// safetensors: an 8-byte little-endian header length, a JSON header giving each tensor's dtype,
// shape and byte range, then the raw little-endian data. The reader trusts nothing in the file.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/io.h"
#include "core/json_depth.h"

namespace vrev::io {

namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// A name as a quoted, escaped JSON string, so odd characters cannot break the one-line message.
std::string quoted(const std::string& name) { return json(name).dump(-1, ' ', false, json::error_handler_t::replace); }

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// Where the reader's bytes come from: a file or a buffer in memory.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  virtual void read_at(uint64_t offset, void* dst, size_t bytes) const = 0;
};

// Reads byte ranges of one file without loading it whole; errors name the path.
class InFile final : public ByteSource {
 public:
  explicit InFile(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) VREV_FAIL("cannot read ", path, ": ", std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || S_ISDIR(st.st_mode)) {
      const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
      ::close(fd_);
      VREV_FAIL("cannot read ", path, ": ", std::strerror(err));
    }
    size_ = st.st_size > 0 ? static_cast<uint64_t>(st.st_size) : 0;
  }
  ~InFile() override { ::close(fd_); }
  InFile(const InFile&) = delete;
  InFile& operator=(const InFile&) = delete;

  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, void* dst, size_t bytes) const override {
    auto* out = static_cast<uint8_t*>(dst);
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, out, bytes, static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) VREV_FAIL("cannot read ", path_, ": ", std::strerror(errno));
      if (n == 0) VREV_FAIL("cannot read ", path_, ": file ended early (changed while reading?)");
      out += n;
      offset += static_cast<uint64_t>(n);
      bytes -= static_cast<size_t>(n);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

// Bytes in memory; the reader checks every range against size() first.
class InMemory final : public ByteSource {
 public:
  InMemory(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint64_t size() const override { return size_; }
  void read_at(uint64_t offset, void* dst, size_t bytes) const override {
    VREV_ASSERT(offset <= size_ && bytes <= size_ - offset);
    if (bytes > 0) std::memcpy(dst, data_ + offset, bytes);
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
};

bool parse_dtype(const std::string& s, DType* d) {
  for (DType c : {DType::F32, DType::F64, DType::I32, DType::I64})
    if (s == dtype_name(c)) {
      *d = c;
      return true;
    }
  return false;
}

// A JSON integer in [0, INT64_MAX], or nothing.
bool as_nonneg_int64(const json& v, int64_t* out) {
  if (v.is_number_unsigned()) {
    const uint64_t u = v.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
    *out = static_cast<int64_t>(u);
    return true;
  }
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return *out >= 0;
  }
  return false;
}

struct Entry {
  std::string name;
  uint64_t begin = 0, end = 0;
  Array array;  // bytes filled last
};

Entry parse_entry(const std::string& path, const std::string& name, const json& value, uint64_t data_size) {
  const std::string where = path + ": tensor " + quoted(name);
  VREV_CHECK(value.is_object(), where, ": entry is not a JSON object");
  for (const char* key : {"dtype", "shape", "data_offsets"})
    VREV_CHECK(value.contains(key), where, " is missing \"", key, "\"");
  Entry e;
  e.name = name;

  const json& dtype = value["dtype"];
  VREV_CHECK(dtype.is_string(), where, ": \"dtype\" is not a string");
  VREV_CHECK(parse_dtype(dtype.get<std::string>(), &e.array.dtype), where, " has unsupported dtype ",
             quoted(dtype.get<std::string>()), " (vrev reads F32, F64, I32, I64)");

  const json& shape = value["shape"];
  VREV_CHECK(shape.is_array(), where, ": \"shape\" is not an array");
  int64_t numel = 1;
  for (const json& d : shape) {
    VREV_CHECK(d.is_number_integer(), where, ": \"shape\" ", one_line(shape.dump()), " holds a non-integer");
    int64_t n = 0;
    VREV_CHECK(as_nonneg_int64(d, &n), where, " has a negative (or too large) dimension in shape ",
               one_line(shape.dump()));
    VREV_CHECK(n == 0 || numel <= std::numeric_limits<int64_t>::max() / 8 / n, where, ": shape ",
               one_line(shape.dump()), " is too large");
    numel *= n;
    e.array.shape.push_back(n);
  }

  const json& offsets = value["data_offsets"];
  int64_t begin = 0, end = 0;
  VREV_CHECK(offsets.is_array() && offsets.size() == 2 && as_nonneg_int64(offsets[0], &begin) &&
                 as_nonneg_int64(offsets[1], &end),
             where, ": \"data_offsets\" ", one_line(offsets.dump()), " is not two non-negative integers");
  VREV_CHECK(begin <= end, where, ": data_offsets [", begin, ", ", end, "] are not begin <= end");
  VREV_CHECK(static_cast<uint64_t>(end) <= data_size, where, ": data_offsets [", begin, ", ", end,
             "] lie outside the data region (", data_size, " bytes)");
  e.begin = static_cast<uint64_t>(begin);
  e.end = static_cast<uint64_t>(end);

  const int64_t need = numel * static_cast<int64_t>(dtype_size(e.array.dtype));
  VREV_CHECK(need == end - begin, where, " with shape ", shape_text(e.array.shape), " and dtype ",
             dtype_name(e.array.dtype), " needs ", need, " bytes but data_offsets [", begin, ", ", end, "] hold ",
             end - begin, " bytes");
  return e;
}

}  // namespace

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Array>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  ordered_json header = ordered_json::object();
  if (!metadata.empty()) {
    ordered_json meta = ordered_json::object();
    for (const auto& [k, v] : metadata) meta[k] = v;
    header["__metadata__"] = std::move(meta);
  }
  uint64_t offset = 0;
  for (const auto& [name, a] : tensors) {
    VREV_CHECK(name != "__metadata__", path, ": a tensor cannot be named __metadata__");
    VREV_CHECK(!header.contains(name), path, ": duplicate tensor name ", quoted(name));
    for (int64_t d : a.shape)
      VREV_CHECK(d >= 0, path, ": tensor ", quoted(name), " has negative dimension in shape ", shape_text(a.shape));
    const uint64_t need = static_cast<uint64_t>(a.numel()) * dtype_size(a.dtype);
    VREV_CHECK(a.bytes.size() == need, path, ": tensor ", quoted(name), " with shape ", shape_text(a.shape),
               " and dtype ", dtype_name(a.dtype), " needs ", need, " bytes but holds ", a.bytes.size());
    ordered_json entry = ordered_json::object();
    entry["dtype"] = dtype_name(a.dtype);
    entry["shape"] = a.shape;
    entry["data_offsets"] = ordered_json::array({offset, offset + need});
    header[name] = std::move(entry);
    offset += need;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const ordered_json::exception& e) {  // names or metadata that are not valid UTF-8
    VREV_FAIL(path, ": cannot encode the safetensors header: ", one_line(e.what()));
  }
  text.append((8 - text.size() % 8) % 8, ' ');

  std::vector<uint8_t> out;
  out.reserve(8 + text.size() + offset);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(static_cast<uint64_t>(text.size()) >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  for (const auto& [name, a] : tensors) out.insert(out.end(), a.bytes.begin(), a.bytes.end());
  write_file_atomic(path, out.data(), out.size());
}

namespace {

// The reader proper; `path` names the source in errors.
SafetensorsFile read_from(const ByteSource& file, const std::string& path) {
  const uint64_t file_size = file.size();
  VREV_CHECK(file_size >= 8, path, ": truncated safetensors file (", file_size, " bytes)");
  uint8_t len[8];
  file.read_at(0, len, 8);
  uint64_t header_size = 0;
  for (int i = 0; i < 8; ++i) header_size |= static_cast<uint64_t>(len[i]) << (8 * i);
  VREV_CHECK(header_size <= file_size - 8, path, ": header size ", header_size, " is larger than the file (", file_size,
             " bytes)");

  std::string text(header_size, '\0');
  file.read_at(8, text.data(), text.size());
  json header;
  try {
    header = json::parse(text, json_depth_limit<json>(path));
  } catch (const json::exception& e) {
    VREV_FAIL(path, ": header is not valid JSON (", one_line(e.what()), ")");
  }
  VREV_CHECK(header.is_object(), path, ": header is not a JSON object");

  const uint64_t data_start = 8 + header_size;
  const uint64_t data_size = file_size - data_start;
  SafetensorsFile out;
  std::vector<Entry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      VREV_CHECK(value.is_object(), path, ": __metadata__ is not a JSON object");
      for (const auto& [k, v] : value.items()) {
        VREV_CHECK(v.is_string(), path, ": __metadata__ value for ", quoted(k), " is not a string");
        out.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    entries.push_back(parse_entry(path, name, value, data_size));
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  for (size_t i = 1; i < entries.size(); ++i)
    VREV_CHECK(entries[i].begin >= entries[i - 1].end, path, ": tensors ", quoted(entries[i - 1].name), " and ",
               quoted(entries[i].name), " overlap in the data region");

  for (Entry& e : entries) {
    e.array.bytes.resize(e.end - e.begin);
    file.read_at(data_start + e.begin, e.array.bytes.data(), e.array.bytes.size());
    out.names.push_back(e.name);
    out.tensors.emplace(e.name, std::move(e.array));
  }
  return out;
}

}  // namespace

SafetensorsFile read_safetensors(const std::string& path) { return read_from(InFile(path), path); }

SafetensorsFile parse_safetensors(const uint8_t* data, size_t size, const std::string& source) {
  return read_from(InMemory(data, size), source);
}

}  // namespace vrev::io
