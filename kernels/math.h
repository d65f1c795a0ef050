#pragma once
// vrev's own elementary functions. A libm's exp, log or cos may pick a code path by CPU (glibc
// has FMA variants chosen at load time) and differs between C libraries, so a result that goes
// through one can differ in its last bit from machine to machine, and training is chaotic enough
// to grow such a bit into a different model. These use only +, -, *, / (never fused: the build
// passes -ffp-contract=off), comparisons and exact exponent arithmetic, so they give the same
// bits on every IEEE-754 machine. Accuracy: a few ulp, ample for training and statistics; they
// are not correctly rounded. Each is VREV_HD: the CUDA kernels call the same code (docs/cuda.md).
#include <bit>
#include <cmath>
#include <cstdint>

#include "kernels/host_device.h"

namespace vrev::kernels::math {

// e^x in float, branch-free so that `omp simd` loops vectorise it. Cephes' expf: x = k ln2 + r,
// |r| <= ln2/2, a degree-6 polynomial for e^r, then 2^k by exponent arithmetic. Relative error
// about 2 ulp; 0 below -87.3 (where e^x leaves the normal range), saturating at e^88.
VREV_HD inline float exp_f(float x) {
  float xc = x < -87.3f ? -87.3f : x;
  xc = xc > 88.0f ? 88.0f : xc;
  // Round to nearest by adding and removing 1.5 * 2^23: exact for |x| < 2^22, and plain arithmetic
  // that vectorises on every target.
  const float k = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = xc - k * 0.693359375f;
  r = r - k * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const int32_t scale_bits = (static_cast<int32_t>(k) + 127) << 23;
#if defined(__CUDA_ARCH__)
  const float scale = __int_as_float(scale_bits);  // device code has no std::bit_cast
#else
  const float scale = std::bit_cast<float>(scale_bits);
#endif
  return x < -87.3f ? 0.0f : p * scale;
}

// ln 2 split so that k * kLn2Hi is exact for |k| < 2^11.
inline constexpr double kLn2Hi = 0x1.62e42fefa3800p-1;
inline constexpr double kLn2Lo = 0x1.ef35793c76730p-45;

// e^x in double: x = k ln2 + r (Cody-Waite), |r| <= ln2/2, Taylor series of e^r to r^13
// (truncation below 1e-17), scaled by 2^k exactly.
VREV_HD inline double exp(double x) {
  if (!(x < 709.8)) return x != x ? x : HUGE_VAL;
  if (x < -745.2) return 0.0;
  const double k = std::nearbyint(x * 1.4426950408889634);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;
  double p = 1.0;  // Horner: e^r ~ 1 + r/1 (1 + r/2 (1 + ... (1 + r/13)))
  for (int n = 13; n >= 1; --n) p = 1.0 + p * r / n;
  return std::ldexp(p, static_cast<int>(k));
}

// ln x in double: x = m 2^e with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(f), f = (m-1)/(m+1),
// |f| <= 0.172, series to f^23 (truncation below 1e-18).
VREV_HD inline double log(double x) {
  if (!(x > 0.0)) return x == 0.0 ? -HUGE_VAL : NAN;
  if (x == HUGE_VAL) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // m in [0.5, 1)
  if (m < 0.70710678118654752) {
    m *= 2.0;
    e -= 1;
  }
  const double f = (m - 1.0) / (m + 1.0), f2 = f * f;
  double s = 1.0 / 23.0;
  for (int n = 21; n >= 1; n -= 2) s = s * f2 + 1.0 / n;
  return e * kLn2Hi + (2.0 * f * s + e * kLn2Lo);
}

// ln(1 + x), accurate for small x: log of u = 1 + x, corrected for the rounding of u.
VREV_HD inline double log1p(double x) {
  const double u = 1.0 + x;
  if (u == 1.0) return x;
  return log(u) * (x / (u - 1.0));
}

// cos(2 pi u) for any finite u: reduced to a quarter turn, then a Taylor series of cos or sin
// on [0, pi/4] (truncation below 1e-17).
VREV_HD inline double cos_2pi(double u) {
  double a = std::fabs(u - std::nearbyint(u));  // [0, 1/2]; cos is even and 1-periodic in u
  double sign = 1.0;
  if (a > 0.25) {  // cos(2 pi a) = -cos(2 pi (1/2 - a))
    a = 0.5 - a;
    sign = -1.0;
  }
  constexpr double kTwoPi = 6.283185307179586;
  if (a <= 0.125) {  // cos(x), x = 2 pi a <= pi/4
    const double x = kTwoPi * a, x2 = x * x;
    double c = 1.0;
    for (int n = 18; n >= 2; n -= 2) c = 1.0 - c * x2 / (n * (n - 1));
    return sign * c;
  }
  const double x = kTwoPi * (0.25 - a), x2 = x * x;  // cos(2 pi a) = sin(2 pi (1/4 - a))
  double s = 1.0;
  for (int n = 19; n >= 3; n -= 2) s = 1.0 - s * x2 / (n * (n - 1));
  return sign * s * x;
}

// b^n for n >= 0 by repeated squaring: an order of products fixed by n.
VREV_HD inline double powi(double b, int n) {
  double result = 1.0;
  for (; n > 0; n >>= 1, b *= b)
    if (n & 1) result *= b;
  return result;
}

// ln Gamma(x) for x > 0: shifted up to x >= 10 by Gamma(x) = Gamma(x + 1) / x, then Stirling's
// series to the x^-11 term (error below 1e-14 there).
VREV_HD inline double lgamma(double x) {
  double shift = 0.0;
  while (x < 10.0) {
    shift -= log(x);
    x += 1.0;
  }
  const double inv = 1.0 / x, inv2 = inv * inv;
  const double series =
      inv * (1.0 / 12 - inv2 * (1.0 / 360 - inv2 * (1.0 / 1260 - inv2 * (1.0 / 1680 - inv2 * (1.0 / 1188)))));
  return shift + (x - 0.5) * log(x) - x + 0.91893853320467274 + series;  // 0.5 ln(2 pi)
}

}  // namespace vrev::kernels::math
