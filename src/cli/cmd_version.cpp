// vrev version: the version, which kernels this CPU runs, and whether CUDA is built in and which
// GPUs it sees.
#include "cli/common.h"
#include "core/communicator.h"
#include "core/settings.h"
#include "kernels/cpu/kernels.h"
#include "vrev/version.h"
#ifdef VREV_HAS_CUDA
#include "kernels/cuda/device.h"
#endif

namespace vrev::cli {

namespace {

// One line: "cuda: not built in ...", or the runtime and the devices it sees, or why it sees none.
void print_cuda() {
#ifdef VREV_HAS_CUDA
  const kernels::cuda::Devices d = kernels::cuda::devices();
  std::printf("cuda: built in (runtime %s); ", kernels::cuda::runtime_version().c_str());
  if (!d.error.empty()) {
    std::printf("no device: %s\n", d.error.c_str());
    return;
  }
  std::printf("%zu device%s", d.names.size(), d.names.size() == 1 ? "" : "s");
  for (size_t i = 0; i < d.names.size(); i++) std::printf("%s%s", i ? ", " : ": ", d.names[i].c_str());
  std::printf("\n");
#else
  std::printf("cuda: not built in (make cuda builds it: docs/cuda.md)\n");
#endif
}

}  // namespace

int run_version(int argc, char** argv) {
  cxxopts::Options options(
      "vrev version",
      "Print vrev's version, the kernels.isa values this CPU runs, the one auto picks, and whether\n"
      "this build runs under mpirun, how many threads --threads 0 would use now, and whether the\n"
      "CUDA kernels are built in and which GPUs they see.");
  parse(options, argc, argv);
  namespace cpu = kernels::cpu;
  std::printf("vrev %s\nisa:", kVersion);
  for (const auto& [isa, name] : cpu::enum_names(cpu::Isa{}))
    if (cpu::isa_supported(isa)) std::printf(" %s", name);
  cpu::select_kernels(cpu::Isa::automatic, cpu::GemmBackend::vrev);
  std::printf("\nauto: %s\n", settings::name_of(cpu::selected_isa()));
  std::printf("processes: %s\n", comm::backend().c_str());
  std::printf("threads: --threads 0 (the default) would use %d now, the cores other work is not using\n",
              cpu::idle_cores());
  print_cuda();
  return 0;
}

}  // namespace vrev::cli
