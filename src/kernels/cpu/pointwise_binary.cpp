// CPU binary kernel: out = f(a, b) for every dtype, with a Python-number operand kept in the
// compute type (float for f16/bf16, as PyTorch's opmath). 16-bit floats compute in float and
// round once per element.
#include <cmath>

#include "kernels/cpu/loops.h"
#include "kernels/cpu/pointwise_cpu.h"
#include "kernels/functors.h"

namespace fluxion::kernels {

// ---- contiguous float fast paths (Note [Runtime ISA dispatch]) --------------------------------

FX_TARGET_CLONES void add_f32(const float* a, const float* b, float* o, int64_t n, float alpha) {
  if (alpha == 1.0f) {
    for (int64_t i = 0; i < n; ++i) o[i] = a[i] + b[i];
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = a[i] + alpha * b[i];
  }
}
FX_TARGET_CLONES void sub_f32(const float* a, const float* b, float* o, int64_t n, float alpha) {
  if (alpha == 1.0f) {
    for (int64_t i = 0; i < n; ++i) o[i] = a[i] - b[i];
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = a[i] - alpha * b[i];
  }
}
FX_TARGET_CLONES void mul_f32(const float* a, const float* b, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = a[i] * b[i];
}
FX_TARGET_CLONES void div_f32(const float* a, const float* b, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = a[i] / b[i];
}

namespace {

using namespace math;  // NOLINT

// Applies f over (out, a, b) where either input may be the scalar p.scalar.
template <class T, class F>
void run_binary(const Tensor& out, const Tensor& a, const Tensor& b, const BinaryParams& p, const F& f) {
  using O = opmath_t<T>;
  if (a.defined() && b.defined()) {
    LoopPlan plan = make_pointwise_plan({&out, &a, &b});
    run_pointwise_plan(plan, [&f](char** d, const int64_t* s, int64_t n) {
      binary_loop<T, T, T>(d, s, n, [&f](T x, T y) { return static_cast<T>(f(static_cast<O>(x), static_cast<O>(y))); });
    });
  } else if (a.defined()) {
    const O sv = scalar_as<O>(p.scalar);
    LoopPlan plan = make_pointwise_plan({&out, &a});
    run_pointwise_plan(plan, [&f, sv](char** d, const int64_t* s, int64_t n) {
      unary_loop<T, T>(d, s, n, [&f, sv](T x) { return static_cast<T>(f(static_cast<O>(x), sv)); });
    });
  } else {
    const O sv = scalar_as<O>(p.scalar);
    LoopPlan plan = make_pointwise_plan({&out, &b});
    run_pointwise_plan(plan, [&f, sv](char** d, const int64_t* s, int64_t n) {
      unary_loop<T, T>(d, s, n, [&f, sv](T y) { return static_cast<T>(f(sv, static_cast<O>(y))); });
    });
  }
}

// Tries the ISA-dispatched contiguous loops for float add/sub/mul/div; false if not applicable.
bool try_f32_fast(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, const BinaryParams& p) {
  if (!a.defined() || !b.defined()) return false;
  if (!(out.is_contiguous() && a.is_contiguous() && b.is_contiguous())) return false;
  const float* pa = static_cast<const float*>(a.data_ptr());
  const float* pb = static_cast<const float*>(b.data_ptr());
  float* po = static_cast<float*>(out.data_ptr());
  const float alpha = static_cast<float>(p.alpha.to_double());
  auto body = [&](int64_t s, int64_t e) {
    switch (op) {
      case BinaryOp::Add: add_f32(pa + s, pb + s, po + s, e - s, alpha); break;
      case BinaryOp::Sub: sub_f32(pa + s, pb + s, po + s, e - s, alpha); break;
      case BinaryOp::Mul: mul_f32(pa + s, pb + s, po + s, e - s); break;
      default: div_f32(pa + s, pb + s, po + s, e - s); break;
    }
  };
  parallel_for(out.numel(), kGrainSize, body);
  return true;
}

template <class T>
void binary_floating(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, const BinaryParams& p) {
  using O = opmath_t<T>;
  if constexpr (std::is_same_v<T, float>) {
    if ((op == BinaryOp::Add || op == BinaryOp::Sub || op == BinaryOp::Mul || op == BinaryOp::Div) &&
        try_f32_fast(out, a, b, op, p))
      return;
  }
  const O alpha = scalar_as<O>(p.alpha);
  switch (op) {
    case BinaryOp::Add:
      if (alpha == O(1)) return run_binary<T>(out, a, b, p, [](O x, O y) { return x + y; });
      return run_binary<T>(out, a, b, p, [alpha](O x, O y) { return x + alpha * y; });
    case BinaryOp::Sub:
      if (alpha == O(1)) return run_binary<T>(out, a, b, p, [](O x, O y) { return x - y; });
      return run_binary<T>(out, a, b, p, [alpha](O x, O y) { return x - alpha * y; });
    case BinaryOp::Mul: return run_binary<T>(out, a, b, p, [](O x, O y) { return x * y; });
    case BinaryOp::Div: return run_binary<T>(out, a, b, p, [](O x, O y) { return x / y; });
    case BinaryOp::DivTrunc: return run_binary<T>(out, a, b, p, [](O x, O y) { return std::trunc(x / y); });
    case BinaryOp::DivFloor: return run_binary<T>(out, a, b, p, [](O x, O y) { return div_floor_float(x, y); });
    case BinaryOp::Fmod: return run_binary<T>(out, a, b, p, [](O x, O y) { return std::fmod(x, y); });
    case BinaryOp::Remainder: return run_binary<T>(out, a, b, p, [](O x, O y) { return remainder_float(x, y); });
    case BinaryOp::Maximum: return run_binary<T>(out, a, b, p, [](O x, O y) { return max_nan(x, y); });
    case BinaryOp::Minimum: return run_binary<T>(out, a, b, p, [](O x, O y) { return min_nan(x, y); });
    case BinaryOp::Atan2: return run_binary<T>(out, a, b, p, [](O x, O y) { return std::atan2(x, y); });
    case BinaryOp::Pow: return run_binary<T>(out, a, b, p, [](O x, O y) { return std::pow(x, y); });
    case BinaryOp::Lerp: return run_binary<T>(out, a, b, p, [alpha](O x, O y) { return math::lerp(x, y, alpha); });
    default: break;
  }
  FX_FAIL("binary op ", static_cast<int>(op), ": not implemented for dtype ", dtype_of<T>);
}

// Integer division and modulo trap on a zero divisor; check first and throw a clear error.
template <class T>
void check_no_zero_divisor(const Tensor& b, const BinaryParams& p, const char* what) {
  bool zero = false;
  if (!b.defined()) {
    zero = scalar_as<T>(p.scalar) == T(0);
  } else {
    LoopPlan plan = make_pointwise_plan({&b});
    // Single-threaded on purpose: it only reads, and a flag shared across threads is not worth it.
    run_pointwise_plan(
        plan,
        [&zero](char** d, const int64_t* s, int64_t n) {
          bool z = false;
          for (int64_t i = 0; i < n; ++i) z |= *reinterpret_cast<const T*>(d[0] + i * s[0]) == T(0);
          zero = zero || z;
        },
        std::numeric_limits<int64_t>::max());
  }
  FX_CHECK(!zero, what, ": integer division by zero (ZeroDivisionError)");
}

template <class T>
void binary_integral(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, const BinaryParams& p) {
  const T alpha = scalar_as<T>(p.alpha);
  switch (op) {
    case BinaryOp::Add:
      if (alpha == T(1)) return run_binary<T>(out, a, b, p, [](T x, T y) { return wrap_add(x, y); });
      return run_binary<T>(out, a, b, p, [alpha](T x, T y) { return wrap_add(x, wrap_mul(alpha, y)); });
    case BinaryOp::Sub:
      if (alpha == T(1)) return run_binary<T>(out, a, b, p, [](T x, T y) { return wrap_sub(x, y); });
      return run_binary<T>(out, a, b, p, [alpha](T x, T y) { return wrap_sub(x, wrap_mul(alpha, y)); });
    case BinaryOp::Mul: return run_binary<T>(out, a, b, p, [](T x, T y) { return wrap_mul(x, y); });
    case BinaryOp::DivTrunc:
      check_no_zero_divisor<T>(b, p, "div");
      return run_binary<T>(out, a, b, p, [](T x, T y) { return div_trunc_int(x, y); });
    case BinaryOp::DivFloor:
      check_no_zero_divisor<T>(b, p, "div");
      return run_binary<T>(out, a, b, p, [](T x, T y) { return div_floor_int(x, y); });
    case BinaryOp::Fmod:
      check_no_zero_divisor<T>(b, p, "fmod");
      return run_binary<T>(out, a, b, p, [](T x, T y) { return fmod_int(x, y); });
    case BinaryOp::Remainder:
      check_no_zero_divisor<T>(b, p, "remainder");
      return run_binary<T>(out, a, b, p, [](T x, T y) { return remainder_int(x, y); });
    case BinaryOp::Maximum: return run_binary<T>(out, a, b, p, [](T x, T y) { return x > y ? x : y; });
    case BinaryOp::Minimum: return run_binary<T>(out, a, b, p, [](T x, T y) { return x < y ? x : y; });
    case BinaryOp::Pow: return run_binary<T>(out, a, b, p, [](T x, T y) { return pow_int(x, y); });
    case BinaryOp::BitAnd: return run_binary<T>(out, a, b, p, [](T x, T y) { return static_cast<T>(x & y); });
    case BinaryOp::BitOr: return run_binary<T>(out, a, b, p, [](T x, T y) { return static_cast<T>(x | y); });
    case BinaryOp::BitXor: return run_binary<T>(out, a, b, p, [](T x, T y) { return static_cast<T>(x ^ y); });
    default: break;
  }
  FX_FAIL("binary op ", static_cast<int>(op), ": not implemented for dtype ", dtype_of<T>);
}

void binary_bool(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, const BinaryParams& p) {
  const bool alpha = p.alpha.to_bool();
  switch (op) {
    case BinaryOp::Add: return run_binary<bool>(out, a, b, p, [alpha](bool x, bool y) { return x || (alpha && y); });
    case BinaryOp::Mul:
    case BinaryOp::Minimum:
    case BinaryOp::BitAnd: return run_binary<bool>(out, a, b, p, [](bool x, bool y) { return x && y; });
    case BinaryOp::Maximum:
    case BinaryOp::BitOr: return run_binary<bool>(out, a, b, p, [](bool x, bool y) { return x || y; });
    case BinaryOp::BitXor: return run_binary<bool>(out, a, b, p, [](bool x, bool y) { return x != y; });
    default: break;
  }
  FX_FAIL("binary op ", static_cast<int>(op), ": not implemented for dtype bool");
}

}  // namespace

FX_DEFINE_KERNEL(binary_kernel, BinaryFn);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::Float32, &binary_floating<float>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::Float64, &binary_floating<double>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::Float16, &binary_floating<Half>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::BFloat16, &binary_floating<BFloat16>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::Int8, &binary_integral<int8_t>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::UInt8, &binary_integral<uint8_t>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::Int32, &binary_integral<int32_t>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::Int64, &binary_integral<int64_t>);
FX_REGISTER_KERNEL(binary_kernel, DeviceType::CPU, DType::Bool, &binary_bool);

}  // namespace fluxion::kernels
