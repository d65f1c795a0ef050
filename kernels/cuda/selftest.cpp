// The GPU against the CPU on every check case (kernels/cuda/selftest.h).
#include "kernels/cuda/selftest.h"

#include "kernels/cuda/device.h"

namespace vrev::kernels::cuda {

namespace {

// A copy of `host` in device memory.
template <class T>
Buffer<T> on_device(const std::vector<T>& host) {
  Buffer<T> device(backend(), host.size());
  device.upload(host.data());
  return device;
}

}  // namespace

check::Results run_on_device(const check::Case& c) {
  std::vector<Buffer<float>> arrays;
  std::vector<Buffer<int32_t>> ints;
  std::vector<float*> f;
  std::vector<const int32_t*> t;
  for (const auto& a : c.arrays) f.push_back(arrays.emplace_back(on_device(a)).data());
  for (const auto& a : c.ints) t.push_back(ints.emplace_back(on_device(a)).data());
  check::Results r;
  r.values = c.call(kernels(), f.data(), t.data());
  for (const Buffer<float>& a : arrays) a.download(r.arrays.emplace_back(a.size()).data());
  return r;
}

std::vector<SelftestRow> selftest() {
  const KernelSet cpu = cpu_kernels();
  std::vector<SelftestRow> rows;
  for (const check::Case& c : check::cases())
    rows.push_back({c.kernel, c.shape, check::compare(check::run_on_host(c, cpu), run_on_device(c))});
  return rows;
}

}  // namespace vrev::kernels::cuda
