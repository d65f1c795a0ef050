#pragma once
// Counter-based randomness: every random number is a pure function of (seed, stream, index), so
// nothing depends on call order, thread count or whether a run was resumed.
// The mixer is splitmix64's finaliser applied to a combination of the three keys.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "kernels/math.h"

namespace vrev::rng {

constexpr uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A stable 64-bit name for a stream ("init/blocks.0.attn.qkv.weight", "data/pretrain", ...).
constexpr uint64_t stream_id(std::string_view name) {
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a
  for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  return mix64(h);
}

constexpr uint64_t bits(uint64_t seed, uint64_t stream, uint64_t index) {
  return mix64(mix64(seed ^ mix64(stream)) ^ (index * 0xD1B54A32D192ED03ull));
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform(uint64_t seed, uint64_t stream, uint64_t index) {
  return static_cast<double>(bits(seed, stream, index) >> 11) * 0x1.0p-53;
}

// Uniform integer in [0, n), n > 0 (multiply-shift; the bias is below 2^-32 for n < 2^32).
inline uint64_t below(uint64_t seed, uint64_t stream, uint64_t index, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(bits(seed, stream, index)) * n) >> 64);
}

// Standard normal by Box-Muller from the two uniforms at 2*index and 2*index+1, with vrev's own
// log and cos so that the draws are the same bits on every machine.
inline double normal(uint64_t seed, uint64_t stream, uint64_t index) {
  double u1 = uniform(seed, stream, 2 * index);
  double u2 = uniform(seed, stream, 2 * index + 1);
  return std::sqrt(-2.0 * kernels::math::log1p(-u1)) * kernels::math::cos_2pi(u2);
}

}  // namespace vrev::rng
