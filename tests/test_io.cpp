// Tests for core/io: safetensors and .npy round trips, byte layout and validation errors, atomic
// writes, and SHA-256 against the FIPS 180-4 vectors.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/io.h"

namespace fs = std::filesystem;
using Catch::Contains;
using vrev::io::Array;
using vrev::io::DType;

namespace {

// A fresh folder per test case, removed afterwards.
struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir = fs::temp_directory_path() / ("vrev_test_io_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::vector<std::string> listing() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
};

void write_raw(const std::string& path, const std::string& bytes) {
  vrev::io::write_file_atomic(path, bytes.data(), bytes.size());
}

template <class T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string le(uint64_t v, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

// A safetensors file by hand: the header text exactly as given, then the data region.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  return le(header.size(), 8) + header + data;
}

// An .npy file by hand: magic, version, header length (2 bytes for 1.0, else 4), header, data.
std::string npy_bytes(int major, const std::string& header, const std::string& data) {
  return std::string("\x93NUMPY", 6) + static_cast<char>(major) + '\0' + le(header.size(), major == 1 ? 2 : 4) +
         header + data;
}

Array from_f64(const std::vector<double>& v, std::vector<int64_t> shape) {
  Array a;
  a.dtype = DType::F64;
  a.shape = std::move(shape);
  a.bytes.resize(v.size() * 8);
  if (!v.empty()) std::memcpy(a.bytes.data(), v.data(), a.bytes.size());
  return a;
}

Array from_i64(const std::vector<int64_t>& v, std::vector<int64_t> shape) {
  Array a;
  a.dtype = DType::I64;
  a.shape = std::move(shape);
  a.bytes.resize(v.size() * 8);
  if (!v.empty()) std::memcpy(a.bytes.data(), v.data(), a.bytes.size());
  return a;
}

std::vector<float> iota_f32(size_t n, float start = 0.5f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + static_cast<float>(i) * 0.25f;
  return v;
}

void require_same(const Array& a, const Array& b) {
  REQUIRE(a.dtype == b.dtype);
  REQUIRE(a.shape == b.shape);
  REQUIRE(a.bytes == b.bytes);
}

}  // namespace

// ---- SHA-256 ---------------------------------------------------------------------------------

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[io]") {
  using vrev::io::sha256_hex;
  REQUIRE(sha256_hex("", 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(sha256_hex(nullptr, 0) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  REQUIRE(sha256_hex("abc", 3) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  REQUIRE(sha256_hex(m448.data(), m448.size()) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string m896 =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrst"
      "u";
  REQUIRE(sha256_hex(m896.data(), m896.size()) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  const std::string million(1000000, 'a');
  REQUIRE(sha256_hex(million.data(), million.size()) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 handles every padding boundary", "[io]") {
  // Lengths around the 56- and 64-byte block edges (values from Python's hashlib).
  const std::vector<std::pair<size_t, std::string>> cases = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"},
  };
  for (const auto& [n, hex] : cases) {
    const std::string s(n, 'a');
    INFO("length " << n);
    REQUIRE(vrev::io::sha256_hex(s.data(), s.size()) == hex);
  }
}

TEST_CASE("sha256_file streams a file and names a path it cannot read", "[io]") {
  TempDir tmp;
  const std::string million(1000000, 'a');
  write_raw(tmp.path("a.bin"), million);
  REQUIRE(vrev::io::sha256_file(tmp.path("a.bin")) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // 3 MiB + 5 bytes crosses the reader's 1 MiB chunks.
  std::string big(3 * 1048576 + 5, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + (i >> 11));
  write_raw(tmp.path("big.bin"), big);
  REQUIRE(vrev::io::sha256_file(tmp.path("big.bin")) == vrev::io::sha256_hex(big.data(), big.size()));
  write_raw(tmp.path("empty.bin"), "");
  REQUIRE(vrev::io::sha256_file(tmp.path("empty.bin")) ==
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  const std::string missing = tmp.path("missing.bin");
  REQUIRE_THROWS_WITH(vrev::io::sha256_file(missing), Contains("cannot read " + missing) && Contains("No such file"));
  REQUIRE_THROWS_AS(vrev::io::sha256_file(tmp.dir.string()), vrev::Error);
}

// ---- files -------------------------------------------------------------------------------------

TEST_CASE("write_file_atomic writes, replaces an existing file, and leaves no temp file", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("out.txt");
  vrev::io::write_text_atomic(path, "first version, longer than the second");
  REQUIRE(vrev::io::read_text(path) == "first version, longer than the second");
  vrev::io::write_text_atomic(path, "second");
  REQUIRE(vrev::io::read_text(path) == "second");
  REQUIRE(tmp.listing() == std::vector<std::string>{"out.txt"});

  vrev::io::write_file_atomic(path, nullptr, 0);
  REQUIRE(vrev::io::read_file(path).empty());

  const std::vector<uint8_t> bytes = {0, 1, 2, 255, 0, 10, 13};
  vrev::io::write_file_atomic(path, bytes.data(), bytes.size());
  REQUIRE(vrev::io::read_file(path) == bytes);
  REQUIRE(tmp.listing() == std::vector<std::string>{"out.txt"});
}

TEST_CASE("write_file_atomic failures name the path and remove the temp file", "[io]") {
  TempDir tmp;
  const std::string no_dir = tmp.path("no_such_dir/out.bin");
  REQUIRE_THROWS_WITH(vrev::io::write_text_atomic(no_dir, "x"),
                      Contains("cannot write " + no_dir) && Contains("No such file or directory"));

  // Renaming over a folder fails after the temp file was written: it must not stay behind.
  fs::create_directories(tmp.dir / "taken");
  const std::string taken = tmp.path("taken");
  REQUIRE_THROWS_WITH(vrev::io::write_text_atomic(taken, "x"), Contains("cannot write " + taken));
  REQUIRE(tmp.listing() == std::vector<std::string>{"taken"});
  REQUIRE(fs::is_directory(tmp.dir / "taken"));
}

TEST_CASE("read_file names the path it cannot read", "[io]") {
  TempDir tmp;
  const std::string missing = tmp.path("missing.txt");
  REQUIRE_THROWS_WITH(vrev::io::read_file(missing), Contains("cannot read " + missing + ": No such file or directory"));
  REQUIRE_THROWS_WITH(vrev::io::read_text(missing), Contains("cannot read " + missing));
  REQUIRE_THROWS_WITH(vrev::io::read_file(tmp.dir.string()),
                      Contains("cannot read " + tmp.dir.string() + ": Is a directory"));
}

// ---- Array -------------------------------------------------------------------------------------

TEST_CASE("Array helpers convert and check dtypes", "[io]") {
  const std::vector<float> f = iota_f32(6);
  const Array a = Array::from_f32(f.data(), {2, 3});
  REQUIRE(a.dtype == DType::F32);
  REQUIRE(a.numel() == 6);
  REQUIRE(a.bytes.size() == 24);
  REQUIRE(a.to_f32("a") == f);
  REQUIRE_THROWS_WITH(a.to_i32("weights"), Contains("weights") && Contains("F32"));

  const std::vector<int32_t> i = {-3, 0, 7, 2147483647};
  const Array b = Array::from_i32(i.data(), {4});
  REQUIRE(b.dtype == DType::I32);
  REQUIRE(b.to_i32("b") == i);
  REQUIRE_THROWS_WITH(b.to_f32("tokens"), Contains("tokens: expected float32, got I32"));
  REQUIRE_THROWS_WITH(from_f64({1.0}, {1}).to_f32("x.npy"), Contains("x.npy: expected float32, got F64"));

  REQUIRE(Array{}.numel() == 1);  // 0-d
  REQUIRE(Array::from_f32(nullptr, {0, 5}).numel() == 0);
  REQUIRE(Array::from_f32(nullptr, {0, 5}).to_f32("empty").empty());

  REQUIRE(from_i64({1, -2, 2147483647, -2147483648LL}, {2, 2}).to_i32("ids") ==
          std::vector<int32_t>{1, -2, 2147483647, -2147483647 - 1});
  REQUIRE_THROWS_WITH(from_i64({1, 2147483648LL}, {2}).to_i32("ids"),
                      Contains("ids") && Contains("2147483648") && Contains("int32"));

  Array broken = Array::from_f32(f.data(), {2, 3});
  broken.bytes.pop_back();
  REQUIRE_THROWS_WITH(broken.to_f32("broken"), Contains("broken") && Contains("23 bytes"));
  REQUIRE_THROWS_AS(Array::from_f32(f.data(), {-1, 3}), vrev::Error);
}

// ---- safetensors -------------------------------------------------------------------------------

TEST_CASE("safetensors round trip with metadata and mixed dtypes", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("model.safetensors");
  const std::vector<float> w = iota_f32(6);
  const std::vector<int32_t> ids = {5, -1, 0, 42};
  const std::vector<std::pair<std::string, Array>> tensors = {
      {"wte.weight", Array::from_f32(w.data(), {2, 3})},
      {"tokens", Array::from_i32(ids.data(), {4})},
      {"double", from_f64({1.5, -2.25, 1e300, 0.0}, {2, 1, 2, 1})},
      {"step", from_i64({1234567890123LL}, {})},
      {"empty", Array::from_f32(nullptr, {0, 3})},
      {"a.last", Array::from_f32(w.data(), {6})},
  };
  const std::map<std::string, std::string> meta = {
      {"config", "{\"n_layer\": 2}"}, {"phase", "pretrain"}, {"parent_sha256", ""}, {"odd", "line\nbreak \"q\""}};
  vrev::io::write_safetensors(path, tensors, meta);
  REQUIRE(tmp.listing() == std::vector<std::string>{"model.safetensors"});

  const vrev::io::SafetensorsFile f = vrev::io::read_safetensors(path);
  REQUIRE(f.metadata == meta);
  // Names come back in data order (which here is the order written), not sorted.
  REQUIRE(f.names == std::vector<std::string>{"wte.weight", "tokens", "double", "step", "empty", "a.last"});
  REQUIRE(f.tensors.size() == tensors.size());
  for (const auto& [name, a] : tensors) {
    INFO(name);
    require_same(f.tensors.at(name), a);
  }
  REQUIRE(f.tensors.at("wte.weight").to_f32("wte") == w);
  REQUIRE(f.tensors.at("tokens").to_i32("tokens") == ids);

  // Without metadata there is no __metadata__ entry.
  vrev::io::write_safetensors(path, {tensors[0]}, {});
  const auto plain = vrev::io::read_safetensors(path);
  REQUIRE(plain.metadata.empty());
  REQUIRE(plain.names == std::vector<std::string>{"wte.weight"});
  REQUIRE(!vrev::io::read_text(path).empty());
}

TEST_CASE("safetensors layout: u64 header size, header padded to 8 with spaces, data contiguous", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("layout.safetensors");
  const std::vector<float> w = iota_f32(3);
  const std::vector<int32_t> ids = {7, 8};
  vrev::io::write_safetensors(path, {{"b", Array::from_f32(w.data(), {3})}, {"a", Array::from_i32(ids.data(), {2})}},
                              {{"k", "v"}});
  const std::vector<uint8_t> bytes = vrev::io::read_file(path);
  REQUIRE(bytes.size() >= 8);
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(bytes[i]) << (8 * i);
  REQUIRE(n % 8 == 0);
  REQUIRE(bytes.size() == 8 + n + 12 + 8);
  const std::string header(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(n));
  REQUIRE(header.find_last_not_of(' ') + 1 + 7 >= header.size());  // at most 7 spaces of padding
  const auto j = nlohmann::json::parse(header);
  REQUIRE(j["__metadata__"] == nlohmann::json{{"k", "v"}});
  REQUIRE(j["b"]["dtype"] == "F32");
  REQUIRE(j["b"]["shape"] == nlohmann::json::array({3}));
  REQUIRE(j["b"]["data_offsets"] == nlohmann::json::array({0, 12}));
  REQUIRE(j["a"]["dtype"] == "I32");
  REQUIRE(j["a"]["data_offsets"] == nlohmann::json::array({12, 20}));
  REQUIRE(std::memcmp(bytes.data() + 8 + n, w.data(), 12) == 0);
  REQUIRE(std::memcmp(bytes.data() + 8 + n + 12, ids.data(), 8) == 0);
}

TEST_CASE("safetensors names follow data offsets, not header key order", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("order.safetensors");
  const std::vector<float> v = {1.0f, 2.0f, 3.0f};
  const std::string header = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},)"
                             R"("m":{"dtype":"F32","shape":[0],"data_offsets":[8,8]},)"
                             R"("z":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  write_raw(path, safetensors_bytes(header, raw(v)));
  const auto f = vrev::io::read_safetensors(path);
  REQUIRE(f.names == std::vector<std::string>{"z", "m", "a"});
  REQUIRE(f.tensors.at("z").to_f32("z") == std::vector<float>{1.0f, 2.0f});
  REQUIRE(f.tensors.at("a").to_f32("a") == std::vector<float>{3.0f});
  REQUIRE(f.tensors.at("m").numel() == 0);
}

TEST_CASE("safetensors reader rejects malformed files with the path and the reason", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("bad.safetensors");
  const std::string data24 = raw(iota_f32(6));
  auto entry = [](const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
  };

  SECTION("missing file") { REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains("cannot read " + path)); }
  SECTION("shorter than 8 bytes") {
    write_raw(path, "abcde");
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path + ": truncated safetensors file (5 bytes)"));
    write_raw(path, "");
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path + ": truncated safetensors file (0 bytes)"));
  }
  SECTION("header size larger than the file") {
    write_raw(path, le(1000, 8) + "{}");
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path),
                        Contains(path + ": header size 1000") && Contains("10 bytes"));
    write_raw(path, le(~0ull, 8) + "{}");
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path + ": header size"));
  }
  SECTION("header not valid JSON") {
    write_raw(path, safetensors_bytes("{\"a\": [1, 2", ""));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path + ": header is not valid JSON"));
    write_raw(path, safetensors_bytes("", ""));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path + ": header is not valid JSON"));
    try {
      write_raw(path, safetensors_bytes("{\n\"a\": \n nope}", ""));
      vrev::io::read_safetensors(path);
      FAIL("no error");
    } catch (const vrev::Error& e) {
      REQUIRE(std::string(e.what()).find('\n') == std::string::npos);  // one line
    }
  }
  SECTION("header not an object") {
    write_raw(path, safetensors_bytes("[1, 2]  ", ""));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path + ": header is not a JSON object"));
  }
  SECTION("entry missing fields") {
    write_raw(path, safetensors_bytes(R"({"w":{"shape":[6],"data_offsets":[0,24]}})", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path),
                        Contains(path) && Contains("\"w\"") && Contains("missing \"dtype\""));
    write_raw(path, safetensors_bytes(R"({"w":{"dtype":"F32","data_offsets":[0,24]}})", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("missing \"shape\""));
    write_raw(path, safetensors_bytes(R"({"w":{"dtype":"F32","shape":[6]}})", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("missing \"data_offsets\""));
    write_raw(path, safetensors_bytes(R"({"w":[1,2]})", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("not a JSON object"));
  }
  SECTION("unknown dtype names the dtype and the tensor") {
    write_raw(path, safetensors_bytes("{" + entry("blocks.0.w", "BF16", "[12]", "[0,24]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path),
                        Contains(path) && Contains("blocks.0.w") && Contains("BF16") && Contains("dtype"));
  }
  SECTION("negative or non-integer dims") {
    write_raw(path, safetensors_bytes("{" + entry("w", "F32", "[-2,-3]", "[0,24]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("\"w\"") && Contains("negative"));
    write_raw(path, safetensors_bytes("{" + entry("w", "F32", "[2.0,3]", "[0,24]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("non-integer"));
    write_raw(path, safetensors_bytes("{" + entry("w", "F32", "6", "[0,24]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("not an array"));
  }
  SECTION("data_offsets outside the data region") {
    write_raw(path, safetensors_bytes("{" + entry("w", "F32", "[8]", "[0,32]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path),
                        Contains(path) && Contains("\"w\"") && Contains("outside the data region (24 bytes)"));
    write_raw(path, safetensors_bytes("{" + entry("w", "F32", "[6]", "[-4,20]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("data_offsets"));
    write_raw(path, safetensors_bytes("{" + entry("w", "F32", "[6]", "[0,24,48]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("data_offsets"));
  }
  SECTION("data_offsets not begin <= end") {
    write_raw(path, safetensors_bytes("{" + entry("w", "F32", "[1]", "[8,4]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path),
                        Contains(path) && Contains("\"w\"") && Contains("[8, 4]") && Contains("begin <= end"));
  }
  SECTION("byte count differs from numel * dtype size") {
    write_raw(path, safetensors_bytes("{" + entry("wte.weight", "F32", "[2,3]", "[0,20]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("wte.weight") &&
                                                              Contains("[2, 3]") && Contains("needs 24 bytes") &&
                                                              Contains("hold 20 bytes"));
    write_raw(path, safetensors_bytes("{" + entry("ids", "I64", "[6]", "[0,24]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path),
                        Contains("ids") && Contains("I64") && Contains("needs 48 bytes") && Contains("hold 24"));
  }
  SECTION("metadata values must be strings") {
    write_raw(path, safetensors_bytes(R"({"__metadata__":{"ok":"x","step":3}})", ""));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path),
                        Contains(path) && Contains("__metadata__") && Contains("\"step\"") && Contains("not a string"));
    write_raw(path, safetensors_bytes(R"({"__metadata__":"x"})", ""));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("__metadata__"));
  }
  SECTION("overlapping tensors") {
    write_raw(path,
              safetensors_bytes(
                  "{" + entry("a", "F32", "[4]", "[0,16]") + "," + entry("b", "F32", "[4]", "[8,24]") + "}", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_safetensors(path), Contains(path) && Contains("overlap"));
  }
  SECTION("a tensor named with a newline still gives a one-line message") {
    write_raw(path, safetensors_bytes("{" + entry("bad\\nname", "Q8", "[6]", "[0,24]") + "}", data24));
    try {
      vrev::io::read_safetensors(path);
      FAIL("no error");
    } catch (const vrev::Error& e) {
      REQUIRE(std::string(e.what()).find('\n') == std::string::npos);
      REQUIRE_THAT(e.what(), Contains("bad\\nname") && Contains("Q8"));
    }
  }
}

TEST_CASE("safetensors writer rejects bad input", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("w.safetensors");
  const std::vector<float> w = iota_f32(4);
  const Array a = Array::from_f32(w.data(), {4});
  REQUIRE_THROWS_WITH(vrev::io::write_safetensors(path, {{"x", a}, {"x", a}}, {}),
                      Contains(path) && Contains("duplicate") && Contains("\"x\""));
  REQUIRE_THROWS_WITH(vrev::io::write_safetensors(path, {{"__metadata__", a}}, {}), Contains(path));
  Array short_one = a;
  short_one.bytes.resize(12);
  REQUIRE_THROWS_WITH(vrev::io::write_safetensors(path, {{"x", short_one}}, {}),
                      Contains(path) && Contains("\"x\"") && Contains("needs 16 bytes") && Contains("12"));
  REQUIRE_THROWS_WITH(vrev::io::write_safetensors(path, {{"x", a}}, {{"k", "\xff\xfe"}}), Contains(path));
  REQUIRE(tmp.listing().empty());
}

// ---- .npy --------------------------------------------------------------------------------------

TEST_CASE("npy round trips f32, i32, f64, i64 at ranks 0 to 4", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("a.npy");
  const std::vector<std::vector<int64_t>> shapes = {{}, {5}, {2, 3}, {2, 3, 4}, {2, 1, 3, 2}, {0}, {3, 0}};
  for (const auto& shape : shapes) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    const std::vector<float> f = iota_f32(static_cast<size_t>(n), -1.0f);
    std::vector<int32_t> i(static_cast<size_t>(n));
    std::vector<double> d(static_cast<size_t>(n));
    std::vector<int64_t> l(static_cast<size_t>(n));
    for (int64_t k = 0; k < n; ++k) {
      i[k] = static_cast<int32_t>(k * 1000003 - 7);
      d[k] = 1.0 / (k + 3.0);
      l[k] = (k - 2) * 10000000000LL;
    }
    for (const Array& a :
         {Array::from_f32(f.data(), shape), Array::from_i32(i.data(), shape), from_f64(d, shape), from_i64(l, shape)}) {
      INFO("shape rank " << shape.size() << " dtype " << vrev::io::dtype_name(a.dtype));
      vrev::io::write_npy(path, a);
      require_same(vrev::io::read_npy(path), a);
      // Data starts on a 64-byte boundary.
      REQUIRE((vrev::io::read_file(path).size() - a.bytes.size()) % 64 == 0);
    }
  }
  REQUIRE(tmp.listing() == std::vector<std::string>{"a.npy"});
}

TEST_CASE("npy bytes match np.save exactly", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("x.npy");

  SECTION("float32 (2, 3): the 128-byte header np.save writes") {
    const std::vector<float> v = {0, 1, 2, 3, 4, 5};
    vrev::io::write_npy(path, Array::from_f32(v.data(), {2, 3}));
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    header.append(117 - header.size(), ' ');
    header += '\n';
    const std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) + header + raw(v);
    REQUIRE(expected.size() == 128 + 24);
    REQUIRE(vrev::io::read_text(path) == expected);
  }
  SECTION("1-d and 0-d shapes are written as Python tuples") {
    const std::vector<int32_t> v = {1, 2, 3, 4, 5};
    vrev::io::write_npy(path, Array::from_i32(v.data(), {5}));
    std::string text = vrev::io::read_text(path);
    REQUIRE(text.size() == 128 + 20);
    REQUIRE(text.substr(10, 57) == "{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }");
    REQUIRE(text[127] == '\n');
    REQUIRE(text.substr(10 + 57, 127 - 67) == std::string(60, ' '));

    vrev::io::write_npy(path, from_f64({2.5}, {}));
    text = vrev::io::read_text(path);
    REQUIRE(text.size() == 128 + 8);
    REQUIRE(text.substr(0, 10) == std::string("\x93NUMPY\x01\x00\x76\x00", 10));
    REQUIRE(text.substr(10, 55) == "{'descr': '<f8', 'fortran_order': False, 'shape': (), }");
    REQUIRE(text.substr(10 + 55, 127 - 65) == std::string(62, ' '));
    REQUIRE(text[127] == '\n');
  }
  SECTION("the first axis gets numpy's 21-digit growth room before the padding") {
    // Without the growth room this header would fit in 128 bytes; numpy's needs 192.
    const std::vector<int64_t> shape = {0, 1000000000000, 1000000000000, 1000000000000};
    vrev::io::write_npy(path, Array::from_f32(nullptr, shape));
    const std::string text = vrev::io::read_text(path);
    REQUIRE(text.size() == 192);
    REQUIRE(text.substr(8, 2) == std::string("\xb6\x00", 2));
    REQUIRE(text.substr(10, 101) ==
            "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 1000000000000, 1000000000000, 1000000000000), }");
    REQUIRE(vrev::io::read_npy(path).shape == shape);
  }
}

TEST_CASE("npy reader accepts 2.0 and 3.0 headers and equivalent spellings", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("in.npy");
  const std::vector<float> v = iota_f32(6);
  const std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n";
  for (int major : {1, 2, 3}) {
    write_raw(path, npy_bytes(major, h, raw(v)));
    const Array a = vrev::io::read_npy(path);
    REQUIRE(a.shape == std::vector<int64_t>{2, 3});
    REQUIRE(a.to_f32("in") == v);
  }
  // Other key order, double quotes, '|' and '=' byte orders, Python 2 longs, no trailing comma.
  write_raw(path, npy_bytes(1, "{\"shape\": (3L,2L), \"fortran_order\": False, \"descr\": \"=f4\"}   \n", raw(v)));
  REQUIRE(vrev::io::read_npy(path).shape == std::vector<int64_t>{3, 2});
  write_raw(path, npy_bytes(1, "{'descr': '|i4', 'fortran_order': False, 'shape': (6,)}", raw(v)));
  REQUIRE(vrev::io::read_npy(path).dtype == DType::I32);
  const std::vector<double> d = {1.0, 2.0};
  write_raw(path, npy_bytes(1, "{'descr':'<f8','fortran_order':False,'shape':(2,),}\n", raw(d)));
  const Array a = vrev::io::read_npy(path);
  REQUIRE(a.dtype == DType::F64);
  REQUIRE(a.bytes.size() == 16);
  write_raw(path, npy_bytes(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }\n", raw(d).substr(0, 8)));
  REQUIRE(vrev::io::read_npy(path).numel() == 1);
  REQUIRE(vrev::io::read_npy(path).shape.empty());
}

TEST_CASE("npy reader rejects malformed files with the path and the reason", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("bad.npy");
  const std::string data24 = raw(iota_f32(6));
  auto header = [](const std::string& descr, const std::string& fortran, const std::string& shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
  };

  SECTION("missing file") { REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains("cannot read " + path)); }
  SECTION("bad magic") {
    write_raw(path, "PK\x03\x04 not an npy file at all");
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path + ": not a .npy file (bad magic)"));
    write_raw(path, "\x93NUM");
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("bad magic"));
    write_raw(path, std::string("\x93NUMPY\x01", 7));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("truncated"));
  }
  SECTION("unsupported version") {
    write_raw(path, npy_bytes(4, header("<f4", "False", "(2, 3)"), data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("unsupported .npy version 4.0"));
    std::string minor = npy_bytes(1, header("<f4", "False", "(2, 3)"), data24);
    minor[7] = 1;
    write_raw(path, minor);
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("version 1.1"));
  }
  SECTION("header length beyond the file") {
    write_raw(path, std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 17));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("truncated"));
  }
  SECTION("unparsable header") {
    for (const std::string& h : {std::string("not a dict\n"), std::string("{'descr': '<f4', 'fortran_order': False, "),
                                 std::string("{'descr': <f4, 'fortran_order': False, 'shape': (6,), }"),
                                 std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), } junk"),
                                 std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (6), }"),
                                 std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }")}) {
      INFO(h);
      write_raw(path, npy_bytes(1, h, data24));
      REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("unparsable .npy header"));
    }
  }
  SECTION("missing or extra keys") {
    write_raw(path, npy_bytes(1, "{'descr': '<f4', 'shape': (6,), }\n", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("fortran_order"));
    write_raw(path, npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 'y'}\n", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("keys other than"));
  }
  SECTION("fortran_order True") {
    write_raw(path, npy_bytes(1, header("<f4", "True", "(2, 3)"), data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("fortran_order True"));
  }
  SECTION("unsupported descr is named") {
    write_raw(path, npy_bytes(1, header(">f4", "False", "(2, 3)"), data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("unsupported descr '>f4'"));
    write_raw(path, npy_bytes(1, header("<u2", "False", "(12,)"), data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("unsupported descr '<u2'"));
    write_raw(path,
              npy_bytes(1, "{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, 'shape': (3,), }", data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path),
                        Contains(path) && Contains("unsupported descr [('x', '<f4'), ('y', '<f4')]"));
  }
  SECTION("negative dims") {
    write_raw(path, npy_bytes(1, header("<f4", "False", "(-2, -3)"), data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("negative"));
  }
  SECTION("data shorter or longer than the shape") {
    write_raw(path, npy_bytes(1, header("<f4", "False", "(2, 3)"), data24.substr(0, 20)));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("truncated") && Contains("(2, 3)") &&
                                                      Contains("needs 24 bytes") && Contains("has 20"));
    write_raw(path, npy_bytes(1, header("<f4", "False", "(5,)"), data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("4 trailing bytes") && Contains("(5,)"));
    write_raw(path, npy_bytes(1, header("<f8", "False", "()"), data24));
    REQUIRE_THROWS_WITH(vrev::io::read_npy(path), Contains(path) && Contains("16 trailing bytes"));
  }
}

TEST_CASE("npy writer rejects an array whose bytes do not match its shape", "[io]") {
  TempDir tmp;
  const std::string path = tmp.path("w.npy");
  const std::vector<float> v = iota_f32(6);
  Array a = Array::from_f32(v.data(), {2, 3});
  a.shape = {2, 4};
  REQUIRE_THROWS_WITH(vrev::io::write_npy(path, a), Contains(path) && Contains("needs 32 bytes") && Contains("24"));
  REQUIRE(tmp.listing().empty());
}
