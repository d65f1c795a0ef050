#pragma once
// The reference kernels: slow, exact, dependency-free loops templated on the scalar type S, one
// header per op family. They mirror kernels/cpu/kernels.h name for name and argument for argument
// (float hyperparameters and int32_t tokens included), so that a double tape's ops call them under
// the names a float tape's backend gives the cpu/ kernels (kernels/dispatch.h). Run in double they are what the tests and the
// autograd's gradient checks trust; they are never a fast path.
// Accumulation policy: kernels/cpu/kernels.h's.
#include "kernels/ref/adamw.h"
#include "kernels/ref/attention.h"
#include "kernels/ref/cross_entropy.h"
#include "kernels/ref/elementwise.h"
#include "kernels/ref/encoder.h"
#include "kernels/ref/layernorm.h"
#include "kernels/ref/matmul.h"
#include "kernels/ref/reduce.h"
