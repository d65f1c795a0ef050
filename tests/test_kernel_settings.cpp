// The kernels section of a config: enum settings read and written by name, an unknown or
// unsupported instruction set as a one-line error, and --set values that hold commas.
#include <algorithm>

#include <catch2/catch.hpp>

#include "experiment/config.h"
#include "test_helpers.h"

using namespace vrev;
namespace cpu = kernels::cpu;

namespace {
const std::string kTiny = std::string(VREV_SOURCE_DIR) + "/configs/tiny.json";
}

TEST_CASE("kernel settings are read and written by name", "[settings]") {
  const experiment::Config cfg =
      experiment::load_config(kTiny, {"kernels.isa=portable", "kernels.gemm=openblas", "kernels.device=cuda"});
  CHECK(cfg.kernels.isa == cpu::Isa::portable);
  CHECK(cfg.kernels.gemm == cpu::GemmBackend::openblas);
  CHECK(cfg.kernels.device == kernels::Device::cuda);
  const settings::Json written = settings::write(cfg.kernels);
  CHECK(written == settings::Json{{"isa", "portable"}, {"gemm", "openblas"}, {"device", "cuda"}});
  CHECK(settings::read<experiment::KernelConfig>(written).isa == cpu::Isa::portable);
  CHECK_THROWS_WITH(experiment::load_config(kTiny, {"kernels.isa=sse2"}),
                    Catch::Contains("'kernels.isa': unknown value 'sse2' (valid: auto, avx512, avx2, neon, portable)"));
  CHECK_THROWS_WITH(experiment::load_config(kTiny, {"kernels.gemm=3"}), Catch::Contains("'kernels.gemm' must be one of"));
}

TEST_CASE("the CLI names a bad or unsupported instruction set in one line", "[settings][cli]") {
  const auto bad = test::run_vrev("train --config " + kTiny + " --phase pretrain --out /nonexistent --set kernels.isa=sse2");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("kernels.isa") != std::string::npos);
  CHECK(std::count(bad.err.begin(), bad.err.end(), '\n') == 1);
  // Every machine lacks one of these: NEON on x86-64, AVX-512 on AArch64.
  const cpu::Isa missing = cpu::isa_supported(cpu::Isa::neon) ? cpu::Isa::avx512 : cpu::Isa::neon;
  if (!cpu::isa_supported(missing)) {
    const auto r = test::run_vrev("world --config " + kTiny + " --phase align -n 1 --set kernels.isa=" +
                                  settings::name_of(missing));
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("which this CPU does not support") != std::string::npos);
  }
}

TEST_CASE("set overrides take lists with commas", "[settings][cli]") {
  const auto r = test::run_vrev("world --config " + kTiny + " --phase align -n 1 --set finetune.eval_steps=[0,25,50]");
  INFO(r.err);
  CHECK(r.exit_code == 0);
}
