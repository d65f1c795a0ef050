#pragma once
// A kernel set: one backend's kernels as a table of function pointers with the CPU kernels'
// signatures (kernels/cpu/kernels.h), their pointers into that backend's memory. The CUDA kernels
// are checked against the CPU's by running the same calls through two sets and comparing every
// output bit for bit (kernels/cuda/check.h).
#include "kernels/cpu/kernels.h"

namespace vrev::kernels {

struct KernelSet {
  const char* name;
  decltype(&cpu::matmul_forward) matmul_forward;
  decltype(&cpu::matmul_backward_input) matmul_backward_input;
  decltype(&cpu::matmul_backward_weight) matmul_backward_weight;
  decltype(&cpu::bias_backward) bias_backward;
  decltype(&cpu::layernorm_forward) layernorm_forward;
  decltype(&cpu::layernorm_backward) layernorm_backward;
  decltype(&cpu::gelu_forward) gelu_forward;
  decltype(&cpu::gelu_backward) gelu_backward;
  decltype(&cpu::residual_forward) residual_forward;
  decltype(&cpu::residual_backward) residual_backward;
  decltype(&cpu::sum_parts) sum_parts;
  decltype(&cpu::encoder_forward) encoder_forward;
  decltype(&cpu::encoder_backward) encoder_backward;
  decltype(&cpu::attention_forward) attention_forward;
  decltype(&cpu::attention_backward) attention_backward;
  decltype(&cpu::attention_forward_cached) attention_forward_cached;
  decltype(&cpu::cross_entropy_forward) cross_entropy_forward;
  decltype(&cpu::cross_entropy_backward) cross_entropy_backward;
  decltype(&cpu::soft_cross_entropy_forward) soft_cross_entropy_forward;
  decltype(&cpu::soft_cross_entropy_backward) soft_cross_entropy_backward;
  decltype(&cpu::adamw_update) adamw_update;
  decltype(&cpu::sum) sum;
  decltype(&cpu::dot) dot;
  decltype(&cpu::squared_norm) squared_norm;
};

inline KernelSet cpu_kernels() {
  return {"cpu",
          &cpu::matmul_forward,
          &cpu::matmul_backward_input,
          &cpu::matmul_backward_weight,
          &cpu::bias_backward,
          &cpu::layernorm_forward,
          &cpu::layernorm_backward,
          &cpu::gelu_forward,
          &cpu::gelu_backward,
          &cpu::residual_forward,
          &cpu::residual_backward,
          &cpu::sum_parts,
          &cpu::encoder_forward,
          &cpu::encoder_backward,
          &cpu::attention_forward,
          &cpu::attention_backward,
          &cpu::attention_forward_cached,
          &cpu::cross_entropy_forward,
          &cpu::cross_entropy_backward,
          &cpu::soft_cross_entropy_forward,
          &cpu::soft_cross_entropy_backward,
          &cpu::adamw_update,
          &cpu::sum,
          &cpu::dot,
          &cpu::squared_norm};
}

}  // namespace vrev::kernels
