// The CUDA kernels' arithmetic, tested where there is no GPU: every grid of kernels/cuda/grid.h,
// run on the CPU as a loop over its threads (kernels/cuda/on_host.h; the products' tiles block
// after block, staging each slab before their threads continue their chains), gives the CPU
// kernels' bits on every check case (kernels/cuda/check.h, edge tiles included), against the CPU
// kernels with every instruction set this CPU runs, at 1 and 2 threads. What a GPU computes from the same code is checked by
// `vrev selftest --device cuda` on a machine with one (docs/cuda.md).
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "core/settings.h"
#include "kernels/cpu/kernels.h"
#include "kernels/cuda/check.h"
#include "kernels/cuda/on_host.h"
#include "kernels/kernel_set.h"

namespace cpu = vrev::kernels::cpu;
namespace check = vrev::kernels::check;

namespace {

// Restores the default thread count and kernels however the test ends.
struct CpuSettingsGuard {
  ~CpuSettingsGuard() {
    cpu::set_num_threads(0);
    cpu::select_kernels(cpu::Isa::automatic, cpu::GemmBackend::vrev);
  }
};

std::vector<cpu::Isa> supported_isas() {
  std::vector<cpu::Isa> isas;
  for (cpu::Isa isa : {cpu::Isa::portable, cpu::Isa::avx2, cpu::Isa::avx512, cpu::Isa::neon})
    if (cpu::isa_supported(isa)) isas.push_back(isa);
  return isas;
}

}  // namespace

TEST_CASE("every CUDA kernel's arithmetic run on the CPU gives the CPU kernel's bits", "[kernels][cuda]") {
  CpuSettingsGuard guard;
  const vrev::kernels::KernelSet device = vrev::kernels::cuda::kernels_on_host(), host = vrev::kernels::cpu_kernels();
  const std::vector<check::Case> cases = check::cases();
  const std::vector<cpu::Isa> isas = supported_isas();
  long compared = 0;
  for (const check::Case& c : cases) {
    const check::Results want = check::run_on_host(c, device);
    for (cpu::Isa isa : isas)
      for (int threads : {1, 2}) {
        cpu::select_kernels(isa, cpu::GemmBackend::vrev);
        cpu::set_num_threads(threads);
        const check::Comparison got = check::compare(want, check::run_on_host(c, host));
        INFO(c.kernel << " " << c.shape << ", isa " << vrev::settings::name_of(isa) << ", " << threads << " threads: "
                      << got.differing << " of " << got.compared << " values differ; first " << got.first_difference);
        CHECK(got.differing == 0);
        compared += got.compared;
      }
  }
  CHECK(compared > 0);
}
