// Probe file names and validated loading.
#include "probe/files.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/io.h"

namespace vrev::probe {

namespace fs = std::filesystem;

namespace {

std::string step_name(const std::string& set, const char* kind, int64_t step) {
  char name[96];
  std::snprintf(name, sizeof name, "%s%s.step-%03lld.npy", set.c_str(), kind, static_cast<long long>(step));
  return name;
}

std::vector<float> checked_f32(const std::string& path, const io::Array& a) {
  std::vector<float> x = a.to_f32(path);
  for (size_t i = 0; i < x.size(); ++i)
    VREV_CHECK(std::isfinite(x[i]), path, ": non-finite value (", x[i], ") at flat index ", i);
  return x;
}

}  // namespace

std::string reference_capture_path(const std::string& probe_dir, const std::string& phase, const std::string& set) {
  return (fs::path(probe_dir) / (phase + "." + set + ".npy")).string();
}
std::string v_rev_path(const std::string& probe_dir) { return (fs::path(probe_dir) / "v_rev.npy").string(); }
std::string readout_path(const std::string& probe_dir) { return (fs::path(probe_dir) / "readout.npy").string(); }
std::string step_capture_path(const std::string& run_dir, const std::string& set, int64_t step) {
  return (fs::path(run_dir) / "captures" / step_name(set, "", step)).string();
}
std::string step_means_path(const std::string& run_dir, const std::string& set, int64_t step) {
  return (fs::path(run_dir) / "captures" / step_name(set, ".means", step)).string();
}
std::string captures_manifest_path(const std::string& run_dir) {
  return (fs::path(run_dir) / "captures" / "captures.json").string();
}

void save_capture(const std::string& path, const Capture& c) {
  fs::create_directories(fs::path(path).parent_path());
  io::write_npy(path, io::Array::from_f32(c.data.data(), {c.sites, c.N, c.C}));
}

Capture load_capture(const std::string& path) {
  const io::Array a = io::read_npy(path);
  VREV_CHECK(a.shape.size() == 3, path, ": expected a capture of shape (sites, N, C), got rank ", a.shape.size());
  Capture c;
  c.sites = static_cast<int>(a.shape[0]);
  c.N = static_cast<int>(a.shape[1]);
  c.C = static_cast<int>(a.shape[2]);
  VREV_CHECK(c.N > 0, path, ": empty probe set (N = 0)");
  c.data = checked_f32(path, a);
  return c;
}

std::vector<float> load_matrix(const std::string& path, int& rows, int& C) {
  const io::Array a = io::read_npy(path);
  VREV_CHECK(a.shape.size() == 2, path, ": expected a matrix (rows, C), got rank ", a.shape.size());
  VREV_CHECK(a.shape[0] > 0, path, ": empty probe set (0 rows)");
  VREV_CHECK(C < 0 || a.shape[1] == C, path, ": width C = ", a.shape[1], " but the other arrays have C = ", C);
  rows = static_cast<int>(a.shape[0]);
  C = static_cast<int>(a.shape[1]);
  return checked_f32(path, a);
}

void save_matrix(const std::string& path, const float* data, int rows, int C) {
  fs::create_directories(fs::path(path).parent_path());
  io::write_npy(path, io::Array::from_f32(data, {rows, C}));
}

}  // namespace vrev::probe
