// The GPU against the CPU on every check case (kernels/cuda/selftest.h).
#include "kernels/cuda/selftest.h"

#include "kernels/cuda/buffer.h"
#include "kernels/cuda/device.h"

namespace vrev::kernels::cuda {

check::Results run_on_device(const check::Case& c) {
  std::vector<DeviceBuffer<float>> arrays;
  std::vector<DeviceBuffer<int32_t>> ints;
  std::vector<float*> f;
  std::vector<const int32_t*> t;
  for (const auto& a : c.arrays) f.push_back(arrays.emplace_back(a).data());
  for (const auto& a : c.ints) t.push_back(ints.emplace_back(a).data());
  check::Results r;
  r.values = c.call(kernels(), f.data(), t.data());
  for (const auto& a : arrays) r.arrays.push_back(a.download());
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
