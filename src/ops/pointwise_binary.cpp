// Elementwise binary arithmetic (add, sub, mul, div, pow, fmod, remainder, maximum, minimum,
// atan2, lerp, bitwise ops) with tensor or number operands, broadcasting and PyTorch type
// promotion; VJPs undo broadcasting (sum_to) and promotion (cast back to the input dtype).
#include <cmath>

#include "ops/pointwise_common.h"

namespace fluxion {

using namespace pw;  // NOLINT

namespace {

/// One operand of a binary op: a tensor or a Python-style number. Holds a reference (operands
/// live for the whole call), so passing one costs no reference-count traffic.
struct Operand {
  const Tensor& t;
  Scalar s;
  bool is_scalar;
  Operand(const Tensor& x) : t(x), is_scalar(false) {}               // NOLINT
  Operand(const Scalar& v) : t(kNoTensor), s(v), is_scalar(true) {}  // NOLINT
  void add_to(TypeState& st) const {
    if (is_scalar)
      st.add(s);
    else
      st.add(t);
  }
  static const Tensor kNoTensor;
};
const Tensor Operand::kNoTensor{};

DType promote(const Operand& a, const Operand& b, const char* op) {
  if (!a.is_scalar) check_defined(a.t, op);
  if (!b.is_scalar) check_defined(b.t, op);
  TypeState st;
  a.add_to(st);
  b.add_to(st);
  return st.result();
}

/// A number as a 0-d tensor for backward formulas: f64/i64/bool 0-d tensors act as numbers in
/// promotion and in kernels, so they never change the gradient's dtype.
Tensor number_tensor(const Scalar& s) {
  return scalar_tensor(s, s.is_floating_point() ? kFloat64 : s.is_bool() ? kBool : kInt64);
}

Tensor run(const Operand& a, const Operand& b, DType dt, BinaryOp op, const Scalar& alpha = 1) {
  kernels::BinaryParams p;
  p.alpha = alpha;
  if (a.is_scalar) p.scalar = a.s;
  if (b.is_scalar) p.scalar = b.s;
  return binary_op(a.is_scalar ? Tensor() : a.t, b.is_scalar ? Tensor() : b.t, dt, op, p);
}

constexpr unsigned kSaveA = 1, kSaveB = 2, kSaveY = 4;

/// Records a binary op. vjp(g, A, B, Y, need_a, need_b) -> {grad_a, grad_b} before un-broadcasting;
/// jvp(ta, tb, A, B, Y) -> output tangent. A/B are the saved operands (numbers as 0-d tensors).
template <class Vjp, class Jvp>
void record_binary(const char* name, const Operand& a, const Operand& b, const Tensor& y, unsigned save, Vjp vjp,
                   Jvp jvp) {
  TensorList inputs, saved;
  int ia = -1, ib = -1, iy = -1;
  if (!a.is_scalar) inputs.push_back(a.t);
  if (!b.is_scalar) inputs.push_back(b.t);
  if ((save & kSaveA) && !a.is_scalar) {
    ia = static_cast<int>(saved.size());
    saved.push_back(a.t);
  }
  if ((save & kSaveB) && !b.is_scalar) {
    ib = static_cast<int>(saved.size());
    saved.push_back(b.t);
  }
  if (save & kSaveY) {
    iy = static_cast<int>(saved.size());
    saved.push_back(y);
  }
  const bool as = a.is_scalar, bs = b.is_scalar;
  const Scalar sa = a.s, sb = b.s;
  const Shape sha = as ? Shape{} : a.t.sizes(), shb = bs ? Shape{} : b.t.sizes();
  const DType dta = as ? y.dtype() : a.t.dtype(), dtb = bs ? y.dtype() : b.t.dtype();
  autograd::record(
      name, inputs, {y}, saved,
      [=](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
        Tensor A = as ? number_tensor(sa) : (ia >= 0 ? s[ia] : Tensor());
        Tensor B = bs ? number_tensor(sb) : (ib >= 0 ? s[ib] : Tensor());
        Tensor Y = iy >= 0 ? s[iy] : Tensor();
        const bool need_a = !as && args.needs(0);
        const bool need_b = !bs && args.needs(as ? 0 : 1);
        auto [ga, gb] = vjp(args.grad(), A, B, Y, need_a, need_b);
        TensorList out;
        if (!as) out.push_back(need_a ? grad_for(ga, sha, dta) : Tensor());
        if (!bs) out.push_back(need_b ? grad_for(gb, shb, dtb) : Tensor());
        return out;
      },
      [&](const TensorList& t) {
        Tensor A = as ? number_tensor(sa) : a.t;
        Tensor B = bs ? number_tensor(sb) : b.t;
        Tensor zero = scalar_tensor(0.0, kFloat64);
        Tensor ta = as ? zero : t[0];
        Tensor tb = bs ? zero : t[as ? 0 : 1];
        return TensorList{jvp(ta, tb, A, B, y)};
      });
}

bool needs(const Operand& a, const Operand& b) {
  if (!a.is_scalar && !b.is_scalar) return autograd::needs_record({&a.t, &b.t});
  return autograd::needs_record({a.is_scalar ? &b.t : &a.t});
}

using GradPair = std::pair<Tensor, Tensor>;

// ---- add / sub ------------------------------------------------------------------------------------

DType add_dtype(const Operand& a, const Operand& b, const Scalar& alpha, const char* op, bool is_sub) {
  const DType dt = promote(a, b, op);
  if (is_sub) {
    const bool ab = !a.is_scalar ? a.t.dtype() == DType::Bool : a.s.is_bool();
    const bool bb = !b.is_scalar ? b.t.dtype() == DType::Bool : b.s.is_bool();
    FX_CHECK(!(ab && bb), op,
             ": subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
             "`logical_xor()` operator instead");
    FX_CHECK(!(ab || bb), op,
             ": subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a "
             "mask, use the `~` or `logical_not()` operator instead");
  }
  FX_CHECK(!(is_integral(dt, true) && alpha.is_floating_point()), op,
           ": for integral input tensors, argument alpha must not be a floating point number (got ", alpha, ")");
  FX_CHECK(!(alpha.is_bool() && dt != DType::Bool), op, ": boolean alpha only supported for boolean results");
  return dt;
}

Tensor add_impl(const Operand& a, const Operand& b, const Scalar& alpha, bool is_sub, const char* op) {
  const DType dt = add_dtype(a, b, alpha, op, is_sub);
  Tensor y = run(a, b, dt, is_sub ? BinaryOp::Sub : BinaryOp::Add, alpha);
  if (y.is_floating_point() && needs(a, b)) {
    const Scalar k = is_sub ? -alpha : alpha;
    const bool unit = !k.is_floating_point() && k.to_int() == 1;
    record_binary(
        is_sub ? "SubBackward0" : "AddBackward0", a, b, y, 0,
        [k, unit](const Tensor& g, const Tensor&, const Tensor&, const Tensor&, bool, bool need_b) {
          return GradPair{g, need_b ? (unit ? g : g * k) : Tensor()};
        },
        [k, unit](const Tensor& ta, const Tensor& tb, const Tensor&, const Tensor&, const Tensor&) {
          return unit ? ta + tb : ta + tb * k;
        });
  }
  return y;
}

// ---- mul / div ----------------------------------------------------------------------------------

Tensor mul_impl(const Operand& a, const Operand& b) {
  const DType dt = promote(a, b, "mul");
  Tensor y = run(a, b, dt, BinaryOp::Mul);
  if (y.is_floating_point() && needs(a, b))
    record_binary(
        "MulBackward0", a, b, y, kSaveA | kSaveB,
        [](const Tensor& g, const Tensor& A, const Tensor& B, const Tensor&, bool na, bool nb) {
          return GradPair{na ? g * B : Tensor(), nb ? g * A : Tensor()};
        },
        [](const Tensor& ta, const Tensor& tb, const Tensor& A, const Tensor& B, const Tensor&) {
          return ta * B + A * tb;
        });
  return y;
}

DType div_dtype(const Operand& a, const Operand& b, const std::string& mode) {
  FX_CHECK(mode.empty() || mode == "trunc" || mode == "floor",
           "div: expected rounding_mode to be one of \"\" (true division), \"trunc\" or \"floor\" but found \"", mode,
           "\"");
  const DType dt = promote(a, b, "div");
  if (mode.empty()) return float_result(dt);
  FX_CHECK(dt != DType::Bool, "div: rounding_mode \"", mode, "\" is not implemented for dtype bool");
  return dt;
}

Tensor div_impl(const Operand& a, const Operand& b, const std::string& mode) {
  const DType dt = div_dtype(a, b, mode);
  if (!mode.empty()) {
    Tensor y = run(a, b, dt, mode == "trunc" ? BinaryOp::DivTrunc : BinaryOp::DivFloor);
    if (y.is_floating_point() && needs(a, b)) {
      TensorList ins;
      if (!a.is_scalar) ins.push_back(a.t);
      if (!b.is_scalar) ins.push_back(b.t);
      record_zero_grad("DivBackward1", ins, y);
    }
    return y;
  }
  Tensor y = run(a, b, dt, BinaryOp::Div);
  if (needs(a, b))
    record_binary(
        "DivBackward0", a, b, y, kSaveA | kSaveB,
        [](const Tensor& g, const Tensor& A, const Tensor& B, const Tensor&, bool na, bool nb) {
          return GradPair{na ? g / B : Tensor(), nb ? (g * A).neg() / (B * B) : Tensor()};
        },
        [](const Tensor& ta, const Tensor& tb, const Tensor&, const Tensor& B, const Tensor& Y) {
          return (ta - tb * Y) / B;
        });
  return y;
}

// ---- pow ---------------------------------------------------------------------------------------

Tensor pow_impl(const Operand& a, const Operand& b) {
  const DType dt = promote(a, b, "pow");
  FX_CHECK(dt != DType::Bool, "pow: not implemented for dtype bool");
  Tensor y = run(a, b, dt, BinaryOp::Pow);
  if (y.is_floating_point() && needs(a, b))
    record_binary(
        "PowBackward1", a, b, y, kSaveA | kSaveB | kSaveY,
        [](const Tensor& g, const Tensor& A, const Tensor& B, const Tensor& Y, bool na, bool nb) {
          Tensor ga, gb;
          // d/da: b * a^(b-1), defined as 0 where b == 0 (avoids 0 * inf).
          if (na) ga = where(B == 0, 0, g * (B * A.pow(B - 1)));
          // d/db: a^b log a, defined as 0 where a == 0 and b >= 0.
          if (nb) gb = where(logical_and(A == 0, B >= 0), 0, g * (Y * A.log()));
          return GradPair{ga, gb};
        },
        [](const Tensor& ta, const Tensor& tb, const Tensor& A, const Tensor& B, const Tensor& Y) {
          Tensor da = where(B == 0, 0, B * A.pow(B - 1));
          Tensor db = where(logical_and(A == 0, B >= 0), 0, Y * A.log());
          return ta * da + tb * db;
        });
  return y;
}

// ---- fmod / remainder ---------------------------------------------------------------------------

Tensor mod_impl(const Operand& a, const Operand& b, bool python_mod) {
  const char* op = python_mod ? "remainder" : "fmod";
  const DType dt = promote(a, b, op);
  FX_CHECK(dt != DType::Bool, op, ": not implemented for dtype bool");
  Tensor y = run(a, b, dt, python_mod ? BinaryOp::Remainder : BinaryOp::Fmod);
  if (y.is_floating_point() && needs(a, b)) {
    const std::string mode = python_mod ? "floor" : "trunc";
    record_binary(
        python_mod ? "RemainderBackward0" : "FmodBackward0", a, b, y, kSaveA | kSaveB,
        [mode](const Tensor& g, const Tensor& A, const Tensor& B, const Tensor&, bool na, bool nb) {
          return GradPair{na ? g : Tensor(), nb ? (g * A.div(B, mode)).neg() : Tensor()};
        },
        [mode](const Tensor& ta, const Tensor& tb, const Tensor& A, const Tensor& B, const Tensor&) {
          return ta - tb * A.div(B, mode);
        });
  }
  return y;
}

// ---- maximum / minimum / atan2 ------------------------------------------------------------------

Tensor minmax_impl(const Tensor& a, const Tensor& b, bool is_max) {
  const char* op = is_max ? "maximum" : "minimum";
  const DType dt = promote(a, b, op);
  Tensor y = run(a, b, dt, is_max ? BinaryOp::Maximum : BinaryOp::Minimum);
  if (y.is_floating_point() && needs(a, b)) {
    // Ties split the gradient in half; the losing side gets zero (PyTorch's formula).
    record_binary(
        is_max ? "MaximumBackward0" : "MinimumBackward0", a, b, y, kSaveA | kSaveB,
        [is_max](const Tensor& g, const Tensor& A, const Tensor& B, const Tensor&, bool na, bool nb) {
          Tensor shared = where(A == B, g * 0.5, g);
          Tensor ga, gb;
          if (na) ga = where(is_max ? A < B : A > B, 0, shared);
          if (nb) gb = where(is_max ? A > B : A < B, 0, shared);
          return GradPair{ga, gb};
        },
        [is_max](const Tensor& ta, const Tensor& tb, const Tensor& A, const Tensor& B, const Tensor&) {
          return where(A == B, (ta + tb) * 0.5, where(is_max ? A > B : A < B, ta, tb));
        });
  }
  return y;
}

Tensor atan2_impl(const Tensor& a, const Tensor& b) {
  const DType dt = float_result(promote(a, b, "atan2"));
  Tensor y = run(a, b, dt, BinaryOp::Atan2);
  if (needs(a, b))
    record_binary(
        "Atan2Backward0", a, b, y, kSaveA | kSaveB,
        [](const Tensor& g, const Tensor& A, const Tensor& B, const Tensor&, bool na, bool nb) {
          Tensor r = g / (A * A + B * B);
          return GradPair{na ? r * B : Tensor(), nb ? (r * A).neg() : Tensor()};
        },
        [](const Tensor& ta, const Tensor& tb, const Tensor& A, const Tensor& B, const Tensor&) {
          return (ta * B - tb * A) / (A * A + B * B);
        });
  return y;
}

// ---- bitwise ------------------------------------------------------------------------------------

Tensor bitwise_impl(const Tensor& a, const Tensor& b, BinaryOp op, const char* name) {
  const DType dt = promote(a, b, name);
  FX_CHECK(is_integral(dt, true), name, ": only integer and bool tensors are supported, but got dtypes ",
           dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  return run(a, b, dt, op);
}

// ---- in-place helper ------------------------------------------------------------------------------

/// Shared in-place path of the binary ops: checks castability and shape, then either records
/// (through `outplace`) or runs the kernel into self.
template <class Outplace>
Tensor& binary_inplace(Tensor& self, const Operand& other, DType dt, BinaryOp op, const Scalar& alpha, const char* name,
                       Outplace outplace) {
  check_can_cast(dt, self.dtype(), name);
  if (!other.is_scalar) check_inplace_shape(self, broadcast_shapes(self.sizes(), other.t.sizes()), name);
  const Tensor none;
  return inplace_op(self, {other.is_scalar ? &none : &other.t}, name, outplace, [&] {
    if (dt == self.dtype()) {
      kernels::BinaryParams p;
      p.alpha = alpha;
      if (other.is_scalar) p.scalar = other.s;
      launch_binary(self, self, other.is_scalar ? Tensor() : other.t, op, p);
    } else {
      copy_into(self, run(self, other, dt, op, alpha));
    }
  });
}

Tensor& add_inplace(Tensor& self, const Operand& other, const Scalar& alpha, bool is_sub) {
  const char* name = is_sub ? "sub_" : "add_";
  check_defined(self, name);
  const DType dt = add_dtype(self, other, alpha, name, is_sub);
  return binary_inplace(self, other, dt, is_sub ? BinaryOp::Sub : BinaryOp::Add, alpha, name,
                        [&] { return add_impl(self, other, alpha, is_sub, name); });
}

Tensor& div_inplace(Tensor& self, const Operand& other, const std::string& mode) {
  check_defined(self, "div_");
  const DType dt = div_dtype(self, other, mode);
  const BinaryOp op = mode.empty() ? BinaryOp::Div : mode == "trunc" ? BinaryOp::DivTrunc : BinaryOp::DivFloor;
  return binary_inplace(self, other, dt, op, 1, "div_", [&] { return div_impl(self, other, mode); });
}

/// out= for the arithmetic ops.
Tensor& binary_out(Tensor& out, const Tensor& a, const Tensor& b, DType dt, BinaryOp op, const Scalar& alpha,
                   const char* name) {
  check_defined(a, name);
  check_defined(b, name);
  Shape shape = a.sizes() == b.sizes() ? a.sizes() : broadcast_shapes(a.sizes(), b.sizes());
  prepare_out(out, shape, dt, name, {&a, &b});
  common_device({&out, &a, &b}, name);
  if (out.dtype() == dt) {
    kernels::BinaryParams p;
    p.alpha = alpha;
    launch_binary(out, a, b, op, p);
  } else {
    copy_into(out, run(a, b, dt, op, alpha));
  }
  bump_version(out);
  return out;
}

}  // namespace

// ---- public functions ---------------------------------------------------------------------------

Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) { return add_impl(a, b, alpha, false, "add"); }
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) { return add_impl(a, b, alpha, false, "add"); }
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return add_impl(a, b, alpha, true, "sub"); }
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) { return add_impl(a, b, alpha, true, "sub"); }
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha) { return add_impl(b, a, alpha, true, "rsub"); }
Tensor mul(const Tensor& a, const Tensor& b) { return mul_impl(a, b); }
Tensor mul(const Tensor& a, const Scalar& b) { return mul_impl(a, b); }
Tensor div(const Tensor& a, const Tensor& b, const std::string& m) { return div_impl(a, b, m); }
Tensor div(const Tensor& a, const Scalar& b, const std::string& m) { return div_impl(a, b, m); }
Tensor div(const Scalar& a, const Tensor& b, const std::string& m) { return div_impl(a, b, m); }
Tensor floor_divide(const Tensor& a, const Tensor& b) { return div_impl(a, b, "floor"); }
Tensor fmod(const Tensor& a, const Tensor& b) { return mod_impl(a, b, false); }
Tensor fmod(const Tensor& a, const Scalar& b) { return mod_impl(a, b, false); }
Tensor remainder(const Tensor& a, const Tensor& b) { return mod_impl(a, b, true); }
Tensor remainder(const Tensor& a, const Scalar& b) { return mod_impl(a, b, true); }
Tensor maximum(const Tensor& a, const Tensor& b) { return minmax_impl(a, b, true); }
Tensor minimum(const Tensor& a, const Tensor& b) { return minmax_impl(a, b, false); }
Tensor atan2(const Tensor& a, const Tensor& b) { return atan2_impl(a, b); }
Tensor pow(const Tensor& base, const Tensor& exponent) { return pow_impl(base, exponent); }
Tensor pow(const Scalar& base, const Tensor& exponent) { return pow_impl(base, exponent); }
Tensor bitwise_and(const Tensor& a, const Tensor& b) { return bitwise_impl(a, b, BinaryOp::BitAnd, "bitwise_and"); }
Tensor bitwise_or(const Tensor& a, const Tensor& b) { return bitwise_impl(a, b, BinaryOp::BitOr, "bitwise_or"); }
Tensor bitwise_xor(const Tensor& a, const Tensor& b) { return bitwise_impl(a, b, BinaryOp::BitXor, "bitwise_xor"); }
Tensor bitwise_not(const Tensor& a) {
  check_defined(a, "bitwise_not");
  FX_CHECK(is_integral(a.dtype(), true), "bitwise_not: only integer and bool tensors are supported, but got dtype ",
           dtype_name(a.dtype()));
  return unary_op(a, a.dtype(), UnaryOp::BitwiseNot);
}

Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight) {
  check_defined(start, "lerp");
  check_defined(end, "lerp");
  check_floating(start, "lerp");
  FX_CHECK(start.dtype() == end.dtype(), "lerp: expected dtype ", dtype_name(start.dtype()),
           " for `end` but got dtype ", dtype_name(end.dtype()));
  const DType dt = start.dtype();
  Tensor y = run(start, end, dt, BinaryOp::Lerp, weight);
  if (needs(start, end)) {
    const double w = weight.to_double();
    record_binary(
        "LerpBackward0", start, end, y, 0,
        [w](const Tensor& g, const Tensor&, const Tensor&, const Tensor&, bool ns, bool ne) {
          return GradPair{ns ? g * (1.0 - w) : Tensor(), ne ? g * w : Tensor()};
        },
        [w](const Tensor& ts, const Tensor& te, const Tensor&, const Tensor&, const Tensor&) {
          return ts * (1.0 - w) + te * w;
        });
  }
  return y;
}

Tensor& add_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  return binary_out(out, a, b, add_dtype(a, b, alpha, "add_out", false), BinaryOp::Add, alpha, "add_out");
}
Tensor& sub_out(Tensor& out, const Tensor& a, const Tensor& b, const Scalar& alpha) {
  return binary_out(out, a, b, add_dtype(a, b, alpha, "sub_out", true), BinaryOp::Sub, alpha, "sub_out");
}
Tensor& mul_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return binary_out(out, a, b, promote(a, b, "mul_out"), BinaryOp::Mul, 1, "mul_out");
}
Tensor& div_out(Tensor& out, const Tensor& a, const Tensor& b) {
  return binary_out(out, a, b, div_dtype(a, b, ""), BinaryOp::Div, 1, "div_out");
}

// ---- Tensor methods -----------------------------------------------------------------------------

Tensor Tensor::pow(const Tensor& e) const { return fluxion::pow(*this, e); }
Tensor Tensor::add(const Tensor& o, const Scalar& alpha) const { return fluxion::add(*this, o, alpha); }
Tensor Tensor::add(const Scalar& o, const Scalar& alpha) const { return fluxion::add(*this, o, alpha); }
Tensor Tensor::sub(const Tensor& o, const Scalar& alpha) const { return fluxion::sub(*this, o, alpha); }
Tensor Tensor::sub(const Scalar& o, const Scalar& alpha) const { return fluxion::sub(*this, o, alpha); }
Tensor Tensor::mul(const Tensor& o) const { return fluxion::mul(*this, o); }
Tensor Tensor::mul(const Scalar& o) const { return fluxion::mul(*this, o); }
Tensor Tensor::div(const Tensor& o, const std::string& m) const { return fluxion::div(*this, o, m); }
Tensor Tensor::div(const Scalar& o, const std::string& m) const { return fluxion::div(*this, o, m); }
Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) { return add_inplace(*this, o, alpha, false); }
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) { return add_inplace(*this, o, alpha, false); }
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) { return add_inplace(*this, o, alpha, true); }
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) { return add_inplace(*this, o, alpha, true); }
Tensor& Tensor::mul_(const Tensor& o) {
  check_defined(*this, "mul_");
  return binary_inplace(*this, o, promote(*this, o, "mul_"), BinaryOp::Mul, 1, "mul_",
                        [&] { return mul_impl(*this, o); });
}
Tensor& Tensor::mul_(const Scalar& o) {
  check_defined(*this, "mul_");
  return binary_inplace(*this, o, promote(*this, o, "mul_"), BinaryOp::Mul, 1, "mul_",
                        [&] { return mul_impl(*this, o); });
}
Tensor& Tensor::div_(const Tensor& o, const std::string& m) { return div_inplace(*this, o, m); }
Tensor& Tensor::div_(const Scalar& o, const std::string& m) { return div_inplace(*this, o, m); }
Tensor Tensor::fmod(const Tensor& o) const { return fluxion::fmod(*this, o); }
Tensor Tensor::fmod(const Scalar& o) const { return fluxion::fmod(*this, o); }
Tensor Tensor::remainder(const Tensor& o) const { return fluxion::remainder(*this, o); }
Tensor Tensor::remainder(const Scalar& o) const { return fluxion::remainder(*this, o); }
Tensor Tensor::maximum(const Tensor& o) const { return fluxion::maximum(*this, o); }
Tensor Tensor::minimum(const Tensor& o) const { return fluxion::minimum(*this, o); }
Tensor Tensor::atan2(const Tensor& o) const { return fluxion::atan2(*this, o); }
Tensor Tensor::lerp(const Tensor& end, const Scalar& w) const { return fluxion::lerp(*this, end, w); }
Tensor& Tensor::lerp_(const Tensor& end, const Scalar& w) {
  Tensor& self = *this;
  check_defined(self, "lerp_");
  check_defined(end, "lerp_");
  check_floating(self, "lerp_");
  FX_CHECK(self.dtype() == end.dtype(), "lerp_: expected dtype ", dtype_name(self.dtype()), " for `end` but got dtype ",
           dtype_name(end.dtype()));
  return binary_inplace(self, end, self.dtype(), BinaryOp::Lerp, w, "lerp_",
                        [&] { return fluxion::lerp(self, end, w); });
}

}  // namespace fluxion
