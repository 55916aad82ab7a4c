// Kernel tables of the elementwise family. Few tables, each selecting the formula by an op enum,
// so a device backend registers five functions rather than a hundred. Ops (src/ops/pointwise_*)
// do shape/dtype work and hand the kernels operands that already have the output's sizes
// (broadcast dims as stride-0 views) and the compute dtype.
#pragma once

#include <cstdint>

#include "fluxion/scalar.h"
#include "fluxion/tensor.h"
#include "kernels/dispatch.h"

namespace fluxion::kernels {

/// out = f(x); out and x have the same sizes and dtype (the table key).
// clang-format off
enum class UnaryOp : uint8_t {
  Neg, Abs, Sign, Exp, Exp2, Log, Log2, Log10, Log1p, Expm1, Sqrt, Rsqrt, Reciprocal, Square,
  Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Sigmoid, Relu, Silu, Erf, Erfc,
  Floor, Ceil, Trunc, Frac,
  Round,        // i0 = decimals
  Logit,        // a = eps (used when a >= 0), b = lo, c = hi clamp bounds
  LeakyRelu,    // a = negative slope
  Elu,          // a = alpha, b = scale, c = input_scale
  Gelu, GeluTanh,
  Softplus,     // a = beta, b = threshold
  Mish,
  Hardtanh,     // s0 = min, s1 = max (NaN-propagating clamp; also relu6)
  Hardsigmoid, Hardswish, Softsign, Tanhshrink, Logsigmoid,
  NanToNum,     // a = nan, b = posinf, c = neginf replacements
  Clamp,        // s0 = min (if i0 & 1), s1 = max (if i0 & 2)
  PowScalar,    // s0 = exponent
  BitwiseNot,
  kCount
};
// clang-format on
struct UnaryParams {
  double a = 0, b = 0, c = 0;
  int64_t i0 = 0;
  Scalar s0, s1;
};
using UnaryFn = void (*)(const Tensor& out, const Tensor& x, UnaryOp op, const UnaryParams& p);
FX_DECLARE_KERNEL(unary_kernel, UnaryFn);

/// out = f(a, b). All tensors share the table's dtype. An undefined `a` (or `b`) means the
/// operand is the number p.scalar (a Python-number operand: kept in float for f16/bf16).
// clang-format off
enum class BinaryOp : uint8_t {
  Add,        // a + alpha * b
  Sub,        // a - alpha * b
  Mul, Div, DivTrunc, DivFloor, Fmod, Remainder, Maximum, Minimum, Atan2, Pow,
  BitAnd, BitOr, BitXor,
  Lerp,       // a + alpha * (b - a), alpha = weight
  kCount
};
// clang-format on
struct BinaryParams {
  Scalar alpha = 1;
  Scalar scalar;  // value of the undefined operand
};
using BinaryFn = void (*)(const Tensor& out, const Tensor& a, const Tensor& b, BinaryOp op, const BinaryParams& p);
FX_DECLARE_KERNEL(binary_kernel, BinaryFn);

/// Bool out = f(a, b); keyed by the inputs' dtype. Undefined b means the number p.scalar.
// clang-format off
enum class CompareOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr, LogicalXor, IsClose, kCount };
// clang-format on
struct CompareParams {
  Scalar scalar;
  double rtol = 0, atol = 0;
  bool equal_nan = false;
};
using CompareFn = void (*)(const Tensor& out, const Tensor& a, const Tensor& b, CompareOp op, const CompareParams& p);
FX_DECLARE_KERNEL(compare_kernel, CompareFn);

/// Bool out = pred(x); keyed by x's dtype.
// clang-format off
enum class PredicateOp : uint8_t { IsNan, IsInf, IsPosInf, IsNegInf, IsFinite, LogicalNot, NonZero, kCount };
// clang-format on
using PredicateFn = void (*)(const Tensor& out, const Tensor& x, PredicateOp op);
FX_DECLARE_KERNEL(predicate_kernel, PredicateFn);

/// out = f(a, b, c), all of the table's dtype.
// clang-format off
enum class TernaryOp : uint8_t {
  Addcmul,  // a + value * b * c
  Addcdiv,  // a + value * b / c
  Lerp,     // a + c * (b - a)
  kCount
};
// clang-format on
using TernaryFn = void (*)(const Tensor& out, const Tensor& a, const Tensor& b, const Tensor& c, TernaryOp op,
                           const Scalar& value);
FX_DECLARE_KERNEL(ternary_kernel, TernaryFn);

/// out = cond ? a : b; cond is bool, a/b/out share the table's dtype.
using WhereFn = void (*)(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b);
FX_DECLARE_KERNEL(where_kernel, WhereFn);

/// True when every element of a bool tensor is true (allclose/equal; keeps this family independent
/// of the reductions).
using AllTrueFn = bool (*)(const Tensor& bool_tensor);
FX_DECLARE_KERNEL(all_true_kernel, AllTrueFn);

}  // namespace fluxion::kernels
