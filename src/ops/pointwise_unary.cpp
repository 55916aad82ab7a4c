// Elementwise unary math: forward through the unary kernel table, VJP and JVP side by side.
// For an elementwise op both are "multiply by f'(x)", so each op states that product once
// (record_unary's `apply(g, x, y)`), written with differentiable ops for higher derivatives.
#include <cmath>

#include "ops/pointwise_common.h"

namespace fluxion {

using namespace pw;  // NOLINT

namespace {

// ---- dtype rules (validate and return the result dtype) ----------------------------------------

/// exp, sin, sqrt, ...: integers and bool compute in the default float dtype.
DType rule_float(const Tensor& x, const char* op) {
  check_defined(x, op);
  return float_result(x.dtype());
}
/// abs, relu, floor, ...: same dtype; bool is rejected.
DType rule_no_bool(const Tensor& x, const char* op) {
  check_defined(x, op);
  FX_CHECK(x.dtype() != DType::Bool, op, ": not implemented for dtype bool");
  return x.dtype();
}
DType rule_neg(const Tensor& x, const char* op) {
  check_defined(x, op);
  FX_CHECK(x.dtype() != DType::Bool, op,
           ": negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
           "use the `~` or `logical_not()` operator instead");
  return x.dtype();
}
DType rule_any(const Tensor& x, const char* op) {
  check_defined(x, op);
  return x.dtype();
}
DType rule_floating(const Tensor& x, const char* op) {
  check_defined(x, op);
  check_floating(x, op);
  return x.dtype();
}
/// square is pow(x, 2): bool squares to int64.
DType rule_square(const Tensor& x, const char* op) {
  check_defined(x, op);
  return x.dtype() == DType::Bool ? DType::Int64 : x.dtype();
}

constexpr double kLn2 = 0.693147180559945309417;
constexpr double kLn10 = 2.30258509299404568402;
constexpr double kTwoOverSqrtPi = 1.12837916709551257390;

}  // namespace

// Defines name(x), name_(x) and the Tensor methods. APPLY is the body of
// [](const Tensor& g, const Tensor& x, const Tensor& y) -> Tensor (g times f'(x)).
#define FX_UNARY_OP(name, Op, rule, save, APPLY)                                              \
  Tensor name(const Tensor& x) {                                                              \
    const DType dt = rule(x, #name);                                                          \
    Tensor y = unary_op(x, dt, UnaryOp::Op);                                                  \
    if (y.is_floating_point() && autograd::needs_record({&x}))                                \
      record_unary(#Op "Backward0", x, y, Save::save,                                         \
                   []([[maybe_unused]] const Tensor& g, [[maybe_unused]] const Tensor& x,     \
                      [[maybe_unused]] const Tensor& y) -> Tensor { APPLY; });                \
    return y;                                                                                 \
  }                                                                                           \
  Tensor& name##_(Tensor& x) {                                                                \
    check_can_cast(rule(x, #name "_"), x.dtype(), #name "_");                                 \
    return inplace_op(                                                                        \
        x, {}, #name "_", [&] { return name(x); }, [&] { launch_unary(x, x, UnaryOp::Op); }); \
  }                                                                                           \
  Tensor Tensor::name() const { return fluxion::name(*this); }                                \
  Tensor& Tensor::name##_() { return fluxion::name##_(*this); }

// Ops whose derivative is zero everywhere it exists (PyTorch records zeros, not an error).
#define FX_UNARY_ZERO_GRAD_OP(name, Op, rule)                                                           \
  Tensor name(const Tensor& x) {                                                                        \
    const DType dt = rule(x, #name);                                                                    \
    Tensor y = unary_op(x, dt, UnaryOp::Op);                                                            \
    if (y.is_floating_point() && autograd::needs_record({&x})) record_zero_grad(#Op "Backward0", x, y); \
    return y;                                                                                           \
  }                                                                                                     \
  Tensor& name##_(Tensor& x) {                                                                          \
    check_can_cast(rule(x, #name "_"), x.dtype(), #name "_");                                           \
    return inplace_op(                                                                                  \
        x, {}, #name "_", [&] { return name(x); }, [&] { launch_unary(x, x, UnaryOp::Op); });           \
  }                                                                                                     \
  Tensor Tensor::name() const { return fluxion::name(*this); }                                          \
  Tensor& Tensor::name##_() { return fluxion::name##_(*this); }

FX_UNARY_OP(neg, Neg, rule_neg, X, return -g)
FX_UNARY_OP(abs, Abs, rule_no_bool, X, return g * x.sign())
FX_UNARY_ZERO_GRAD_OP(sign, Sign, rule_any)
FX_UNARY_OP(exp, Exp, rule_float, Y, return g * y)
FX_UNARY_OP(exp2, Exp2, rule_float, Y, return g * y * kLn2)
FX_UNARY_OP(log, Log, rule_float, X, return g / x)
FX_UNARY_OP(log2, Log2, rule_float, X, return g / (x * kLn2))
FX_UNARY_OP(log10, Log10, rule_float, X, return g / (x * kLn10))
FX_UNARY_OP(log1p, Log1p, rule_float, X, return g / (x + 1))
FX_UNARY_OP(expm1, Expm1, rule_float, Y, return g * (y + 1))
FX_UNARY_OP(sqrt, Sqrt, rule_float, Y, return g / (y * 2))
FX_UNARY_OP(rsqrt, Rsqrt, rule_float, Y, return g * (y * y * y) * -0.5)
FX_UNARY_OP(reciprocal, Reciprocal, rule_float, Y, return g * (y * y).neg())
FX_UNARY_OP(square, Square, rule_square, X, return g * (x * 2))
FX_UNARY_OP(sin, Sin, rule_float, X, return g * x.cos())
FX_UNARY_OP(cos, Cos, rule_float, X, return g * x.sin().neg())
FX_UNARY_OP(tan, Tan, rule_float, Y, return g * (y * y + 1))
FX_UNARY_OP(asin, Asin, rule_float, X, return g * (1 - x * x).rsqrt())
FX_UNARY_OP(acos, Acos, rule_float, X, return g * (1 - x * x).rsqrt().neg())
FX_UNARY_OP(atan, Atan, rule_float, X, return g / (x * x + 1))
FX_UNARY_OP(sinh, Sinh, rule_float, X, return g * x.cosh())
FX_UNARY_OP(cosh, Cosh, rule_float, X, return g * x.sinh())
FX_UNARY_OP(tanh, Tanh, rule_float, Y, return g * (1 - y * y))
FX_UNARY_OP(sigmoid, Sigmoid, rule_float, Y, return g * (y * (1 - y)))
// relu'(0) = 0: PyTorch's threshold_backward on the result.
FX_UNARY_OP(relu, Relu, rule_no_bool, Y, return where(y > 0, g, 0))
FX_UNARY_OP(silu, Silu, rule_floating, X, Tensor s = x.sigmoid(); return g * (s * (1 + x * (1 - s))))
FX_UNARY_OP(erf, Erf, rule_float, X, return g * ((x * x).neg().exp() * kTwoOverSqrtPi))
FX_UNARY_OP(erfc, Erfc, rule_float, X, return g * ((x * x).neg().exp() * -kTwoOverSqrtPi))
FX_UNARY_ZERO_GRAD_OP(floor, Floor, rule_no_bool)
FX_UNARY_ZERO_GRAD_OP(ceil, Ceil, rule_no_bool)
FX_UNARY_ZERO_GRAD_OP(trunc, Trunc, rule_no_bool)
FX_UNARY_OP(frac, Frac, rule_floating, X, return g)

#undef FX_UNARY_OP
#undef FX_UNARY_ZERO_GRAD_OP

// ---- round(decimals) ---------------------------------------------------------------------------

Tensor round(const Tensor& x, int64_t decimals) {
  rule_no_bool(x, "round");
  FX_CHECK(decimals == 0 || x.is_floating_point(), "round: decimals != 0 is not implemented for dtype ",
           dtype_name(x.dtype()));
  UnaryParams p;
  p.i0 = decimals;
  Tensor y = unary_op(x, x.dtype(), UnaryOp::Round, p);
  if (y.is_floating_point() && autograd::needs_record({&x})) record_zero_grad("RoundBackward0", x, y);
  return y;
}
Tensor Tensor::round(int64_t decimals) const { return fluxion::round(*this, decimals); }
Tensor& Tensor::round_(int64_t decimals) {
  Tensor& self = *this;
  rule_no_bool(self, "round_");
  FX_CHECK(decimals == 0 || self.is_floating_point(), "round_: decimals != 0 is not implemented for dtype ",
           dtype_name(self.dtype()));
  UnaryParams p;
  p.i0 = decimals;
  return inplace_op(
      self, {}, "round_", [&] { return fluxion::round(self, decimals); },
      [&] { launch_unary(self, self, UnaryOp::Round, p); });
}

// ---- pow with a scalar exponent ------------------------------------------------------------------

namespace {
DType pow_scalar_dtype(const Tensor& x, const Scalar& e, const char* op) {
  check_defined(x, op);
  TypeState s;
  s.add(x);
  s.add(e);
  const DType dt = s.result();
  FX_CHECK(!(is_integral(dt) && e.is_integral() && e.to_int() < 0), op,
           ": integers to negative integer powers are not allowed");
  FX_CHECK(dt != DType::Bool || e.is_bool(), op, ": not implemented for dtype bool");
  return dt;
}
}  // namespace

Tensor pow(const Tensor& base, const Scalar& exponent) {
  const DType dt = pow_scalar_dtype(base, exponent, "pow");
  UnaryParams p;
  p.s0 = exponent;
  Tensor y = unary_op(base, dt, UnaryOp::PowScalar, p);
  if (y.is_floating_point() && autograd::needs_record({&base})) {
    const double e = exponent.to_double();
    record_unary("PowBackward0", base, y, Save::X, [e](const Tensor& g, const Tensor& x, const Tensor&) -> Tensor {
      if (e == 0.0) return zeros_like(g);
      if (e == 1.0) return g;
      if (e == 2.0) return g * (x * 2.0);
      return g * (x.pow(e - 1.0) * e);
    });
  }
  return y;
}
Tensor Tensor::pow(const Scalar& exponent) const { return fluxion::pow(*this, exponent); }
Tensor& Tensor::pow_(const Scalar& exponent) {
  Tensor& self = *this;
  check_can_cast(pow_scalar_dtype(self, exponent, "pow_"), self.dtype(), "pow_");
  UnaryParams p;
  p.s0 = exponent;
  return inplace_op(
      self, {}, "pow_", [&] { return fluxion::pow(self, exponent); },
      [&] { launch_unary(self, self, UnaryOp::PowScalar, p); });
}

// ---- out= variants ----------------------------------------------------------------------------------

namespace {
Tensor& unary_out(Tensor& out, const Tensor& x, UnaryOp op, const char* name) {
  const DType dt = rule_float(x, name);
  prepare_out(out, x.sizes(), dt, name, {&x});
  if (out.dtype() == dt)
    launch_unary(out, x, op);
  else
    copy_into(out, unary_op(x, dt, op));
  bump_version(out);
  return out;
}
}  // namespace

Tensor& exp_out(Tensor& out, const Tensor& x) { return unary_out(out, x, UnaryOp::Exp, "exp_out"); }
Tensor& log_out(Tensor& out, const Tensor& x) { return unary_out(out, x, UnaryOp::Log, "log_out"); }
Tensor& sqrt_out(Tensor& out, const Tensor& x) { return unary_out(out, x, UnaryOp::Sqrt, "sqrt_out"); }
Tensor& tanh_out(Tensor& out, const Tensor& x) { return unary_out(out, x, UnaryOp::Tanh, "tanh_out"); }
Tensor& sigmoid_out(Tensor& out, const Tensor& x) { return unary_out(out, x, UnaryOp::Sigmoid, "sigmoid_out"); }

}  // namespace fluxion
