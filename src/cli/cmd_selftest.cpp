// vrev selftest --device cuda: every CUDA kernel on the GPU against the CPU kernel on the kernel
// tests' shapes (kernels/cuda/check.h), every output compared bit for bit; then the pinned tiny
// history trained on the GPU against its pinned SHA-256 sums; then its fine-tuned model evaluated
// (generated from) on the GPU against the CPU, metric by metric. Three tables, and exit 1 on any
// difference. A build without CUDA, or a machine without a GPU, gives a one-line error.
#include "cli/common.h"
#ifdef VREV_HAS_CUDA
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include <cstring>

#include "core/io.h"
#include "experiment/checkpoint_world.h"
#include "experiment/pinned_history.h"
#include "kernels/cuda/device.h"
#include "kernels/cuda/selftest.h"
#include "world/world.h"
#endif

namespace vrev::cli {

#ifdef VREV_HAS_CUDA
namespace {

// The pinned history trained on `device` into dir against the sums in pinned_path: one row per
// checkpoint; returns how many differ.
int check_pinned_history(const kernels::Backend& device, const std::string& tiny_json, const std::string& pinned_path,
                         const std::string& dir) {
  kernels::select_backend(device);
  const std::string got = experiment::train_pinned_history(tiny_json, dir);
  kernels::select_backend(kernels::cpu_backend());
  std::printf("| checkpoint | pinned SHA-256 | trained on the %s | same |\n|---|---|---|---|\n", device.name);
  std::istringstream want(io::read_text(pinned_path)), have(got);
  int differing = 0;
  for (std::string w, h; std::getline(have, h);) {
    std::getline(want, w);
    const std::string file = h.substr(h.find("  ") + 2), w_sum = w.substr(0, w.find(' ')), h_sum = h.substr(0, 64);
    std::printf("| %s | %s | %s | %s |\n", file.c_str(), w_sum.c_str(), h_sum.c_str(), w == h ? "yes" : "NO");
    differing += w != h;
  }
  return differing;
}

// The world's evaluation of the checkpoint in ckpt, generated on `device` against the CPU: one row
// per metric; returns how many differ.
int check_evaluation(const kernels::Backend& device, const std::string& tiny_json, const std::string& ckpt) {
  experiment::OpenedCheckpoint ck = experiment::open_checkpoint(ckpt, tiny_json, {});
  const std::unique_ptr<world::World> world = world::make_world(ck.world, ck.seed);
  const world::Metrics want = world->evaluate(ck.model);
  ck.model.place_on(device);
  ck.model.upload();
  const world::Metrics got = world->evaluate(ck.model);
  std::printf("| metric | CPU | %s | same |\n|---|---|---|---|\n", device.name);
  int differing = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const bool same = std::memcmp(&want[i].value, &got[i].value, sizeof(double)) == 0;
    std::printf("| %s | %.17g | %.17g | %s |\n", want[i].name.c_str(), want[i].value, got[i].value,
                same ? "yes" : "NO");
    differing += !same;
  }
  return differing;
}

// Every check case on the GPU against the CPU: one row per case; returns how many differ.
long check_kernels() {
  std::printf("| kernel | shape | values | differing | first difference |\n|---|---|---|---|---|\n");
  long cases = 0, failing = 0;
  for (const kernels::cuda::SelftestRow& row : kernels::cuda::selftest()) {
    const kernels::check::Comparison& c = row.comparison;
    std::printf("| %s | %s | %ld | %ld | %s |\n", row.kernel.c_str(), row.shape.c_str(), c.compared, c.differing,
                c.differing ? c.first_difference.c_str() : "");
    cases++;
    failing += c.differing > 0;
  }
  std::printf("\n%ld of %ld cases give the CPU's bits\n\n", cases - failing, cases);
  return failing;
}

}  // namespace
#endif

int run_selftest(int argc, char** argv) {
  cxxopts::Options options(
      "vrev selftest",
      "Run every CUDA kernel on the GPU and the CPU kernel on the same inputs (the kernel tests'\n"
      "shapes) and compare every output bit for bit, one row per case; then train the pinned tiny\n"
      "history on the GPU and compare its checkpoints' SHA-256 sums with the pinned ones; then\n"
      "evaluate its fine-tuned model on the GPU and on the CPU and compare every metric. Exit\n"
      "status 1 on any difference (docs/cuda.md). Run it from the repository's root, or name the\n"
      "files. The CPU kernels' own tests are `make test`.");
  options.add_options()("device", "the device to test: cuda", cxxopts::value<std::string>())(
      "config", "the tiny config the pinned history shrinks",
      cxxopts::value<std::string>()->default_value("configs/tiny.json"))(
      "pinned", "the pinned history's SHA-256 sums",
      cxxopts::value<std::string>()->default_value("tests/determinism/pinned.sha256"));
  const auto args = parse(options, argc, argv);
  const std::string device = required(args, "device");
  VREV_CHECK(device == "cuda", "--device must be cuda, not '", device, "' (the CPU kernels are tested by make test)");
#ifndef VREV_HAS_CUDA
  device_backend(kernels::Device::cuda);  // the one-line error: this build has no CUDA
  return 1;
#else
  const kernels::Backend& gpu = device_backend(kernels::Device::cuda);  // a one-line error without a GPU
  std::printf("CUDA kernels on %s (runtime %s) against the CPU kernels (%s), bit for bit\n\n",
              kernels::cuda::devices().names[0].c_str(), kernels::cuda::runtime_version().c_str(),
              settings::name_of(kernels::cpu::selected_isa()));
  const long failing = check_kernels();
  std::printf("The pinned tiny history (the settings of tests/determinism/pinned_history.sh, seed 7)\n\n");
  const std::string tiny = args["config"].as<std::string>();
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("vrev_selftest_" + std::to_string(getpid()));
  const int differing = check_pinned_history(gpu, tiny, args["pinned"].as<std::string>(), dir.string());
  std::printf("\n%s\n\n", differing ? "the pinned history differs from the pinned sums"
                                    : "the pinned history gives the pinned sums");
  std::printf("The world's evaluation of the pinned history's fine-tuned model, generated on the GPU and the CPU\n\n");
  const int metrics_differing = check_evaluation(gpu, tiny, (dir / "finetune").string());
  std::filesystem::remove_all(dir);
  std::printf("\n%s\n", metrics_differing ? "the evaluation on the GPU differs from the CPU's"
                                          : "the evaluation on the GPU gives the CPU's metrics");
  return failing || differing || metrics_differing ? 1 : 0;
#endif
}

}  // namespace vrev::cli
