// CPU unary kernel: out = f(x) for every dtype.
//
// Floating dtypes run the contiguous-array formulas of pointwise_unary_vec.cpp: directly on the
// tensor memory when both are contiguous float/double, otherwise through a small stack buffer
// (gather/convert a block, run the vectorised formula, convert/scatter back), so strided and
// 16-bit inputs still get the vectorised math. Integer and bool dtypes have their own formulas.
#include <cstring>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/pointwise_cpu.h"
#include "kernels/functors.h"

namespace fluxion::kernels {
namespace {

constexpr int64_t kBlock = 256;

// Grain for the threaded loop: transcendental formulas pay for threads earlier than copies.
int64_t unary_grain(UnaryOp op) {
  switch (op) {
    case UnaryOp::Neg:
    case UnaryOp::Abs:
    case UnaryOp::Relu:
    case UnaryOp::Square:
    case UnaryOp::Clamp:
    case UnaryOp::Hardtanh: return kGrainSize;
    default: return kGrainSize / 4;
  }
}

template <class T>
void unary_floating(const Tensor& out, const Tensor& x, UnaryOp op, const UnaryParams& p) {
  using C = std::conditional_t<std::is_same_v<T, double>, double, float>;  // compute type
  using Fn = void (*)(const C*, C*, int64_t, const UnaryParams&);
  Fn fn;
  if constexpr (std::is_same_v<C, double>)
    fn = f64_array_fn(op);
  else
    fn = f32_array_fn(op);
  FX_CHECK(fn != nullptr, "unary op ", static_cast<int>(op), ": not implemented for dtype ", dtype_of<T>);
  LoopPlan plan = make_pointwise_plan({&out, &x});
  run_pointwise_plan(
      plan,
      [&](char** d, const int64_t* s, int64_t n) {
        if constexpr (std::is_same_v<T, C>) {
          if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
            fn(reinterpret_cast<const C*>(d[1]), reinterpret_cast<C*>(d[0]), n, p);
            return;
          }
        }
        alignas(64) C buf[kBlock];
        for (int64_t b = 0; b < n; b += kBlock) {
          const int64_t m = std::min(kBlock, n - b);
          const char* src = d[1] + b * s[1];
          for (int64_t i = 0; i < m; ++i) buf[i] = static_cast<C>(*reinterpret_cast<const T*>(src + i * s[1]));
          fn(buf, buf, m, p);
          char* dst = d[0] + b * s[0];
          for (int64_t i = 0; i < m; ++i) *reinterpret_cast<T*>(dst + i * s[0]) = static_cast<T>(buf[i]);
        }
      },
      unary_grain(op));
}

template <class T, class F>
void map_int(const Tensor& out, const Tensor& x, const F& f) {
  LoopPlan plan = make_pointwise_plan({&out, &x});
  run_pointwise_plan(plan, [&](char** d, const int64_t* s, int64_t n) { unary_loop<T, T>(d, s, n, f); });
}

template <class T>
bool is_neg(T v) {
  if constexpr (std::is_signed_v<T>)
    return v < T(0);
  else
    return false;
}

template <class T>
void unary_integral(const Tensor& out, const Tensor& x, UnaryOp op, const UnaryParams& p) {
  using namespace math;  // NOLINT
  switch (op) {
    case UnaryOp::Neg: return map_int<T>(out, x, [](T v) { return wrap_neg(v); });
    case UnaryOp::Abs: return map_int<T>(out, x, [](T v) { return is_neg(v) ? wrap_neg(v) : v; });
    case UnaryOp::Sign: return map_int<T>(out, x, [](T v) { return static_cast<T>((v > T(0)) - is_neg(v)); });
    case UnaryOp::Square: return map_int<T>(out, x, [](T v) { return wrap_mul(v, v); });
    case UnaryOp::Relu: return map_int<T>(out, x, [](T v) { return is_neg(v) ? T(0) : v; });
    case UnaryOp::Floor:
    case UnaryOp::Ceil:
    case UnaryOp::Trunc:
    case UnaryOp::Round: return map_int<T>(out, x, [](T v) { return v; });
    case UnaryOp::BitwiseNot: return map_int<T>(out, x, [](T v) { return static_cast<T>(~v); });
    case UnaryOp::Clamp:
    case UnaryOp::Hardtanh: {
      const bool has_lo = op == UnaryOp::Hardtanh || (p.i0 & 1);
      const bool has_hi = op == UnaryOp::Hardtanh || (p.i0 & 2);
      const T lo = has_lo ? scalar_as<T>(p.s0) : std::numeric_limits<T>::lowest();
      const T hi = has_hi ? scalar_as<T>(p.s1) : std::numeric_limits<T>::max();
      return map_int<T>(out, x, [lo, hi](T v) { return std::min(std::max(v, lo), hi); });
    }
    case UnaryOp::PowScalar: {
      const T e = scalar_as<T>(p.s0);
      return map_int<T>(out, x, [e](T v) { return pow_int(v, e); });
    }
    default: break;
  }
  FX_FAIL("unary op ", static_cast<int>(op), ": not implemented for dtype ", dtype_of<T>);
}

void unary_bool(const Tensor& out, const Tensor& x, UnaryOp op, const UnaryParams& p) {
  switch (op) {
    case UnaryOp::Sign: return map_int<bool>(out, x, [](bool v) { return v; });
    case UnaryOp::BitwiseNot: return map_int<bool>(out, x, [](bool v) { return !v; });
    case UnaryOp::PowScalar: {
      const bool e = p.s0.to_bool();
      return map_int<bool>(out, x, [e](bool v) { return v || !e; });
    }
    default: break;
  }
  FX_FAIL("unary op ", static_cast<int>(op), ": not implemented for dtype bool");
}

}  // namespace

FX_DEFINE_KERNEL(unary_kernel, UnaryFn);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::Float32, &unary_floating<float>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::Float64, &unary_floating<double>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::Float16, &unary_floating<Half>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::BFloat16, &unary_floating<BFloat16>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::Int8, &unary_integral<int8_t>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::UInt8, &unary_integral<uint8_t>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::Int32, &unary_integral<int32_t>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::Int64, &unary_integral<int64_t>);
FX_REGISTER_KERNEL(unary_kernel, DeviceType::CPU, DType::Bool, &unary_bool);

}  // namespace fluxion::kernels
