// Indexing ops built on the differentiable index / index_put pair (ops/index_util.h):
// advanced indexing, index_select, index_add, index_fill, masked_select, masked_scatter, nonzero.
#include "fluxion/ops/index.h"

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/view.h"
#include "kernels/index_kernels.h"
#include "ops/index_util.h"

namespace fluxion {

using detail::index_op;
using detail::index_put_op;
using detail::indices_at_dim;

Tensor index(const Tensor& x, const std::vector<Tensor>& indices) { return index_op(x, indices, true, "index"); }

Tensor index_put(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
  return index_put_op(x, indices, values, accumulate, true, "index_put");
}

Tensor& index_put_(Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate) {
  FX_CHECK(x.defined(), "index_put_: tensor is undefined");
  if (!autograd::needs_record({&x, &values})) {
    detail::check_no_internal_overlap(x, "index_put_");
    detail::index_put_raw_(x, indices, values, accumulate, true, "index_put_");
    if (!is_inference_mode()) x.impl()->storage()->bump_version();
    return x;
  }
  autograd::check_inplace(x, "index_put_");
  Tensor r = index_put_op(x, indices, values, accumulate, true, "index_put_");
  autograd::rebase_inplace(x, r);
  return x;
}

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  FX_CHECK(x.defined(), "index_select: tensor is undefined");
  detail::check_index_dtype(index, "index_select");
  FX_CHECK(index.dim() <= 1, "index_select: index should have at most 1 dimension, got ", index.dim(), " (sizes ",
           index.sizes(), ")");
  dim = wrap_dim(dim, x.dim(), "index_select");
  Tensor idx = index.dim() == 0 ? index.reshape({1}) : index;
  if (x.dim() == 0) {
    FX_CHECK(idx.numel() == 1, "index_select: indexing a 0-d tensor needs exactly one index, got ", idx.numel());
    return index_op(x.reshape({1}), {idx}, false, "index_select").reshape({});
  }
  return index_op(x, indices_at_dim(dim, idx), false, "index_select");
}

namespace {

// Checks shared by index_add/index_fill and returns the 1-d index.
Tensor vector_index(const Tensor& index, const char* op, bool int64_only) {
  detail::check_index_dtype(index, op, int64_only);
  FX_CHECK(index.dim() <= 1, op, ": index has to be a vector or a scalar, got ", index.dim(), " dims (sizes ",
           index.sizes(), ")");
  return index.dim() == 0 ? index.reshape({1}) : index;
}

bool is_one(const Scalar& s) { return s.is_floating_point() ? s.to_double() == 1.0 : s.to_int() == 1; }

}  // namespace

Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) {
  FX_CHECK(x.defined() && source.defined(), "index_add: tensor is undefined");
  Tensor idx = vector_index(index, "index_add", false);
  FX_CHECK(x.dtype() == source.dtype(), "index_add: self (", dtype_name(x.dtype()), ") and source (",
           dtype_name(source.dtype()), ") must have the same dtype");
  dim = wrap_dim(dim, x.dim(), "index_add");
  Tensor self = x.dim() == 0 ? x.reshape({1}) : x;
  Tensor src = source.dim() == 0 ? source.reshape({1}) : source;
  Shape expected = self.sizes();
  expected[dim] = idx.numel();
  FX_CHECK(src.sizes() == expected, "index_add: source of sizes ", source.sizes(), " does not match self of sizes ",
           x.sizes(), " with dimension ", dim, " replaced by the number of indices (", idx.numel(), "): expected ",
           expected);
  Tensor vals = is_one(alpha) ? src : src * alpha;
  Tensor out = index_put_op(self, indices_at_dim(dim, idx), vals, true, false, "index_add");
  return x.dim() == 0 ? out.reshape({}) : out;
}

Tensor index_fill(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value) {
  FX_CHECK(x.defined(), "index_fill: tensor is undefined");
  Tensor idx = vector_index(index, "index_fill", true);
  dim = wrap_dim(dim, x.dim(), "index_fill");
  Tensor v = full({}, value, x.options());
  if (x.dim() == 0) return index_put_op(x.reshape({1}), {idx}, v, false, true, "index_fill").reshape({});
  return index_put_op(x, indices_at_dim(dim, idx), v, false, true, "index_fill");
}

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  FX_CHECK(x.defined() && mask.defined(), "masked_select: tensor is undefined");
  FX_CHECK(mask.dtype() == kBool, "masked_select: expected a bool mask, got ", dtype_name(mask.dtype()));
  std::vector<Tensor> b = broadcast_tensors({x, mask});
  if (b[0].dim() == 0) return index_op(b[0].reshape({1}), {b[1].reshape({1})}, true, "masked_select");
  return index_op(b[0], {b[1]}, true, "masked_select");
}

Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source) {
  FX_CHECK(x.defined() && mask.defined() && source.defined(), "masked_scatter: tensor is undefined");
  FX_CHECK(mask.dtype() == kBool, "masked_scatter: expected a bool mask, got ", dtype_name(mask.dtype()));
  FX_CHECK(x.dtype() == source.dtype(), "masked_scatter: expected self and source to have the same dtype, got ",
           dtype_name(x.dtype()), " and ", dtype_name(source.dtype()));
  std::vector<Tensor> b = broadcast_tensors({x, mask});
  const bool zero_d = b[0].dim() == 0;
  Tensor self = zero_d ? b[0].reshape({1}) : b[0];
  Tensor m = zero_d ? b[1].reshape({1}) : b[1];
  const int64_t count = kernels::nonzero_kernel.get(m.device().type(), m.dtype())(m).sizes()[0];
  FX_CHECK(source.numel() >= count, "masked_scatter: the source has ", source.numel(),
           " elements, fewer than the number of ones in the mask (", count, ")");
  Tensor vals = source.reshape({-1}).narrow(0, 0, count);
  Tensor out = index_put_op(self, {m}, vals, false, true, "masked_scatter");
  return zero_d ? out.reshape({}) : out;
}

Tensor nonzero(const Tensor& x) {
  FX_CHECK(x.defined(), "nonzero: tensor is undefined");
  return kernels::nonzero_kernel.get(x.device().type(), x.dtype())(x);
}

// ---- Tensor methods -------------------------------------------------------------------------

Tensor Tensor::index_select(int64_t d, const Tensor& i) const { return fluxion::index_select(*this, d, i); }
Tensor Tensor::index_add(int64_t d, const Tensor& i, const Tensor& s, const Scalar& a) const {
  return fluxion::index_add(*this, d, i, s, a);
}
Tensor& Tensor::index_add_(int64_t d, const Tensor& i, const Tensor& s, const Scalar& a) {
  if (!autograd::needs_record({this, &s})) {
    // Validate and compute through the out-of-place op's checks, but write in place.
    FX_CHECK(dtype() == s.dtype(), "index_add_: self (", dtype_name(dtype()), ") and source (", dtype_name(s.dtype()),
             ") must have the same dtype");
    detail::check_no_internal_overlap(*this, "index_add_");
    Tensor idx = vector_index(i, "index_add_", false);
    int64_t dim = wrap_dim(d, this->dim(), "index_add_");
    Tensor self = this->dim() == 0 ? detail::raw_view(*this, {1}, {1}, storage_offset()) : *this;
    Tensor src = s.dim() == 0 ? s.reshape({1}) : s;
    Shape expected = self.sizes();
    expected[dim] = idx.numel();
    FX_CHECK(src.sizes() == expected, "index_add_: source of sizes ", s.sizes(), " does not match self of sizes ",
             sizes(), " with dimension ", dim, " replaced by the number of indices (", idx.numel(), "): expected ",
             expected);
    Tensor vals = is_one(a) ? src : src * a;
    detail::index_put_raw_(self, indices_at_dim(dim, idx), vals, true, false, "index_add_");
    if (!is_inference_mode()) impl()->storage()->bump_version();
    return *this;
  }
  autograd::check_inplace(*this, "index_add_");
  Tensor r = fluxion::index_add(*this, d, i, s, a);
  autograd::rebase_inplace(*this, r);
  return *this;
}
Tensor Tensor::index_fill(int64_t d, const Tensor& i, const Scalar& v) const {
  return fluxion::index_fill(*this, d, i, v);
}
Tensor Tensor::masked_select(const Tensor& m) const { return fluxion::masked_select(*this, m); }
Tensor Tensor::masked_scatter(const Tensor& m, const Tensor& s) const { return fluxion::masked_scatter(*this, m, s); }
Tensor Tensor::nonzero() const { return fluxion::nonzero(*this); }

}  // namespace fluxion
