#pragma once
// `vrev selftest --device cuda`: every check case (kernels/cuda/check.h) run by the CPU kernels
// and by the CUDA kernels on the GPU, compared bit for bit. Only in a build with -DVREV_CUDA=ON.
#include <string>
#include <vector>

#include "kernels/cuda/check.h"

namespace vrev::kernels::cuda {

struct SelftestRow {
  std::string kernel, shape;
  check::Comparison comparison;
};

// The case run through the CUDA kernels: its arrays copied to the device and back.
check::Results run_on_device(const check::Case& c);

// Every case, CPU against GPU, in the order of check::cases().
std::vector<SelftestRow> selftest();

}  // namespace vrev::kernels::cuda
