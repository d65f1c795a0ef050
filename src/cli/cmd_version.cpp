// vrev version: the version, and which kernels this CPU runs.
#include "cli/common.h"
#include "core/communicator.h"
#include "core/settings.h"
#include "kernels/cpu/kernels.h"
#include "vrev/version.h"

namespace vrev::cli {

int run_version(int argc, char** argv) {
  cxxopts::Options options("vrev version",
                           "Print vrev's version, the kernels.isa values this CPU runs, the one auto picks, and whether\n"
                           "this build runs under mpirun, and how many threads --threads 0 would use now.");
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
  return 0;
}

}  // namespace vrev::cli
