#pragma once
// The cases on which the CUDA kernels are held to the CPU kernels bit for bit: every kernel of a
// KernelSet (kernels/kernel_set.h) on the shapes of tests/test_kernels.cpp (edge tiles, K across
// several cache blocks, K = 0, single rows, repeated tokens, softmax rows that underflow, both
// ways of writing a gradient), run through two sets and compared value by value, bit for bit.
// tests/test_cuda_arithmetic.cpp compares the CUDA kernels' arithmetic run on the CPU
// (kernels/cuda/on_host.h) with the CPU kernels; `vrev selftest --device cuda` the GPU's.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernels/kernel_set.h"

namespace vrev::kernels::check {

// One kernel call on fixed inputs. arrays: every float array the call reads or writes, as it is
// before the call; ints: the token or target arrays it reads. call runs the kernel through a set
// on pointers to copies of those arrays in the set's memory, and returns what the kernel returns
// (the reductions' values; nothing for the others).
struct Case {
  std::string kernel, shape;
  std::vector<std::vector<float>> arrays;
  std::vector<std::vector<int32_t>> ints;
  std::function<std::vector<double>(const KernelSet& set, float* const* f, const int32_t* const* t)> call;
};

std::vector<Case> cases();

// What a call left: every float array after it, and the values it returned.
struct Results {
  std::vector<std::vector<float>> arrays;
  std::vector<double> values;
};

// The case run through a set whose pointers are host memory.
Results run_on_host(const Case& c, const KernelSet& set);

// got against want: the values compared, how many differ in any bit, and the first that does.
struct Comparison {
  long compared = 0, differing = 0;
  std::string first_difference;
};
Comparison compare(const Results& want, const Results& got);

}  // namespace vrev::kernels::check
