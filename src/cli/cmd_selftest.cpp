// vrev selftest --device cuda: every CUDA kernel on the GPU against the CPU kernel on the kernel
// tests' shapes (kernels/cuda/check.h), every output compared bit for bit; a table, and exit 1 on
// any difference. A build without CUDA, or a machine without a GPU, gives a one-line error.
#include <cstdio>

#include "cli/common.h"
#include "core/error.h"
#ifdef VREV_HAS_CUDA
#include "kernels/cuda/device.h"
#include "kernels/cuda/selftest.h"
#endif

namespace vrev::cli {

int run_selftest(int argc, char** argv) {
  cxxopts::Options options("vrev selftest",
                           "Run every CUDA kernel on the GPU and the CPU kernel on the same inputs (the kernel tests'\n"
                           "shapes) and compare every output bit for bit: one row per case, exit status 1 on any\n"
                           "difference (docs/cuda.md). The CPU kernels' own tests are `make test`.");
  options.add_options()("device", "the device to test: cuda", cxxopts::value<std::string>());
  const auto args = parse(options, argc, argv);
  const std::string device = required(args, "device");
  VREV_CHECK(device == "cuda", "--device must be cuda, not '", device, "' (the CPU kernels are tested by make test)");
#ifndef VREV_HAS_CUDA
  VREV_FAIL("this build has no CUDA kernels: build with make cuda (-DVREV_CUDA=ON, docs/cuda.md)");
#else
  const kernels::cuda::Devices devices = kernels::cuda::devices();
  VREV_CHECK(devices.error.empty(), "no CUDA device: ", devices.error);
  VREV_CHECK(!devices.names.empty(), "no CUDA device: the driver reports none");
  std::printf("CUDA kernels on %s (runtime %s) against the CPU kernels (%s), bit for bit\n\n", devices.names[0].c_str(),
              kernels::cuda::runtime_version().c_str(), settings::name_of(kernels::cpu::selected_isa()));
  std::printf("| kernel | shape | values | differing | first difference |\n|---|---|---|---|---|\n");
  long cases = 0, failing = 0;
  for (const kernels::cuda::SelftestRow& row : kernels::cuda::selftest()) {
    const kernels::check::Comparison& c = row.comparison;
    std::printf("| %s | %s | %ld | %ld | %s |\n", row.kernel.c_str(), row.shape.c_str(), c.compared, c.differing,
                c.differing ? c.first_difference.c_str() : "");
    cases++;
    failing += c.differing > 0;
  }
  std::printf("\n%ld of %ld cases give the CPU's bits\n", cases - failing, cases);
  return failing ? 1 : 0;
#endif
}

}  // namespace vrev::cli
