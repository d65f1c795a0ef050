// NumPy .npy files: written as format 1.0 byte for byte as np.save does (C order, little-endian);
// read from 1.0, 2.0 or 3.0 headers, for the four dtypes vrev uses.
#include <algorithm>
#include <cstring>
#include <limits>

#include "core/io.h"

namespace vrev::io {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
constexpr size_t kAlign = 64;                // numpy's ARRAY_ALIGN
constexpr size_t kGrowthAxisMaxDigits = 21;  // numpy's spare room to grow the first axis in place

const char* npy_descr(DType d) {
  switch (d) {
    case DType::F32:
      return "<f4";
    case DType::F64:
      return "<f8";
    case DType::I32:
      return "<i4";
    case DType::I64:
      return "<i8";
  }
  VREV_ASSERT(false);
}

// Python's repr of the shape tuple: "()", "(5,)", "(2, 3)".
std::string shape_repr(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// The header text as it sits in the file, without control characters, for error messages.
std::string printable(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) s.pop_back();
  const bool cut = s.size() > 200;
  s.resize(std::min<size_t>(s.size(), 200));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return cut ? s + "..." : s;
}

// One value of the header dict: the subset of Python literals a .npy header uses.
struct PyValue {
  enum Kind { kStr, kBool, kTuple, kOther } kind = kOther;
  std::string text;           // kStr: the string; kOther: the literal as written
  bool flag = false;          // kBool
  std::vector<int64_t> ints;  // kTuple
};

// Parses "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" into key -> value.
class HeaderParser {
 public:
  HeaderParser(const std::string& path, const std::string& s) : path_(path), s_(s) {}

  std::map<std::string, PyValue> parse_dict() {
    std::map<std::string, PyValue> dict;
    skip_ws();
    expect('{');
    for (;;) {
      skip_ws();
      if (peek() == '}') break;
      const std::string key = parse_string();
      skip_ws();
      expect(':');
      skip_ws();
      if (!dict.emplace(key, parse_value()).second) fail("duplicate key '" + key + "'");
      skip_ws();
      if (peek() == ',') {
        ++i_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}'");
    }
    ++i_;
    skip_ws();
    if (i_ != s_.size()) fail("text after the closing '}'");
    return dict;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    VREV_FAIL(path_, ": unparsable .npy header (", why, " at offset ", i_, "): ", printable(s_));
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  void expect(char c) {
    if (peek() != c) fail(std::string("expected '") + c + "'");
    ++i_;
  }
  bool take_word(const char* w) {
    const size_t n = std::strlen(w);
    if (s_.compare(i_, n, w) != 0) return false;
    i_ += n;
    return true;
  }
  std::string parse_string() {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected a quoted string");
    ++i_;
    std::string out;
    while (i_ < s_.size() && s_[i_] != quote) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
      out += s_[i_++];
    }
    expect(quote);
    return out;
  }
  int64_t parse_int() {
    const bool negative = peek() == '-';
    if (negative) ++i_;
    if (peek() < '0' || peek() > '9') fail("expected an integer");
    int64_t v = 0;
    while (peek() >= '0' && peek() <= '9') {
      const int digit = s_[i_++] - '0';
      if (v > (std::numeric_limits<int64_t>::max() - digit) / 10) fail("integer too large");
      v = v * 10 + digit;
    }
    if (peek() == 'L') ++i_;  // Python 2 long suffix, as old numpy wrote shapes
    return negative ? -v : v;
  }
  PyValue parse_value() {
    PyValue v;
    const char c = peek();
    if (c == '\'' || c == '"') {
      v.kind = PyValue::kStr;
      v.text = parse_string();
    } else if (take_word("True")) {
      v.kind = PyValue::kBool;
      v.flag = true;
    } else if (take_word("False")) {
      v.kind = PyValue::kBool;
      v.flag = false;
    } else if (c == '(') {
      v.kind = PyValue::kTuple;
      ++i_;
      skip_ws();
      bool trailing_comma = false;
      while (peek() != ')') {
        v.ints.push_back(parse_int());
        skip_ws();
        trailing_comma = peek() == ',';
        if (trailing_comma) {
          ++i_;
          skip_ws();
        } else if (peek() != ')') {
          fail("expected ',' or ')' in a tuple");
        }
      }
      ++i_;
      if (v.ints.size() == 1 && !trailing_comma) fail("(n) is not a tuple, (n,) is");
    } else if (c == '[' || c == '{') {  // a structured dtype or the like: keep the text to name it
      const size_t start = i_;
      int depth = 0;
      do {
        const char d = peek();
        if (d == '\0') fail("unbalanced brackets");
        if (d == '\'' || d == '"') {
          parse_string();
          continue;
        }
        if (d == '[' || d == '(' || d == '{') ++depth;
        if (d == ']' || d == ')' || d == '}') --depth;
        ++i_;
      } while (depth > 0);
      v.kind = PyValue::kOther;
      v.text = s_.substr(start, i_ - start);
    } else {
      fail("unexpected value");
    }
    return v;
  }

  const std::string& path_;
  const std::string& s_;
  size_t i_ = 0;
};

bool parse_descr(const std::string& d, DType* out) {
  // '<' is little-endian; '=' (native) and '|' (not applicable) mean the same on this host.
  if (d.size() != 3 || (d[0] != '<' && d[0] != '=' && d[0] != '|')) return false;
  const std::string t = d.substr(1);
  if (t == "f4")
    *out = DType::F32;
  else if (t == "f8")
    *out = DType::F64;
  else if (t == "i4")
    *out = DType::I32;
  else if (t == "i8")
    *out = DType::I64;
  else
    return false;
  return true;
}

}  // namespace

void write_npy(const std::string& path, const Array& array) {
  for (int64_t d : array.shape)
    VREV_CHECK(d >= 0, path, ": shape ", shape_repr(array.shape), " has a negative dimension");
  const uint64_t need = static_cast<uint64_t>(array.numel()) * dtype_size(array.dtype);
  VREV_CHECK(array.bytes.size() == need, path, ": shape ", shape_repr(array.shape), " of ", dtype_name(array.dtype),
             " needs ", need, " bytes but the array holds ", array.bytes.size());

  // As numpy.lib.format._write_array_header: dict repr, spare room for the first axis to grow,
  // then spaces and '\n' so that the data starts on a multiple of 64 bytes.
  std::string header = std::string("{'descr': '") + npy_descr(array.dtype) +
                       "', 'fortran_order': False, 'shape': " + shape_repr(array.shape) + ", }";
  if (!array.shape.empty()) {
    const size_t digits = std::to_string(array.shape[0]).size();
    if (digits < kGrowthAxisMaxDigits) header.append(kGrowthAxisMaxDigits - digits, ' ');
  }
  int major = 1;
  size_t prefix = kMagicLen + 2 + 2;
  size_t hlen = header.size() + 1;
  size_t padded = hlen + (kAlign - (prefix + hlen) % kAlign);
  if (padded > 0xffff) {  // numpy falls back to format 2.0, with a 4-byte header length
    major = 2;
    prefix = kMagicLen + 2 + 4;
    padded = hlen + (kAlign - (prefix + hlen) % kAlign);
  }
  header.append(padded - hlen, ' ');
  header += '\n';

  std::vector<uint8_t> out(kMagic, kMagic + kMagicLen);
  out.push_back(static_cast<uint8_t>(major));
  out.push_back(0);
  for (size_t i = 0; i < prefix - kMagicLen - 2; ++i) out.push_back(static_cast<uint8_t>(padded >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), array.bytes.begin(), array.bytes.end());
  write_file_atomic(path, out.data(), out.size());
}

Array read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

Array parse_npy(std::vector<uint8_t> file, const std::string& path) {
  VREV_CHECK(file.size() >= kMagicLen && std::memcmp(file.data(), kMagic, kMagicLen) == 0, path,
             ": not a .npy file (bad magic)");
  VREV_CHECK(file.size() >= kMagicLen + 2, path, ": truncated .npy file (", file.size(), " bytes)");
  const int major = file[6], minor = file[7];
  VREV_CHECK(major >= 1 && major <= 3 && minor == 0, path, ": unsupported .npy version ", major, ".", minor,
             " (vrev reads 1.0, 2.0, 3.0)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t header_start = kMagicLen + 2 + len_bytes;
  VREV_CHECK(file.size() >= header_start, path, ": truncated .npy file (", file.size(), " bytes)");
  uint64_t header_len = 0;
  for (size_t i = 0; i < len_bytes; ++i) header_len |= static_cast<uint64_t>(file[kMagicLen + 2 + i]) << (8 * i);
  VREV_CHECK(header_len <= file.size() - header_start, path, ": truncated .npy file (header of ", header_len,
             " bytes, file of ", file.size(), ")");

  const std::string text(file.begin() + header_start, file.begin() + header_start + header_len);
  const std::map<std::string, PyValue> dict = HeaderParser(path, text).parse_dict();
  for (const char* key : {"descr", "fortran_order", "shape"})
    VREV_CHECK(dict.count(key), path, ": .npy header has no '", key, "': ", printable(text));
  VREV_CHECK(dict.size() == 3, path,
             ": .npy header has keys other than descr, fortran_order, shape: ", printable(text));

  Array a;
  const PyValue& descr = dict.at("descr");
  VREV_CHECK(descr.kind == PyValue::kStr && parse_descr(descr.text, &a.dtype), path, ": unsupported descr ",
             descr.kind == PyValue::kStr ? "'" + descr.text + "'" : descr.text,
             " (vrev reads '<f4', '<f8', '<i4', '<i8')");
  const PyValue& fortran = dict.at("fortran_order");
  VREV_CHECK(fortran.kind == PyValue::kBool, path, ": fortran_order is not True or False");
  VREV_CHECK(!fortran.flag, path, ": fortran_order True is not supported (save a C-order array)");
  const PyValue& shape = dict.at("shape");
  VREV_CHECK(shape.kind == PyValue::kTuple, path, ": shape is not a tuple: ", printable(text));
  int64_t numel = 1;
  for (int64_t d : shape.ints) {
    VREV_CHECK(d >= 0, path, ": shape ", shape_repr(shape.ints), " has a negative dimension");
    VREV_CHECK(d == 0 || numel <= std::numeric_limits<int64_t>::max() / 8 / d, path, ": shape ", shape_repr(shape.ints),
               " is too large");
    numel *= d;
  }
  a.shape = shape.ints;

  const uint64_t data_start = header_start + header_len;
  const uint64_t have = file.size() - data_start;
  const uint64_t need = static_cast<uint64_t>(numel) * dtype_size(a.dtype);
  VREV_CHECK(have >= need, path, ": truncated .npy data: shape ", shape_repr(a.shape), " of '", descr.text, "' needs ",
             need, " bytes, file has ", have);
  VREV_CHECK(have == need, path, ": ", have - need, " trailing bytes after the data of shape ", shape_repr(a.shape),
             " of '", descr.text, "' (", need, " bytes)");
  file.erase(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(data_start));  // in place, no second copy
  a.bytes = std::move(file);
  return a;
}

}  // namespace vrev::io
