#pragma once
// One name per kernel for code templated on the scalar type: float calls resolve to the fast
// cpu/ kernels (an exact non-template match wins overload resolution), every other type to the
// templated ref/ kernels. This is what lets the autograd and the model run in double for
// gradient checks while training runs on the fast float kernels.
#include "kernels/cpu/kernels.h"
#include "kernels/ref/ref.h"

namespace vrev::kernels::any {
// Using-declarations for both, so the cpu functions and ref templates form one overload set
// for qualified calls (any::f) and calls inside this namespace alike. (A using-directive for
// ref would be hidden by the cpu using-declarations in both of those cases.)
using cpu::adamw_update;
using cpu::attention_backward;
using cpu::attention_forward;
using cpu::attention_forward_cached;
using cpu::bias_backward;
using cpu::cross_entropy_backward;
using cpu::cross_entropy_forward;
using cpu::dot;
using cpu::encoder_backward;
using cpu::encoder_forward;
using cpu::gelu_backward;
using cpu::gelu_forward;
using cpu::layernorm_backward;
using cpu::layernorm_forward;
using cpu::matmul_backward_input;
using cpu::matmul_backward_weight;
using cpu::matmul_forward;
using cpu::residual_backward;
using cpu::residual_forward;
using cpu::soft_cross_entropy_backward;
using cpu::soft_cross_entropy_forward;
using cpu::squared_norm;
using cpu::sum;
using ref::adamw_update;
using ref::attention_backward;
using ref::attention_forward;
using ref::attention_forward_cached;
using ref::bias_backward;
using ref::cross_entropy_backward;
using ref::cross_entropy_forward;
using ref::dot;
using ref::encoder_backward;
using ref::encoder_forward;
using ref::gelu_backward;
using ref::gelu_forward;
using ref::layernorm_backward;
using ref::layernorm_forward;
using ref::matmul_backward_input;
using ref::matmul_backward_weight;
using ref::matmul_forward;
using ref::residual_backward;
using ref::residual_forward;
using ref::soft_cross_entropy_backward;
using ref::soft_cross_entropy_forward;
using ref::squared_norm;
using ref::sum;
}  // namespace vrev::kernels::any
