// Sorting and searching: sort, argsort, topk (gradients routed through the indices), unique,
// searchsorted, bucketize.
#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/view.h"
#include "kernels/index_kernels.h"
#include "ops/index_util.h"

namespace fluxion {

namespace {

// VJP of an op that picks elements of x along dim at `indices`: scatter the gradient back.
autograd::VjpSavedFn select_backward(int64_t dim, const Shape& in_sizes) {
  return [dim, in_sizes](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
    return TensorList{zeros(in_sizes, a.grad().options()).scatter(dim, s[0], a.grad())};
  };
}

std::tuple<Tensor, Tensor> sort_impl(const Tensor& x, int64_t dim, bool descending) {
  if (batched::is_batched(x) && x.dim() > 0) [[unlikely]] {  // Note [Batched tensors]: one dim further in
    auto [v, i] = sort_impl(batched::physical(x, batched::batch_size({&x})), dim + 1, descending);
    return {batched::wrap(v), batched::wrap(i)};
  }
  Tensor values = empty(x.sizes(), x.options());
  Tensor indices = empty(x.sizes(), TensorOptions(kInt64).device(x.device()));
  kernels::sort_kernel.get(x.device().type(), x.dtype())(values, indices, x, dim, descending);
  return {values, indices};
}

}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending, bool /*stable*/) {
  FX_CHECK(x.defined(), "sort: tensor is undefined");
  dim = wrap_dim(dim, x.dim(), "sort");
  // The kernel is always stable, which satisfies both settings of `stable`.
  auto [values, indices] = sort_impl(x, dim, descending);
  if (autograd::needs_record({&x}))
    autograd::record("SortBackward0", {x}, {values}, {indices}, select_backward(dim, x.sizes()),
                     [&](const TensorList& t) { return TensorList{t[0].gather(dim, indices)}; });
  return {values, indices};
}

Tensor argsort(const Tensor& x, int64_t dim, bool descending, bool /*stable*/) {
  FX_CHECK(x.defined(), "argsort: tensor is undefined");
  dim = wrap_dim(dim, x.dim(), "argsort");
  return std::get<1>(sort_impl(x, dim, descending));
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool /*sorted*/) {
  FX_CHECK(x.defined(), "topk: tensor is undefined");
  dim = wrap_dim(dim, x.dim(), "topk");
  const int64_t n = x.dim() == 0 ? 1 : x.sizes()[dim];
  FX_CHECK(k >= 0 && k <= n, "topk: k (", k, ") is out of range for dimension ", dim, " with size ", n);
  Shape s = x.sizes();
  if (x.dim() > 0) s[dim] = k;
  Tensor values, indices;
  if (batched::is_batched(x) && x.dim() > 0) [[unlikely]] {  // Note [Batched tensors]: one dim further in
    const int64_t B = batched::batch_size({&x});
    values = batched::wrap(empty(batched::batched_sizes(B, s), x.options()));
    indices = batched::wrap(empty(batched::batched_sizes(B, s), TensorOptions(kInt64).device(x.device())));
    kernels::topk_kernel.get(x.device().type(), x.dtype())(batched::physical(values, B), batched::physical(indices, B),
                                                           batched::physical(x, B), k, dim + 1, largest);
  } else {
    values = empty(s, x.options());
    indices = empty(s, TensorOptions(kInt64).device(x.device()));
    // Results always come sorted, a valid order for sorted = false too.
    kernels::topk_kernel.get(x.device().type(), x.dtype())(values, indices, x, k, dim, largest);
  }
  if (autograd::needs_record({&x}))
    autograd::record("TopkBackward0", {x}, {values}, {indices}, select_backward(dim, x.sizes()),
                     [&](const TensorList& t) { return TensorList{t[0].gather(dim, indices)}; });
  return {values, indices};
}

std::tuple<Tensor, Tensor, Tensor> unique(const Tensor& x, bool /*sorted*/, bool return_inverse, bool return_counts,
                                          std::optional<int64_t> dim) {
  FX_CHECK(x.defined(), "unique: tensor is undefined");
  // Output is always sorted (torch.unique on CPU sorts too; sorted = false leaves the order open).
  Tensor values, inverse, counts;
  if (!dim) {
    Tensor rows = x.detach().reshape({x.numel(), 1}).contiguous();
    kernels::UniqueResult r = kernels::unique_kernel.get(x.device().type(), x.dtype())(rows);
    values = r.values.view({r.values.sizes()[0]});
    inverse = r.inverse.view(x.sizes());
    counts = r.counts;
  } else {
    FX_CHECK(x.dim() > 0, "unique: dim given for a 0-d tensor");
    int64_t d = wrap_dim(*dim, x.dim(), "unique");
    Tensor moved = x.detach().movedim(d, 0).contiguous();
    const int64_t n = moved.sizes()[0];
    FX_CHECK(n > 0 || x.numel() == 0, "unique: cannot take unique along an empty dimension");
    const int64_t m = n == 0 ? 0 : moved.numel() / n;
    kernels::UniqueResult r = kernels::unique_kernel.get(x.device().type(), x.dtype())(moved.reshape({n, m}));
    Shape vs = moved.sizes();
    vs[0] = r.values.sizes()[0];
    values = r.values.reshape(vs).movedim(0, d).contiguous();
    inverse = r.inverse;
    counts = r.counts;
  }
  return {values, return_inverse ? inverse : Tensor(), return_counts ? counts : Tensor()};
}

Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool out_int32, bool right) {
  FX_CHECK(sorted_sequence.defined() && values.defined(), "searchsorted: tensor is undefined");
  const Tensor& seq = sorted_sequence;
  FX_CHECK(seq.dim() >= 1, "searchsorted: boundaries tensor should have at least 1 dimension");
  detail::check_same_device(seq, values, "searchsorted", "values");
  if (seq.dim() > 1) {
    bool ok = values.dim() == seq.dim();
    for (int64_t d = 0; ok && d + 1 < seq.dim(); ++d) ok = seq.sizes()[d] == values.sizes()[d];
    FX_CHECK(ok, "searchsorted: boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries ",
             "tensor and input value tensor must match, but we got boundaries tensor ", seq.sizes(),
             " and input value tensor ", values.sizes());
  }
  DType dt = promote_types(seq.dtype(), values.dtype());
  FX_CHECK(dt != kBool, "searchsorted: not implemented for bool tensors");
  // Flatten to (B, S) boundaries and (B, V) values; 1-d boundaries are one row shared by all.
  const int64_t S = seq.sizes()[seq.dim() - 1];
  int64_t B = 1;
  for (int64_t d = 0; d + 1 < seq.dim(); ++d) B *= seq.sizes()[d];
  const int64_t V = seq.dim() == 1 ? values.numel() : values.sizes()[values.dim() - 1];
  Tensor s2 = seq.detach().to(dt).contiguous().reshape({B, S});
  Tensor v2 = values.detach().to(dt).contiguous().reshape({seq.dim() == 1 ? 1 : B, V});
  Tensor out = empty(values.sizes(), TensorOptions(out_int32 ? kInt32 : kInt64).device(values.device()));
  kernels::searchsorted_kernel.get(values.device().type(), dt)(out.view(v2.sizes()), s2, v2, right);
  return out;
}

Tensor bucketize(const Tensor& x, const Tensor& boundaries, bool out_int32, bool right) {
  FX_CHECK(boundaries.defined(), "bucketize: tensor is undefined");
  FX_CHECK(boundaries.dim() == 1, "bucketize: boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(),
           ")");
  return searchsorted(boundaries, x, out_int32, right);
}

// ---- Tensor methods -------------------------------------------------------------------------

std::tuple<Tensor, Tensor> Tensor::topk(int64_t k, int64_t d, bool l, bool s) const {
  return fluxion::topk(*this, k, d, l, s);
}
std::tuple<Tensor, Tensor> Tensor::sort(int64_t d, bool desc, bool st) const {
  return fluxion::sort(*this, d, desc, st);
}
Tensor Tensor::argsort(int64_t d, bool desc, bool st) const { return fluxion::argsort(*this, d, desc, st); }

}  // namespace fluxion
