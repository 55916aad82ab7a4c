// Comparisons, logical ops, predicates (isnan, ...), isclose/allclose/equal. All return bool
// tensors (or a bool) and are not differentiable, so nothing is recorded.
#include "core/batched.h"
#include "ops/pointwise_common.h"

namespace fluxion {

using namespace pw;  // NOLINT

namespace {

Tensor compare_tt(const Tensor& a, const Tensor& b, CompareOp op, const char* name, kernels::CompareParams p = {}) {
  check_defined(a, name);
  check_defined(b, name);
  const DType dt = result_type(a, b);
  const Shape shape = a.sizes() == b.sizes() ? a.sizes() : broadcast_shapes(a.sizes(), b.sizes());
  Tensor out = new_output(shape, kBool, common_device({&a, &b}, name), &a, &b);
  launch_compare(out, a, b, dt, op, p);
  return out;
}

Tensor compare_ts(const Tensor& a, const Scalar& b, CompareOp op, const char* name) {
  check_defined(a, name);
  const DType dt = result_type(a, b);
  Tensor out = new_output(a.sizes(), kBool, a.device(), &a);
  kernels::CompareParams p;
  p.scalar = b;
  launch_compare(out, a, Tensor(), dt, op, p);
  return out;
}

Tensor predicate(const Tensor& x, PredicateOp op, const char* name) {
  check_defined(x, name);
  Tensor out = new_output(x.sizes(), kBool, x.device(), &x);
  if (out.numel() == 0) return out;
  if (batched::is_batched(x)) [[unlikely]] {  // out is batched too (new_output)
    const int64_t B = batched::batch_size({&x});
    kernels::predicate_kernel.get(x.device().type(), x.dtype())(batched::physical(out, B), batched::physical(x, B), op);
    return out;
  }
  kernels::predicate_kernel.get(x.device().type(), x.dtype())(out, x, op);
  return out;
}

bool all_true(const Tensor& t) {
  Tensor c = t.is_cpu() ? t : t.to(kCPU);
  return kernels::all_true_kernel.get(DeviceType::CPU, DType::Bool)(c);
}

}  // namespace

#define FX_COMPARE(name, Op)                                                                       \
  Tensor name(const Tensor& a, const Tensor& b) { return compare_tt(a, b, CompareOp::Op, #name); } \
  Tensor name(const Tensor& a, const Scalar& b) { return compare_ts(a, b, CompareOp::Op, #name); } \
  Tensor Tensor::name(const Tensor& o) const { return fluxion::name(*this, o); }                   \
  Tensor Tensor::name(const Scalar& o) const { return fluxion::name(*this, o); }
FX_COMPARE(eq, Eq)
FX_COMPARE(ne, Ne)
FX_COMPARE(lt, Lt)
FX_COMPARE(le, Le)
FX_COMPARE(gt, Gt)
FX_COMPARE(ge, Ge)
#undef FX_COMPARE

Tensor logical_and(const Tensor& a, const Tensor& b) { return compare_tt(a, b, CompareOp::LogicalAnd, "logical_and"); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return compare_tt(a, b, CompareOp::LogicalOr, "logical_or"); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return compare_tt(a, b, CompareOp::LogicalXor, "logical_xor"); }
Tensor logical_not(const Tensor& a) { return predicate(a, PredicateOp::LogicalNot, "logical_not"); }
Tensor isnan(const Tensor& x) { return predicate(x, PredicateOp::IsNan, "isnan"); }
Tensor isinf(const Tensor& x) { return predicate(x, PredicateOp::IsInf, "isinf"); }
Tensor isfinite(const Tensor& x) { return predicate(x, PredicateOp::IsFinite, "isfinite"); }

Tensor Tensor::logical_and(const Tensor& o) const { return fluxion::logical_and(*this, o); }
Tensor Tensor::logical_or(const Tensor& o) const { return fluxion::logical_or(*this, o); }
Tensor Tensor::logical_xor(const Tensor& o) const { return fluxion::logical_xor(*this, o); }
Tensor Tensor::logical_not() const { return fluxion::logical_not(*this); }
Tensor Tensor::isnan() const { return fluxion::isnan(*this); }
Tensor Tensor::isinf() const { return fluxion::isinf(*this); }
Tensor Tensor::isfinite() const { return fluxion::isfinite(*this); }

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  check_defined(a, "isclose");
  check_defined(b, "isclose");
  FX_CHECK(a.dtype() == b.dtype(), "isclose: expected both inputs to have the same dtype, but got ",
           dtype_name(a.dtype()), " and ", dtype_name(b.dtype()));
  FX_CHECK(rtol >= 0, "isclose: rtol must be greater than or equal to zero, but got ", rtol);
  FX_CHECK(atol >= 0, "isclose: atol must be greater than or equal to zero, but got ", atol);
  kernels::CompareParams p;
  p.rtol = rtol;
  p.atol = atol;
  p.equal_nan = equal_nan;
  return compare_tt(a, b, CompareOp::IsClose, "isclose", p);
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return all_true(isclose(a, b, rtol, atol, equal_nan));
}

bool equal(const Tensor& a, const Tensor& b) {
  check_defined(a, "equal");
  check_defined(b, "equal");
  common_device({&a, &b}, "equal");
  if (a.sizes() != b.sizes()) return false;
  return all_true(eq(a, b));
}

Tensor Tensor::isclose(const Tensor& o, double rtol, double atol, bool equal_nan) const {
  return fluxion::isclose(*this, o, rtol, atol, equal_nan);
}
bool Tensor::allclose(const Tensor& o, double rtol, double atol, bool equal_nan) const {
  return fluxion::allclose(*this, o, rtol, atol, equal_nan);
}
bool Tensor::equal(const Tensor& o) const { return fluxion::equal(*this, o); }

}  // namespace fluxion
