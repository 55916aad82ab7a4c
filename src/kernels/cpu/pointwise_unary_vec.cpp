// Contiguous-array formulas of the floating unary ops: y[i] = f(x[i]).
//
// Each float formula is a plain loop over an inlined FX_HOST_DEVICE function from
// kernels/functors.h, compiled three times (Note [Runtime ISA dispatch]) so it runs 16 lanes
// wide on AVX-512 machines. Measured with bench/pointwise_bench.cpp: exp over 16M floats runs
// at memory bandwidth instead of ~6x slower with scalar libm calls. The double formulas use
// <cmath> through the same expressions (one source of truth for each op's formula).
#include <cmath>
#include <limits>

#include "kernels/cpu/pointwise_cpu.h"
#include "kernels/functors.h"

// glibc's vector math library (libmvec, linked by src/CMakeLists.txt) has SIMD versions of these;
// math.h declares them only under -ffast-math, so they are declared here, and GCC then turns the
// loops below into calls of _ZGVeN16v_sinf & co. (AVX-512, AVX2 and SSE variants, picked by the
// ISA clone; ifunc-dispatched inside libmvec). Measured: sin on 16M floats 62.8 -> ~7 ms, within
// 2 ulp of the correctly rounded result.
extern "C" {
#define FX_SIMD_MATH(name)                                            \
  __attribute__((simd("notinbranch"))) float name##f(float) noexcept; \
  __attribute__((simd("notinbranch"))) double name(double) noexcept;
FX_SIMD_MATH(sin)
FX_SIMD_MATH(cos)
FX_SIMD_MATH(tan)
FX_SIMD_MATH(asin)
FX_SIMD_MATH(acos)
FX_SIMD_MATH(atan)
FX_SIMD_MATH(sinh)
FX_SIMD_MATH(cosh)
#undef FX_SIMD_MATH
}

namespace fluxion::kernels {
namespace {

using namespace math;  // NOLINT: the formulas below read as math

// sqrt only vectorises when it need not set errno; the attribute is applied to these loops
// alone because GCC will not inline functions across a math-errno difference.
#define FX_NO_ERRNO __attribute__((optimize("no-math-errno")))

// Defines NAME_f32 (ISA-cloned) and NAME_f64 from one expression in `v` of type T. PRE runs
// once per call (read parameters into locals so the loop body vectorises).
#define FX_UNARY_FORMULA_ATTR(NAME, ATTR, PRE, EXPR)                                                 \
  ATTR FX_TARGET_CLONES void NAME##_f32(const float* x, float* y, int64_t n, const UnaryParams& p) { \
    using T = float;                                                                                 \
    PRE;                                                                                             \
    for (int64_t i = 0; i < n; ++i) {                                                                \
      const T v = x[i];                                                                              \
      y[i] = (EXPR);                                                                                 \
    }                                                                                                \
  }                                                                                                  \
  ATTR void NAME##_f64(const double* x, double* y, int64_t n, const UnaryParams& p) {                \
    using T = double;                                                                                \
    PRE;                                                                                             \
    for (int64_t i = 0; i < n; ++i) {                                                                \
      const T v = x[i];                                                                              \
      y[i] = (EXPR);                                                                                 \
    }                                                                                                \
  }
#define FX_UNARY_FORMULA(NAME, PRE, EXPR) FX_UNARY_FORMULA_ATTR(NAME, , PRE, EXPR)
#define FX_NOPRE (void)p

FX_UNARY_FORMULA(neg, FX_NOPRE, -v)
FX_UNARY_FORMULA(abs, FX_NOPRE, fx_abs(v))
FX_UNARY_FORMULA(sign, FX_NOPRE, static_cast<T>((v > T(0)) - (v < T(0))))
FX_UNARY_FORMULA(exp, FX_NOPRE, fx_exp(v))
FX_UNARY_FORMULA(exp2, FX_NOPRE, fx_exp2(v))
FX_UNARY_FORMULA(log, FX_NOPRE, fx_log(v))
FX_UNARY_FORMULA(log2, FX_NOPRE, fx_log2(v))
FX_UNARY_FORMULA(log10, FX_NOPRE, fx_log10(v))
FX_UNARY_FORMULA(log1p, FX_NOPRE, fx_log1p(v))
FX_UNARY_FORMULA(expm1, FX_NOPRE, fx_expm1(v))
FX_UNARY_FORMULA_ATTR(sqrt, FX_NO_ERRNO, FX_NOPRE, std::sqrt(v))
FX_UNARY_FORMULA_ATTR(rsqrt, FX_NO_ERRNO, FX_NOPRE, T(1) / std::sqrt(v))
FX_UNARY_FORMULA(reciprocal, FX_NOPRE, T(1) / v)
FX_UNARY_FORMULA(square, FX_NOPRE, v* v)
FX_UNARY_FORMULA(sin, FX_NOPRE, std::sin(v))
FX_UNARY_FORMULA(cos, FX_NOPRE, std::cos(v))
FX_UNARY_FORMULA(tan, FX_NOPRE, std::tan(v))
FX_UNARY_FORMULA(asin, FX_NOPRE, std::asin(v))
FX_UNARY_FORMULA(acos, FX_NOPRE, std::acos(v))
FX_UNARY_FORMULA(atan, FX_NOPRE, std::atan(v))
FX_UNARY_FORMULA(sinh, FX_NOPRE, std::sinh(v))
FX_UNARY_FORMULA(cosh, FX_NOPRE, std::cosh(v))
FX_UNARY_FORMULA(tanh, FX_NOPRE, fx_tanh(v))
FX_UNARY_FORMULA(sigmoid, FX_NOPRE, fx_sigmoid(v))
FX_UNARY_FORMULA(relu, FX_NOPRE, v < T(0) ? T(0) : v)  // NaN stays NaN, as clamp_min
FX_UNARY_FORMULA(silu, FX_NOPRE, silu(v))
FX_UNARY_FORMULA(erf, FX_NOPRE, fx_erf(v))
FX_UNARY_FORMULA(erfc, FX_NOPRE, fx_erfc(v))
FX_UNARY_FORMULA(floor, FX_NOPRE, std::floor(v))
FX_UNARY_FORMULA(ceil, FX_NOPRE, std::ceil(v))
FX_UNARY_FORMULA(trunc, FX_NOPRE, std::trunc(v))
FX_UNARY_FORMULA(frac, FX_NOPRE, v - std::trunc(v))
FX_UNARY_FORMULA(round, const int64_t d = p.i0;
                 const T tp = static_cast<T>(std::pow(10.0, static_cast<double>(d < 0 ? -d : d))),
                 round_decimals(v, d, tp))
// logit: clamp to [lo, hi] = [eps, 1 - eps] (b, c; computed by the op in the tensor's dtype, as
// PyTorch does) when eps >= 0 was given (a); NaN passes through.
FX_UNARY_FORMULA(logit, const bool has_eps = p.a >= 0; const T lo = static_cast<T>(p.b);
                 const T hi = static_cast<T>(p.c), fx_log((has_eps ? (v < lo ? lo : (v > hi ? hi : v)) : v) /
                                                          (T(1) - (has_eps ? (v < lo ? lo : (v > hi ? hi : v)) : v))))
FX_UNARY_FORMULA(leaky_relu, const T slope = static_cast<T>(p.a), v > T(0) ? v : v * slope)
FX_UNARY_FORMULA(elu, const T al = static_cast<T>(p.a); const T sc = static_cast<T>(p.b);
                 const T is = static_cast<T>(p.c), elu(v, al, sc, is))
FX_UNARY_FORMULA(gelu, FX_NOPRE, gelu_exact(v))
FX_UNARY_FORMULA(gelu_tanh, FX_NOPRE, gelu_tanh(v))
FX_UNARY_FORMULA(softplus, const T beta = static_cast<T>(p.a); const T th = static_cast<T>(p.b), softplus(v, beta, th))
FX_UNARY_FORMULA(mish, FX_NOPRE, mish(v))
FX_UNARY_FORMULA(hardtanh, const T lo = p.s0.to<T>(); const T hi = p.s1.to<T>(), hardtanh(v, lo, hi))
FX_UNARY_FORMULA(hardsigmoid, FX_NOPRE, hardsigmoid(v))
FX_UNARY_FORMULA(hardswish, FX_NOPRE, hardswish(v))
FX_UNARY_FORMULA(softsign, FX_NOPRE, v / (T(1) + fx_abs(v)))
FX_UNARY_FORMULA(tanhshrink, FX_NOPRE, v - fx_tanh(v))
FX_UNARY_FORMULA(logsigmoid, FX_NOPRE, logsigmoid(v))
FX_UNARY_FORMULA(nan_to_num, const T rn = static_cast<T>(p.a); const T rp = static_cast<T>(p.b);
                 const T rm = static_cast<T>(p.c),
                 is_nan(v)
                     ? rn
                     : (v == std::numeric_limits<T>::infinity() ? rp
                                                                : (v == -std::numeric_limits<T>::infinity() ? rm : v)))
FX_UNARY_FORMULA(clamp, const T lo = (p.i0 & 1) ? p.s0.to<T>() : -std::numeric_limits<T>::infinity();
                 const T hi = (p.i0 & 2) ? p.s1.to<T>() : std::numeric_limits<T>::infinity(), clamp_nan(v, lo, hi))
FX_UNARY_FORMULA(pow_general, const T e = p.s0.to<T>(), std::pow(v, e))
FX_UNARY_FORMULA_ATTR(pow_half, FX_NO_ERRNO, FX_NOPRE, std::sqrt(v))
FX_UNARY_FORMULA(pow_two, FX_NOPRE, v* v)
FX_UNARY_FORMULA(pow_three, FX_NOPRE, v* v* v)
FX_UNARY_FORMULA(pow_minus_one, FX_NOPRE, T(1) / v)

#undef FX_UNARY_FORMULA
#undef FX_UNARY_FORMULA_ATTR

// pow with a scalar exponent: the common exponents get exact, vectorisable formulas.
void pow_scalar_f32(const float* x, float* y, int64_t n, const UnaryParams& p) {
  const double e = p.s0.to_double();
  if (e == 2.0) return pow_two_f32(x, y, n, p);
  if (e == 0.5) return pow_half_f32(x, y, n, p);
  if (e == 3.0) return pow_three_f32(x, y, n, p);
  if (e == -1.0) return pow_minus_one_f32(x, y, n, p);
  if (e == 1.0) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i];
    return;
  }
  pow_general_f32(x, y, n, p);
}
void pow_scalar_f64(const double* x, double* y, int64_t n, const UnaryParams& p) {
  const double e = p.s0.to_double();
  if (e == 2.0) return pow_two_f64(x, y, n, p);
  if (e == 0.5) return pow_half_f64(x, y, n, p);
  if (e == 3.0) return pow_three_f64(x, y, n, p);
  if (e == -1.0) return pow_minus_one_f64(x, y, n, p);
  if (e == 1.0) {
    for (int64_t i = 0; i < n; ++i) y[i] = x[i];
    return;
  }
  pow_general_f64(x, y, n, p);
}

}  // namespace

#define FX_UNARY_CASES(SUFFIX)                              \
  switch (op) {                                             \
    case UnaryOp::Neg: return neg_##SUFFIX;                 \
    case UnaryOp::Abs: return abs_##SUFFIX;                 \
    case UnaryOp::Sign: return sign_##SUFFIX;               \
    case UnaryOp::Exp: return exp_##SUFFIX;                 \
    case UnaryOp::Exp2: return exp2_##SUFFIX;               \
    case UnaryOp::Log: return log_##SUFFIX;                 \
    case UnaryOp::Log2: return log2_##SUFFIX;               \
    case UnaryOp::Log10: return log10_##SUFFIX;             \
    case UnaryOp::Log1p: return log1p_##SUFFIX;             \
    case UnaryOp::Expm1: return expm1_##SUFFIX;             \
    case UnaryOp::Sqrt: return sqrt_##SUFFIX;               \
    case UnaryOp::Rsqrt: return rsqrt_##SUFFIX;             \
    case UnaryOp::Reciprocal: return reciprocal_##SUFFIX;   \
    case UnaryOp::Square: return square_##SUFFIX;           \
    case UnaryOp::Sin: return sin_##SUFFIX;                 \
    case UnaryOp::Cos: return cos_##SUFFIX;                 \
    case UnaryOp::Tan: return tan_##SUFFIX;                 \
    case UnaryOp::Asin: return asin_##SUFFIX;               \
    case UnaryOp::Acos: return acos_##SUFFIX;               \
    case UnaryOp::Atan: return atan_##SUFFIX;               \
    case UnaryOp::Sinh: return sinh_##SUFFIX;               \
    case UnaryOp::Cosh: return cosh_##SUFFIX;               \
    case UnaryOp::Tanh: return tanh_##SUFFIX;               \
    case UnaryOp::Sigmoid: return sigmoid_##SUFFIX;         \
    case UnaryOp::Relu: return relu_##SUFFIX;               \
    case UnaryOp::Silu: return silu_##SUFFIX;               \
    case UnaryOp::Erf: return erf_##SUFFIX;                 \
    case UnaryOp::Erfc: return erfc_##SUFFIX;               \
    case UnaryOp::Floor: return floor_##SUFFIX;             \
    case UnaryOp::Ceil: return ceil_##SUFFIX;               \
    case UnaryOp::Trunc: return trunc_##SUFFIX;             \
    case UnaryOp::Frac: return frac_##SUFFIX;               \
    case UnaryOp::Round: return round_##SUFFIX;             \
    case UnaryOp::Logit: return logit_##SUFFIX;             \
    case UnaryOp::LeakyRelu: return leaky_relu_##SUFFIX;    \
    case UnaryOp::Elu: return elu_##SUFFIX;                 \
    case UnaryOp::Gelu: return gelu_##SUFFIX;               \
    case UnaryOp::GeluTanh: return gelu_tanh_##SUFFIX;      \
    case UnaryOp::Softplus: return softplus_##SUFFIX;       \
    case UnaryOp::Mish: return mish_##SUFFIX;               \
    case UnaryOp::Hardtanh: return hardtanh_##SUFFIX;       \
    case UnaryOp::Hardsigmoid: return hardsigmoid_##SUFFIX; \
    case UnaryOp::Hardswish: return hardswish_##SUFFIX;     \
    case UnaryOp::Softsign: return softsign_##SUFFIX;       \
    case UnaryOp::Tanhshrink: return tanhshrink_##SUFFIX;   \
    case UnaryOp::Logsigmoid: return logsigmoid_##SUFFIX;   \
    case UnaryOp::NanToNum: return nan_to_num_##SUFFIX;     \
    case UnaryOp::Clamp: return clamp_##SUFFIX;             \
    case UnaryOp::PowScalar: return pow_scalar_##SUFFIX;    \
    case UnaryOp::BitwiseNot:                               \
    case UnaryOp::kCount: break;                            \
  }                                                         \
  return nullptr;

F32ArrayFn f32_array_fn(UnaryOp op){FX_UNARY_CASES(f32)} F64ArrayFn f64_array_fn(UnaryOp op) { FX_UNARY_CASES(f64) }

#undef FX_UNARY_CASES

}  // namespace fluxion::kernels
