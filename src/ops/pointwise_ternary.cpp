// Elementwise ops with three operands or bounds: clamp (number and tensor bounds), where,
// masked_fill, addcmul, addcdiv, lerp with a tensor weight, and nan_to_num.
#include <cmath>
#include <limits>

#include "core/batched.h"
#include "ops/pointwise_common.h"

namespace fluxion {

using namespace pw;  // NOLINT

namespace {

Shape broadcast3(const Tensor& a, const Tensor& b, const Tensor& c) {
  Shape s = a.sizes();
  if (b.defined() && b.sizes() != s) s = broadcast_shapes(s, b.sizes());
  if (c.defined() && c.sizes() != s) s = broadcast_shapes(s, c.sizes());
  return s;
}

// ---- clamp with number bounds ----------------------------------------------------------------------

DType clamp_dtype(const Tensor& x, const std::optional<Scalar>& lo, const std::optional<Scalar>& hi, const char* op) {
  check_defined(x, op);
  FX_CHECK(lo || hi, op, ": at least one of 'min' or 'max' must not be None");
  TypeState st;
  st.add(x);
  st.add(lo);
  st.add(hi);
  const DType dt = st.result();
  FX_CHECK(dt != DType::Bool, op, ": not implemented for dtype bool");
  return dt;
}

UnaryParams clamp_params(const std::optional<Scalar>& lo, const std::optional<Scalar>& hi) {
  UnaryParams p;
  if (lo) p.s0 = *lo;
  if (hi) p.s1 = *hi;
  p.i0 = (lo ? 1 : 0) | (hi ? 2 : 0);
  return p;
}

// ---- where ---------------------------------------------------------------------------------------

Tensor condition_for(const Tensor& cond, const char* op) {
  check_defined(cond, op);
  if (cond.dtype() == DType::Bool) return cond;
  // PyTorch still accepts uint8 masks here (deprecated); anything else is an error.
  FX_CHECK(cond.dtype() == DType::UInt8, op,
           ": expected condition to be a boolean tensor, but got a tensor with dtype ", dtype_name(cond.dtype()));
  return cond.ne(0);
}

/// A CPU number (0-d CPU tensor) next to tensors on a device, copied to that device: the device
/// kernels take operands on their own device only.
Tensor on_device(const Tensor& t, Device dev) {
  if (!t.defined() || dev.is_cpu() || !is_cpu_scalar(t) || batched::is_batched(t)) return t;
  return t.detach().to(dev);
}

/// cond ? a : b over tensors (already cast to dt; numbers come in as 0-d tensors).
Tensor where_forward(const Tensor& cond_in, const Tensor& a_in, const Tensor& b_in, DType dt, const char* op) {
  const Shape shape = broadcast3(cond_in, a_in, b_in);
  const Device dev = common_device({&cond_in, &a_in, &b_in}, op);
  const Tensor cond = on_device(cond_in, dev), a = on_device(a_in, dev), b = on_device(b_in, dev);
  if (batched::any_batched({&cond, &a, &b})) [[unlikely]] {  // Note [Batched tensors]
    const int64_t B = batched::batch_size({&cond, &a, &b});
    Tensor out = batched::wrap(empty(batched::batched_sizes(B, shape), TensorOptions(dt).device(dev)));
    auto in = [&](const Tensor& t) { return batched::physical(expand_for_kernel(t, shape), B); };
    if (out.numel() > 0)
      kernels::where_kernel.get(dev.type(), dt)(batched::physical(out, B), in(cond), in(cast_for_kernel(a, dt)),
                                                in(cast_for_kernel(b, dt)));
    return out;
  }
  Tensor out = new_output(shape, dt, dev, &a, &b);
  if (out.numel() == 0) return out;
  kernels::where_kernel.get(dev.type(), dt)(out, expand_for_kernel(cond, shape),
                                            expand_for_kernel(cast_for_kernel(a, dt), shape),
                                            expand_for_kernel(cast_for_kernel(b, dt), shape));
  return out;
}

/// where with autograd; a_num/b_num mark operands that stand for numbers (no gradient).
Tensor where_impl(const Tensor& cond_in, const Tensor& a, const Tensor& b, DType dt, bool a_num, bool b_num) {
  const Tensor cond = condition_for(cond_in, "where");
  Tensor y = where_forward(cond, a, b, dt, "where");
  const bool ra = !a_num && autograd::needs_record({&a});
  const bool rb = !b_num && autograd::needs_record({&b});
  if (y.is_floating_point() && (ra || rb)) {
    TensorList inputs;
    if (!a_num) inputs.push_back(a);
    if (!b_num) inputs.push_back(b);
    const Shape sa = a.sizes(), sb = b.sizes();
    const DType da = a.dtype(), db = b.dtype();
    autograd::record(
        "WhereBackward0", inputs, {y}, {cond},
        [=](const autograd::BackwardArgs& args, const autograd::SavedList& s) {
          TensorList out;
          size_t k = 0;
          if (!a_num) {
            out.push_back(args.needs(k) ? grad_for(where(s[0], args.grad(), 0), sa, da) : Tensor());
            ++k;
          }
          if (!b_num) out.push_back(args.needs(k) ? grad_for(where(s[0], 0, args.grad()), sb, db) : Tensor());
          return out;
        },
        [&](const TensorList& t) {
          Tensor zero = scalar_tensor(0.0, kFloat64);
          Tensor ta = a_num ? zero : t[0];
          Tensor tb = b_num ? zero : t[a_num ? 0 : 1];
          return TensorList{where(cond, ta, tb)};
        });
  }
  return y;
}

Tensor number_tensor(const Scalar& s) {
  return scalar_tensor(s, s.is_floating_point() ? kFloat64 : s.is_bool() ? kBool : kInt64);
}

// ---- masked_fill ----------------------------------------------------------------------------------

void check_mask(const Tensor& mask, const char* op) {
  check_defined(mask, op);
  FX_CHECK(mask.dtype() == DType::Bool, op, ": only supports boolean masks, but got mask with dtype ",
           dtype_name(mask.dtype()));
}

void check_value_tensor(const Tensor& v, const char* op) {
  check_defined(v, op);
  FX_CHECK(v.dim() == 0, op, ": only supports a 0-dimensional value tensor, but got tensor with ", v.dim(),
           " dimension(s)");
}

// ---- addcmul / addcdiv ----------------------------------------------------------------------------

DType addc_dtype(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value, bool is_div,
                 const char* op) {
  check_defined(self, op);
  check_defined(t1, op);
  check_defined(t2, op);
  if (is_div)
    FX_CHECK(!(is_integral(t1.dtype(), true) && is_integral(t2.dtype(), true)), op,
             ": integer division with addcdiv is not supported; use (input + value * tensor1 / tensor2) for a true "
             "division");
  TypeState st;
  st.add(self);
  st.add(t1);
  st.add(t2);
  const DType dt = st.result();
  FX_CHECK(!(is_integral(dt, true) && value.is_floating_point()), op,
           ": for integral input tensors, argument value must not be a floating point number");
  FX_CHECK(dt != DType::Bool, op, ": not implemented for dtype bool");
  return dt;
}

Tensor ternary_forward(const Tensor& a_in, const Tensor& b_in, const Tensor& c_in, DType dt, TernaryOp op,
                       const Scalar& v, const char* name) {
  const Shape shape = broadcast3(a_in, b_in, c_in);
  const Device dev = common_device({&a_in, &b_in, &c_in}, name);
  const Tensor a = on_device(a_in, dev), b = on_device(b_in, dev), c = on_device(c_in, dev);
  if (batched::any_batched({&a, &b, &c})) [[unlikely]] {  // Note [Batched tensors]
    const int64_t B = batched::batch_size({&a, &b, &c});
    Tensor out = batched::wrap(empty(batched::batched_sizes(B, shape), TensorOptions(dt).device(dev)));
    auto in = [&](const Tensor& t) { return batched::physical(expand_for_kernel(cast_for_kernel(t, dt), shape), B); };
    if (out.numel() > 0)
      kernels::ternary_kernel.get(dev.type(), dt)(batched::physical(out, B), in(a), in(b), in(c), op, v);
    return out;
  }
  Tensor out = new_output(shape, dt, dev, &a, &b);
  if (out.numel() == 0) return out;
  kernels::ternary_kernel.get(dev.type(), dt)(out, expand_for_kernel(cast_for_kernel(a, dt), shape),
                                              expand_for_kernel(cast_for_kernel(b, dt), shape),
                                              expand_for_kernel(cast_for_kernel(c, dt), shape), op, v);
  return out;
}

Tensor addc_impl(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value, bool is_div) {
  const char* name = is_div ? "addcdiv" : "addcmul";
  const DType dt = addc_dtype(self, t1, t2, value, is_div, name);
  Tensor y = ternary_forward(self, t1, t2, dt, is_div ? TernaryOp::Addcdiv : TernaryOp::Addcmul, value, name);
  if (y.is_floating_point() && autograd::needs_record({&self, &t1, &t2})) {
    const Shape s0 = self.sizes(), s1 = t1.sizes(), s2 = t2.sizes();
    const DType d0 = self.dtype(), d1 = t1.dtype(), d2 = t2.dtype();
    autograd::record(
        is_div ? "AddcdivBackward0" : "AddcmulBackward0", {self, t1, t2}, {y}, {t1, t2},
        [=](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          const Tensor& g = a.grad();
          Tensor g0 = a.needs(0) ? grad_for(g, s0, d0) : Tensor();
          Tensor g1, g2;
          if (is_div) {
            if (a.needs(1)) g1 = grad_for(g * value / s[1], s1, d1);
            if (a.needs(2)) g2 = grad_for((g * value * s[0]).neg() / (s[1] * s[1]), s2, d2);
          } else {
            if (a.needs(1)) g1 = grad_for(g * value * s[1], s1, d1);
            if (a.needs(2)) g2 = grad_for(g * value * s[0], s2, d2);
          }
          return TensorList{g0, g1, g2};
        },
        [&](const TensorList& t) {
          if (is_div) return TensorList{t[0] + (t[1] * t2 - t1 * t[2]) / (t2 * t2) * value};
          return TensorList{t[0] + (t[1] * t2 + t1 * t[2]) * value};
        });
  }
  return y;
}

template <class Outplace>
Tensor& ternary_inplace(Tensor& self, const Tensor& b, const Tensor& c, DType dt, TernaryOp op, const Scalar& v,
                        const char* name, Outplace outplace) {
  check_can_cast(dt, self.dtype(), name);
  check_inplace_shape(self, broadcast3(self, b, c), name);
  return inplace_op(self, {&b, &c}, name, outplace, [&] {
    if (dt == self.dtype()) {
      kernels::ternary_kernel.get(self.device().type(), dt)(
          self, self, expand_for_kernel(cast_for_kernel(on_device(b, self.device()), dt), self.sizes()),
          expand_for_kernel(cast_for_kernel(on_device(c, self.device()), dt), self.sizes()), op, v);
    } else {
      copy_into(self, ternary_forward(self, b, c, dt, op, v, name));
    }
  });
}

}  // namespace

// ---- clamp -----------------------------------------------------------------------------------------

Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  const DType dt = clamp_dtype(x, min, max, "clamp");
  Tensor y = unary_op(x, dt, UnaryOp::Clamp, clamp_params(min, max));
  if (y.is_floating_point() && autograd::needs_record({&x}))
    // Zero gradient on the bounds themselves, as PyTorch 2.x (tests/golden: grad/clamp).
    record_unary("ClampBackward1", x, y, Save::X, [min, max](const Tensor& g, const Tensor& x, const Tensor&) {
      Tensor mask;
      if (min) mask = x > *min;
      if (max) mask = mask.defined() ? logical_and(mask, x < *max) : x < *max;
      return where(mask, g, 0);
    });
  return y;
}

Tensor clamp(const Tensor& x, const Tensor& min, const Tensor& max) {
  check_defined(x, "clamp");
  FX_CHECK(min.defined() || max.defined(), "clamp: at least one of 'min' or 'max' must not be None");
  TypeState st;
  st.add(x);
  st.add(min);
  st.add(max);
  FX_CHECK(st.result() != DType::Bool, "clamp: not implemented for dtype bool");
  // min(max(x, lo), hi): NaN-propagating, lo > hi gives hi, and the gradient is that of the
  // composition (ties split between x and the bound), which is what PyTorch computes.
  Tensor y = min.defined() ? maximum(x, min) : x;
  return max.defined() ? minimum(y, max) : y;
}

Tensor& Tensor::clamp_(std::optional<Scalar> min, std::optional<Scalar> max) {
  Tensor& self = *this;
  const DType dt = clamp_dtype(self, min, max, "clamp_");
  check_can_cast(dt, self.dtype(), "clamp_");
  const UnaryParams p = clamp_params(min, max);
  return inplace_op(
      self, {}, "clamp_", [&] { return fluxion::clamp(self, min, max); },
      [&] {
        if (dt == self.dtype())
          launch_unary(self, self, UnaryOp::Clamp, p);
        else
          copy_into(self, unary_op(self, dt, UnaryOp::Clamp, p));
      });
}

Tensor& clamp_out(Tensor& out, const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max) {
  const DType dt = clamp_dtype(x, min, max, "clamp_out");
  prepare_out(out, x.sizes(), dt, "clamp_out", {&x});
  if (out.dtype() == dt)
    launch_unary(out, x, UnaryOp::Clamp, clamp_params(min, max));
  else
    copy_into(out, unary_op(x, dt, UnaryOp::Clamp, clamp_params(min, max)));
  bump_version(out);
  return out;
}

Tensor Tensor::clamp(std::optional<Scalar> min, std::optional<Scalar> max) const {
  return fluxion::clamp(*this, min, max);
}
Tensor Tensor::clamp(const Tensor& min, const Tensor& max) const { return fluxion::clamp(*this, min, max); }

// ---- where ----------------------------------------------------------------------------------------

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  check_defined(a, "where");
  check_defined(b, "where");
  return where_impl(condition, a, b, result_type(a, b), false, false);
}
Tensor where(const Tensor& condition, const Tensor& a, const Scalar& b) {
  check_defined(a, "where");
  return where_impl(condition, a, number_tensor(b), result_type(a, b), false, true);
}
Tensor where(const Tensor& condition, const Scalar& a, const Tensor& b) {
  check_defined(b, "where");
  return where_impl(condition, number_tensor(a), b, result_type(b, a), true, false);
}
Tensor Tensor::where(const Tensor& condition, const Tensor& other) const {
  return fluxion::where(condition, *this, other);
}

// ---- masked_fill ----------------------------------------------------------------------------------

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value) {
  check_defined(x, "masked_fill");
  check_mask(mask, "masked_fill");
  // The result keeps x's dtype: the value is cast like an in-place fill.
  Tensor v = scalar_tensor(value, TensorOptions(x.dtype()).device(x.device()));
  return where_impl(mask, v, x, x.dtype(), true, false);
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value) {
  check_defined(x, "masked_fill");
  check_mask(mask, "masked_fill");
  check_value_tensor(value, "masked_fill");
  return where_impl(mask, value, x, x.dtype(), false, false);
}

Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return fluxion::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Tensor& value) const {
  return fluxion::masked_fill(*this, mask, value);
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) {
  Tensor& self = *this;
  check_defined(self, "masked_fill_");
  check_mask(mask, "masked_fill_");
  check_inplace_shape(self, broadcast_shapes(self.sizes(), mask.sizes()), "masked_fill_");
  return inplace_op(
      self, {}, "masked_fill_", [&] { return fluxion::masked_fill(self, mask, value); },
      [&] {
        Tensor v = scalar_tensor(value, TensorOptions(self.dtype()).device(self.device()));
        kernels::where_kernel.get(self.device().type(), self.dtype())(self, expand_for_kernel(mask, self.sizes()),
                                                                      expand_for_kernel(v, self.sizes()), self);
      });
}

// ---- addcmul / addcdiv / lerp(tensor weight) ----------------------------------------------------------

Tensor addcmul(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  return addc_impl(self, t1, t2, value, false);
}
Tensor addcdiv(const Tensor& self, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  return addc_impl(self, t1, t2, value, true);
}
Tensor Tensor::addcmul(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  return fluxion::addcmul(*this, t1, t2, value);
}
Tensor Tensor::addcdiv(const Tensor& t1, const Tensor& t2, const Scalar& value) const {
  return fluxion::addcdiv(*this, t1, t2, value);
}
Tensor& Tensor::addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value) {
  const DType dt = addc_dtype(*this, t1, t2, value, false, "addcmul_");
  return ternary_inplace(*this, t1, t2, dt, TernaryOp::Addcmul, value, "addcmul_",
                         [&] { return fluxion::addcmul(*this, t1, t2, value); });
}
Tensor& Tensor::addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value) {
  const DType dt = addc_dtype(*this, t1, t2, value, true, "addcdiv_");
  return ternary_inplace(*this, t1, t2, dt, TernaryOp::Addcdiv, value, "addcdiv_",
                         [&] { return fluxion::addcdiv(*this, t1, t2, value); });
}

Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  check_defined(start, "lerp");
  check_defined(end, "lerp");
  check_defined(weight, "lerp");
  check_floating(start, "lerp");
  FX_CHECK(start.dtype() == end.dtype() && start.dtype() == weight.dtype(),
           "lerp: expected start, end and weight "
           "to have the same dtype, but got ",
           dtype_name(start.dtype()), ", ", dtype_name(end.dtype()), " and ", dtype_name(weight.dtype()));
  const DType dt = start.dtype();
  Tensor y = ternary_forward(start, end, weight, dt, TernaryOp::Lerp, 0, "lerp");
  if (autograd::needs_record({&start, &end, &weight})) {
    const Shape s0 = start.sizes(), s1 = end.sizes(), s2 = weight.sizes();
    autograd::record(
        "LerpBackward1", {start, end, weight}, {y}, {start, end, weight},
        [=](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          const Tensor& g = a.grad();
          return TensorList{a.needs(0) ? grad_for(g * (1 - s[2]), s0, dt) : Tensor(),
                            a.needs(1) ? grad_for(g * s[2], s1, dt) : Tensor(),
                            a.needs(2) ? grad_for(g * (s[1] - s[0]), s2, dt) : Tensor()};
        },
        [&](const TensorList& t) { return TensorList{t[0] * (1 - weight) + t[1] * weight + t[2] * (end - start)}; });
  }
  return y;
}
Tensor Tensor::lerp(const Tensor& end, const Tensor& weight) const { return fluxion::lerp(*this, end, weight); }

// ---- nan_to_num -----------------------------------------------------------------------------------------

Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf,
                  std::optional<double> neginf) {
  check_defined(x, "nan_to_num");
  if (!x.is_floating_point()) return x.clone();
  double big = 0;
  switch (x.dtype()) {
    case DType::Float64: big = std::numeric_limits<double>::max(); break;
    case DType::Float16: big = 65504.0; break;
    case DType::BFloat16: big = 3.3895313892515355e38; break;
    default: big = std::numeric_limits<float>::max(); break;
  }
  UnaryParams p;
  p.a = nan.value_or(0.0);
  p.b = posinf.value_or(big);
  p.c = neginf.value_or(-big);
  Tensor y = unary_op(x, x.dtype(), UnaryOp::NanToNum, p);
  if (autograd::needs_record({&x}))
    record_unary("NanToNumBackward0", x, y, Save::X,
                 [](const Tensor& g, const Tensor& x, const Tensor&) { return where(x.isfinite(), g, 0); });
  return y;
}
Tensor Tensor::nan_to_num(std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) const {
  return fluxion::nan_to_num(*this, nan, posinf, neginf);
}

}  // namespace fluxion
