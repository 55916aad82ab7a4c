// Per-element math shared by the CPU kernels and (later) the CUDA kernels: every function is
// FX_HOST_DEVICE, branch-free where it matters, and written so that a plain loop over it
// auto-vectorises (selects instead of branches, bit casts instead of frexp/ldexp calls).
//
// Note [Vectorisable float math]: the float versions of exp/log/expm1/log1p/tanh/sigmoid/erf/
// erfc are Cephes-style (range reduction + polynomial, ~1-2 ulp). libm's scalar calls would
// block vectorisation and cost 5-20x more per element than the memory traffic of a streaming
// kernel. Edge cases (NaN, +-Inf, denormal inputs and results, overflow) are handled with
// selects at the end. The double versions call <cmath> (correctly rounded enough, and the
// double kernels are not the hot path). tests/ops/pointwise_unary_test.cpp checks the float
// versions against the double ones over dense grids and the edge cases.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "fluxion/half.h"

namespace fluxion::kernels::math {

// ---- bit helpers ----------------------------------------------------------------------------

FX_HOST_DEVICE inline int32_t as_i32(float f) {
  int32_t i;
  std::memcpy(&i, &f, 4);
  return i;
}
FX_HOST_DEVICE inline float as_f32(int32_t i) {
  float f;
  std::memcpy(&f, &i, 4);
  return f;
}
/// 2^n for n in [-126, 127] built from the exponent bits.
FX_HOST_DEVICE inline float pow2i(int32_t n) { return as_f32((n + 127) << 23); }
FX_HOST_DEVICE inline bool is_nan(float x) { return x != x; }
FX_HOST_DEVICE inline bool is_nan(double x) { return x != x; }
/// Round to nearest integer (ties to even) for |x| < 2^22 without a libm call.
FX_HOST_DEVICE inline float round_small(float x) {
  constexpr float kMagic = 12582912.0f;  // 1.5 * 2^23
  return (x + kMagic) - kMagic;
}
FX_HOST_DEVICE inline float fabs_f(float x) { return as_f32(as_i32(x) & 0x7fffffff); }
FX_HOST_DEVICE inline float copysign_f(float mag, float sgn) {
  return as_f32((as_i32(mag) & 0x7fffffff) | (as_i32(sgn) & static_cast<int32_t>(0x80000000u)));
}

constexpr float kInfF = std::numeric_limits<float>::infinity();
constexpr float kNanF = std::numeric_limits<float>::quiet_NaN();
constexpr float kLog2eF = 1.44269504088896341f;
constexpr float kLn2HiF = 0.693359375f;  // Cody-Waite split of ln 2: hi has few bits, so n*hi is exact
constexpr float kLn2LoF = -2.12194440e-4f;

// ---- exp ------------------------------------------------------------------------------------

/// e^r - 1 - r for |r| <= ln2/2, as r^2 * P(r) (Taylor terms 1/2! .. 1/8!; error < 1e-9 relative).
FX_HOST_DEVICE inline float expm1_poly_tail(float r) {
  float p = 2.48015873e-5f;    // 1/8!
  p = p * r + 1.98412698e-4f;  // 1/7!
  p = p * r + 1.38888889e-3f;  // 1/6!
  p = p * r + 8.33333333e-3f;  // 1/5!
  p = p * r + 4.16666667e-2f;  // 1/4!
  p = p * r + 1.66666667e-1f;  // 1/3!
  p = p * r + 0.5f;            // 1/2!
  return p * (r * r);
}

/// e^x in float: x = n ln2 + r, e^r by polynomial, 2^n applied in two halves so denormal
/// results round once and n = 128 cannot overflow the exponent field early.
FX_HOST_DEVICE inline float exp_f(float x) {
  float xc = x < -104.0f ? -104.0f : x;  // e^-104 rounds to 0; NaN passes through the compares
  xc = xc > 89.0f ? 89.0f : xc;          // e^89 overflows to inf
  xc = is_nan(x) ? 0.0f : xc;
  const float fn = round_small(xc * kLog2eF);
  float r = xc - fn * kLn2HiF;
  r = r - fn * kLn2LoF;
  const float p = 1.0f + r + expm1_poly_tail(r);
  const int32_t n = static_cast<int32_t>(fn);
  const int32_t n1 = n / 2;
  const float y = (p * pow2i(n1)) * pow2i(n - n1);
  return is_nan(x) ? x : y;
}

/// 2^x in float: x = n + f with |f| <= 1/2, 2^f = e^(f ln2).
FX_HOST_DEVICE inline float exp2_f(float x) {
  float xc = x < -151.0f ? -151.0f : x;
  xc = xc > 129.0f ? 129.0f : xc;
  xc = is_nan(x) ? 0.0f : xc;
  const float fn = round_small(xc);
  const float f = xc - fn;  // exact
  // ln2 in two parts so f*ln2 carries ~30 bits.
  const float r = f * 0.693145751953125f + f * 1.428606765330187e-06f;
  const float p = 1.0f + r + expm1_poly_tail(r);
  const int32_t n = static_cast<int32_t>(fn);
  const int32_t n1 = n / 2;
  const float y = (p * pow2i(n1)) * pow2i(n - n1);
  return is_nan(x) ? x : y;
}

/// e^x - 1 in float, accurate for small |x|: 2^n * (e^r - 1) + (2^n - 1), scaled through 2^(n-1)
/// so n = 128 stays representable until the final doubling.
FX_HOST_DEVICE inline float expm1_f(float x) {
  float xc = x < -80.0f ? -80.0f : x;  // e^-80 - 1 == -1 in float
  xc = xc > 88.8f ? 88.8f : xc;
  xc = is_nan(x) ? 0.0f : xc;
  const float fn = round_small(xc * kLog2eF);
  float r = xc - fn * kLn2HiF;
  r = r - fn * kLn2LoF;
  const float em1 = r + expm1_poly_tail(r);
  const int32_t n = static_cast<int32_t>(fn);
  const float t = pow2i(n - 1);
  float y = (t * em1 + (t - 0.5f)) * 2.0f;
  y = x > 88.72283f ? kInfF : y;
  y = x == 0.0f ? x : y;  // keeps the sign of zero
  return is_nan(x) ? x : y;
}

// ---- log ------------------------------------------------------------------------------------

/// Splits positive finite x into x = 2^e * (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)); returns f.
FX_HOST_DEVICE inline float log_reduce(float x, float& e_out) {
  const bool denorm = x < 1.17549435e-38f;
  const float xs = denorm ? x * 8388608.0f : x;  // * 2^23
  const int32_t bits = as_i32(xs);
  int32_t e = ((bits >> 23) & 0xff) - 126;
  float m = as_f32((bits & 0x007fffff) | 0x3f000000);  // [0.5, 1)
  const bool small = m < 0.707106781186547524f;
  e = small ? e - 1 : e;
  m = small ? m + m - 1.0f : m - 1.0f;
  e_out = static_cast<float>(e) - (denorm ? 23.0f : 0.0f);
  return m;
}

/// log(1 + f) - f + f^2/2 for f in [sqrt(1/2) - 1, sqrt(2) - 1] (Cephes logf polynomial).
FX_HOST_DEVICE inline float log_poly(float m) {
  const float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m - 1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m - 1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m - 1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m - 2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  return y * m * z;
}

FX_HOST_DEVICE inline float log_special(float x, float y) {
  y = x == kInfF ? kInfF : y;
  y = x == 0.0f ? -kInfF : y;
  y = x < 0.0f ? kNanF : y;
  return is_nan(x) ? x : y;
}

/// Natural log in float (Cephes logf).
FX_HOST_DEVICE inline float log_f(float x) {
  float e;
  const float m = log_reduce(x, e);
  const float z = m * m;
  float y = log_poly(m);
  y = y + e * kLn2LoF;
  y = y - 0.5f * z;
  float r = m + y;
  r = r + e * kLn2HiF;
  return log_special(x, r);
}

/// log2 in float: e + log(1+f)*log2(e); exact for powers of two.
FX_HOST_DEVICE inline float log2_f(float x) {
  float e;
  const float m = log_reduce(x, e);
  const float z = m * m;
  const float l = (log_poly(m) - 0.5f * z);  // log(1+m) - m
  // (m + l) * log2e with log2e split in hi/lo for accuracy.
  const float r = l * kLog2eF + m * 0.44269504088896341f + m + e;
  return log_special(x, r);
}

/// log10 in float.
FX_HOST_DEVICE inline float log10_f(float x) {
  float e;
  const float m = log_reduce(x, e);
  const float z = m * m;
  const float l = (log_poly(m) - 0.5f * z);
  constexpr float kLog10e = 0.434294481903251828f;
  constexpr float kLog10_2Hi = 3.0102920532e-01f;  // few bits: e * hi is exact
  constexpr float kLog10_2Lo = 7.9034151668e-07f;
  const float r = e * kLog10_2Lo + (l + m) * kLog10e + e * kLog10_2Hi;
  return log_special(x, r);
}

/// log(1 + x) in float: log(u) corrected by the rounding error of u = 1 + x.
FX_HOST_DEVICE inline float log1p_f(float x) {
  const float u = 1.0f + x;
  const float um1 = u - 1.0f;
  const float lu = log_f(u);
  float y = lu - (um1 - x) / u;
  y = um1 == 0.0f ? x : y;  // |x| tiny: log1p(x) == x (also keeps -0.0)
  y = x == kInfF ? kInfF : y;
  y = u == 0.0f ? -kInfF : y;  // x == -1
  return y;
}

// ---- hyperbolic and logistic ----------------------------------------------------------------

FX_HOST_DEVICE inline float tanh_f(float x) {
  const float ax = fabs_f(x);
  // Small |x|: odd polynomial (Cephes tanhf).
  const float z = x * x;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * x + x;
  // Large |x|: 1 - 2 / (e^{2|x|} + 1).
  const float t = exp_f(2.0f * (ax > 20.0f ? 20.0f : ax));
  const float big = copysign_f(1.0f - 2.0f / (t + 1.0f), x);
  float y = ax < 0.625f ? small : big;
  y = x == 0.0f ? x : y;  // keeps the sign of zero
  return is_nan(x) ? x : y;
}

/// 1 / (1 + e^-x), as e^x / (1 + e^x) for x < 0 so tiny (denormal) results keep their bits.
FX_HOST_DEVICE inline float sigmoid_f(float x) {
  const float e = exp_f(-fabs_f(x));
  const float s = 1.0f / (1.0f + e);
  return x < 0.0f ? e * s : s;
}

/// log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|).
FX_HOST_DEVICE inline float log1pexp_f(float x) {
  const float ax = fabs_f(x);
  const float y = (x > 0.0f ? x : 0.0f) + log1p_f(exp_f(-ax));
  return is_nan(x) ? x : y;
}

// ---- erf / erfc -----------------------------------------------------------------------------

/// erf(x) / x as a polynomial in x^2 for |x| < 1 (Cephes erff).
FX_HOST_DEVICE inline float erf_small_poly(float z) {
  float p = 7.853861353153693e-5f;
  p = p * z - 8.010193625184903e-4f;
  p = p * z + 5.188327685732524e-3f;
  p = p * z - 2.685381193529856e-2f;
  p = p * z + 1.128358514861418e-1f;
  p = p * z - 3.761262582423300e-1f;
  p = p * z + 1.128379165726710e0f;
  return p;
}

/// erfc(a) * e^{a^2} * a for a >= 1, as a polynomial in 1/a^2 (Cephes erfcf, two ranges).
FX_HOST_DEVICE inline float erfc_large_poly(float a) {
  const float q = 1.0f / a;
  const float y = q * q;
  float p = 2.326819970068386e-2f;
  p = p * y - 1.387039388740657e-1f;
  p = p * y + 3.687424674597105e-1f;
  p = p * y - 5.824733027278666e-1f;
  p = p * y + 6.210004621745983e-1f;
  p = p * y - 4.944515323274145e-1f;
  p = p * y + 3.404879937665872e-1f;
  p = p * y - 2.741127028184656e-1f;
  p = p * y + 5.638259427386472e-1f;
  float r = -1.047766399936249e1f;
  r = r * y + 1.297719955372516e1f;
  r = r * y - 7.495518717768503e0f;
  r = r * y + 2.921019019210786e0f;
  r = r * y - 1.015265279202700e0f;
  r = r * y + 4.218463358204948e-1f;
  r = r * y - 2.820767439740514e-1f;
  r = r * y + 5.641895067754075e-1f;
  return (a < 2.0f ? p : r) * q;
}

/// e^{-a^2} with a^2 split into an exactly representable head and a small tail, so the
/// rounding error of a*a (which grows with a^2) does not reach the result.
FX_HOST_DEVICE inline float exp_neg_sq_f(float a) {
  const float ah = as_f32(as_i32(a) & static_cast<int32_t>(0xfffff000u));  // 11 mantissa bits
  const float al = a - ah;
  const float head = ah * ah;        // exact
  const float tail = al * (a + ah);  // a^2 - ah^2
  return exp_f(-head) * exp_f(-tail);
}

FX_HOST_DEVICE inline float erf_f(float x) {
  const float ax = fabs_f(x);
  const float small = x * erf_small_poly(x * x);
  const float ac = ax < 1.0f ? 1.0f : (ax > 10.0f ? 10.0f : ax);
  const float erfc_big = exp_f(-ac * ac) * erfc_large_poly(ac);
  const float big = copysign_f(1.0f - erfc_big, x);
  const float y = ax < 1.0f ? small : big;
  return is_nan(x) ? x : y;
}

/// 1 - erf(x) for |x| < 1 in double (Taylor series of erf to x^29), so the cancellation
/// near x = 1 does not lose the float result's bits.
FX_HOST_DEVICE inline float erfc_small_f(float xf) {
  const double x = xf, z = x * x;
  // Coefficients (-1)^n / (n! (2n+1)) for n = 14 .. 0, times 2/sqrt(pi) at the end.
  double p = 1.0 / (87178291200.0 * 29.0);
  p = p * -z + 1.0 / (6227020800.0 * 27.0);
  p = p * -z + 1.0 / (479001600.0 * 25.0);
  p = p * -z + 1.0 / (39916800.0 * 23.0);
  p = p * -z + 1.0 / (3628800.0 * 21.0);
  p = p * -z + 1.0 / (362880.0 * 19.0);
  p = p * -z + 1.0 / (40320.0 * 17.0);
  p = p * -z + 1.0 / (5040.0 * 15.0);
  p = p * -z + 1.0 / (720.0 * 13.0);
  p = p * -z + 1.0 / (120.0 * 11.0);
  p = p * -z + 1.0 / (24.0 * 9.0);
  p = p * -z + 1.0 / (6.0 * 7.0);
  p = p * -z + 1.0 / (2.0 * 5.0);
  p = p * -z + 1.0 / 3.0;
  p = p * -z + 1.0;
  return static_cast<float>(1.0 - 1.1283791670955126 * x * p);
}

FX_HOST_DEVICE inline float erfc_f(float x) {
  const float ax = fabs_f(x);
  const float from_erf = erfc_small_f(ax < 1.0f ? x : 0.0f);
  const float ac = ax < 1.0f ? 1.0f : (ax > 10.1f ? 10.1f : ax);
  float tail = exp_neg_sq_f(ac) * erfc_large_poly(ac);  // erfc(|x|)
  tail = ax > 10.06f ? 0.0f : tail;
  const float big = x < 0.0f ? 2.0f - tail : tail;
  const float y = ax < 1.0f ? from_erf : big;
  return is_nan(x) ? x : y;
}

// ---- generic front ends: float uses the vectorisable versions, double uses <cmath> ----------

FX_HOST_DEVICE inline float fx_exp(float x) { return exp_f(x); }
FX_HOST_DEVICE inline double fx_exp(double x) { return std::exp(x); }
FX_HOST_DEVICE inline float fx_exp2(float x) { return exp2_f(x); }
FX_HOST_DEVICE inline double fx_exp2(double x) { return std::exp2(x); }
FX_HOST_DEVICE inline float fx_expm1(float x) { return expm1_f(x); }
FX_HOST_DEVICE inline double fx_expm1(double x) { return std::expm1(x); }
FX_HOST_DEVICE inline float fx_log(float x) { return log_f(x); }
FX_HOST_DEVICE inline double fx_log(double x) { return std::log(x); }
FX_HOST_DEVICE inline float fx_log2(float x) { return log2_f(x); }
FX_HOST_DEVICE inline double fx_log2(double x) { return std::log2(x); }
FX_HOST_DEVICE inline float fx_log10(float x) { return log10_f(x); }
FX_HOST_DEVICE inline double fx_log10(double x) { return std::log10(x); }
FX_HOST_DEVICE inline float fx_log1p(float x) { return log1p_f(x); }
FX_HOST_DEVICE inline double fx_log1p(double x) { return std::log1p(x); }
FX_HOST_DEVICE inline float fx_tanh(float x) { return tanh_f(x); }
FX_HOST_DEVICE inline double fx_tanh(double x) { return std::tanh(x); }
FX_HOST_DEVICE inline float fx_sigmoid(float x) { return sigmoid_f(x); }
FX_HOST_DEVICE inline double fx_sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
FX_HOST_DEVICE inline float fx_erf(float x) { return erf_f(x); }
FX_HOST_DEVICE inline double fx_erf(double x) { return std::erf(x); }
FX_HOST_DEVICE inline float fx_erfc(float x) { return erfc_f(x); }
FX_HOST_DEVICE inline double fx_erfc(double x) { return std::erfc(x); }
FX_HOST_DEVICE inline float fx_log1pexp(float x) { return log1pexp_f(x); }
FX_HOST_DEVICE inline double fx_log1pexp(double x) { return (x > 0.0 ? x : 0.0) + std::log1p(std::exp(-std::fabs(x))); }
template <class T>
FX_HOST_DEVICE inline T fx_abs(T x) {
  return x < T(0) ? -x : x;
}
FX_HOST_DEVICE inline float fx_abs(float x) { return fabs_f(x); }

// ---- activations (T = float or double) -------------------------------------------------------

template <class T>
FX_HOST_DEVICE inline T silu(T x) {
  return x * fx_sigmoid(x);
}
template <class T>
FX_HOST_DEVICE inline T gelu_exact(T x) {
  return T(0.5) * x * (T(1) + fx_erf(x * T(0.70710678118654752440)));
}
template <class T>
FX_HOST_DEVICE inline T gelu_tanh(T x) {
  const T k = T(0.79788456080286535588);  // sqrt(2/pi)
  return T(0.5) * x * (T(1) + fx_tanh(k * (x + T(0.044715) * x * x * x)));
}
/// PyTorch softplus: x when beta*x > threshold, else log1p(exp(beta*x)) / beta.
template <class T>
FX_HOST_DEVICE inline T softplus(T x, T beta, T threshold) {
  const T bx = x * beta;
  const T y = fx_log1pexp(bx) / beta;
  return bx > threshold ? x : y;
}
template <class T>
FX_HOST_DEVICE inline T mish(T x) {
  return x * fx_tanh(fx_log1pexp(x));
}
/// elu with PyTorch's (alpha, scale, input_scale).
template <class T>
FX_HOST_DEVICE inline T elu(T x, T alpha, T scale, T input_scale) {
  const T neg = scale * alpha * fx_expm1(x * input_scale);
  return x > T(0) ? scale * x : neg;
}
template <class T>
FX_HOST_DEVICE inline T logsigmoid(T x) {
  return -fx_log1pexp(-x);
}
/// clamp that propagates NaN from x and from the bounds (PyTorch semantics).
template <class T>
FX_HOST_DEVICE inline T clamp_nan(T x, T lo, T hi) {
  T y = x < lo ? lo : x;
  y = y > hi ? hi : y;
  y = is_nan(lo) ? lo : y;
  y = is_nan(hi) ? hi : y;
  return is_nan(x) ? x : y;
}
template <class T>
FX_HOST_DEVICE inline T hardtanh(T x, T lo, T hi) {
  return clamp_nan(x, lo, hi);
}
template <class T>
FX_HOST_DEVICE inline T hardsigmoid(T x) {
  return clamp_nan(x + T(3), T(0), T(6)) / T(6);
}
template <class T>
FX_HOST_DEVICE inline T hardswish(T x) {
  return x * clamp_nan(x + T(3), T(0), T(6)) / T(6);
}

// ---- binary helpers (PyTorch's CPU formulas) -------------------------------------------------

/// Floor division for floating point, as torch.div(rounding_mode="floor").
template <class T>
FX_HOST_DEVICE inline T div_floor_float(T a, T b) {
  if (b == T(0)) return a / b;
  const T mod = std::fmod(a, b);
  T div = (a - mod) / b;
  if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) div -= T(1);
  T fl;
  if (div != T(0)) {
    fl = std::floor(div);
    if (div - fl > T(0.5)) fl += T(1);
  } else {
    fl = std::copysign(T(0), a / b);
  }
  return fl;
}
/// Python-style remainder for floating point (result has the sign of b).
template <class T>
FX_HOST_DEVICE inline T remainder_float(T a, T b) {
  T mod = std::fmod(a, b);
  if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) mod += b;
  return mod;
}
/// Integer floor division (b != 0 checked by the caller; b == -1 avoids the INT_MIN trap).
template <class T>
FX_HOST_DEVICE inline T div_floor_int(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    if (b == T(-1)) return static_cast<T>(T(0) - static_cast<std::make_unsigned_t<T>>(a));
    const T q = static_cast<T>(a / b);
    const T r = static_cast<T>(a % b);
    return (r != 0 && ((r < 0) != (b < 0))) ? static_cast<T>(q - 1) : q;
  } else {
    return static_cast<T>(a / b);
  }
}
template <class T>
FX_HOST_DEVICE inline T div_trunc_int(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    if (b == T(-1)) return static_cast<T>(T(0) - static_cast<std::make_unsigned_t<T>>(a));
  }
  return static_cast<T>(a / b);
}
template <class T>
FX_HOST_DEVICE inline T fmod_int(T a, T b) {
  if constexpr (std::is_signed_v<T>) {
    if (b == T(-1)) return T(0);
  }
  return static_cast<T>(a % b);
}
template <class T>
FX_HOST_DEVICE inline T remainder_int(T a, T b) {
  T r = fmod_int(a, b);
  if constexpr (std::is_signed_v<T>) {
    if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
  }
  return r;
}
/// Integer power by squaring; negative exponents follow PyTorch (1, +-1 for base -1, else 0).
template <class T>
FX_HOST_DEVICE inline T pow_int(T base, T exp) {
  if constexpr (std::is_signed_v<T>) {
    if (exp < 0) {
      if (base == 1) return 1;
      if (base == -1) return (exp % 2 == 0) ? T(1) : T(-1);
      return 0;
    }
  }
  using U = std::make_unsigned_t<std::conditional_t<(sizeof(T) < 4), int32_t, T>>;
  U result = 1, b = static_cast<U>(base);
  auto e = static_cast<std::make_unsigned_t<T>>(exp);
  while (e) {
    if (e & 1) result = static_cast<U>(result * b);
    b = static_cast<U>(b * b);
    e >>= 1;
  }
  return static_cast<T>(result);
}
/// maximum / minimum propagating NaN.
template <class T>
FX_HOST_DEVICE inline T max_nan(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const T m = a > b ? a : b;
    return is_nan(a) ? a : (is_nan(b) ? b : m);
  } else {
    return a > b ? a : b;
  }
}
template <class T>
FX_HOST_DEVICE inline T min_nan(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    const T m = a < b ? a : b;
    return is_nan(a) ? a : (is_nan(b) ? b : m);
  } else {
    return a < b ? a : b;
  }
}
/// lerp with PyTorch's two-sided formula (exact at weight 0 and 1).
template <class T>
FX_HOST_DEVICE inline T lerp(T start, T end, T w) {
  const T d = end - start;
  return fx_abs(w) < T(0.5) ? start + w * d : end - d * (T(1) - w);
}
/// Round half to even with `decimals` (PyTorch's round.decimals formula).
template <class T>
FX_HOST_DEVICE inline T round_decimals(T x, int64_t decimals, T ten_pow) {
  if (decimals == 0) return std::nearbyint(x);
  if (decimals > 0) return std::nearbyint(x * ten_pow) / ten_pow;
  return std::nearbyint(x / ten_pow) * ten_pow;
}

// ---- wrapping integer arithmetic (signed overflow is UB in C++; tensors wrap) ----------------

template <class T>
FX_HOST_DEVICE inline T wrap_add(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
  } else {
    return a + b;
  }
}
template <class T>
FX_HOST_DEVICE inline T wrap_sub(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    using U = std::make_unsigned_t<T>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
  } else {
    return a - b;
  }
}
template <class T>
FX_HOST_DEVICE inline T wrap_mul(T a, T b) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // Widen small types to unsigned int so the product never goes through signed int.
    using U = std::make_unsigned_t<std::conditional_t<(sizeof(T) < 4), int32_t, T>>;
    return static_cast<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
  } else {
    return a * b;
  }
}
template <class T>
FX_HOST_DEVICE inline T wrap_neg(T a) {
  return wrap_sub(T(0), a);
}

}  // namespace fluxion::kernels::math
