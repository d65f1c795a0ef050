#pragma once
// The differentiable ops of the GPT, each one forward function that records its backward.
// Shapes use llm.c's letters; an input of shape (B, T, C) may also be passed as (N, C). Every
// pointer an op takes (tokens, targets, weights, soft targets) is in the tape's memory (tape.h).
// Every op here has a row in the gradient-check table of tests/test_autograd.cpp.
#include <cstdint>
#include <functional>

#include "autograd/tape.h"

namespace vrev::autograd {

// Called in backward with the gradient flowing into a site (in the tape's memory); it may change it
// in place.
template <class T>
using GradHook = std::function<void(T* grad, const Shape& shape)>;

// (B, T, C) = wte[tokens] + wpe[t]; tokens (B, T) must outlive backward.
template <class T>
Var encoder(Tape<T>& tape, const int32_t* tokens, int B, int Tn, Var wte, Var wpe);

// LayerNorm over the last axis with weight and bias (C), eps 1e-5.
template <class T>
Var layernorm(Tape<T>& tape, Var x, Var weight, Var bias);

// y = x W^T + b with W (OC, IC); bias may be an invalid Var (no bias). Output keeps x's leading
// axes and replaces the last with OC.
template <class T>
Var linear(Tape<T>& tape, Var x, Var weight, Var bias);

// Causal self-attention over fused qkv (B, T, 3C) with NH heads -> (B, T, C).
template <class T>
Var attention(Tape<T>& tape, Var qkv, int NH);

template <class T>
Var gelu(Tape<T>& tape, Var x);

// a + b, same shapes.
template <class T>
Var add(Tape<T>& tape, Var a, Var b);

// Mean softmax cross-entropy of logits (N, V) against targets (N), weighted per target by
// weights (N; null means all ones): sum_i w_i loss_i / sum_i |w_i|. Returns a scalar. A negative
// weight ascends that target's loss (gradient-difference unlearning); with weights >= 0 this is
// the weighted mean. A positive `normalizer` replaces sum_i |w_i|: how a micro-shard of a batch
// takes its share of the whole batch's mean (the shards' losses and gradients then add up to it).
// targets and weights must outlive backward; they are in the tape's memory, as every input is.
template <class T>
Var cross_entropy(Tape<T>& tape, Var logits, const int32_t* targets, const T* weights, double normalizer = 0);

// cross_entropy against soft targets: target_probs (N, V) holds a distribution per row of logits
// (rows need not sum to 1), loss_i = -sum_j q_ij log softmax(logits_i)_j; weighted and
// normalised as in cross_entropy. Returns a scalar.
// target_probs and weights must outlive backward.
template <class T>
Var soft_cross_entropy(Tape<T>& tape, Var logits, const T* target_probs, const T* weights, double normalizer = 0);

// Identity whose backward hands the incoming gradient to `hook` before passing it on: how a
// backward hook sees (and may change) the gradient at a named activation site. hook must
// outlive backward.
template <class T>
Var gradient_site(Tape<T>& tape, Var x, const GradHook<T>* hook);

}  // namespace vrev::autograd
