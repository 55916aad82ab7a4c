// max / min / amax / amin / argmax / argmin with their VJPs/JVPs.
// Gradients (as PyTorch): max()/min()/amax/amin split the gradient evenly among all elements
// equal to the result (NaN results: among the NaNs); max(dim)/min(dim) route it to the returned
// index only. argmax/argmin and the indices are not differentiable.
#include <limits>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "kernels/reduce_kernels.h"
#include "ops/reduce_util.h"

namespace fluxion {

using namespace reduce_util;

namespace {

// Errors for reductions without an identity: empty input with no dim given, or an empty dim.
void check_nonempty(const Tensor& x, const Shape& rd, bool dims_given, const char* op) {
  FX_CHECK(dims_given || x.numel() > 0, op, ": Expected reduction dim to be specified for input.numel() == 0 (sizes ",
           x.sizes(), "). Specify the reduction dim with the 'dim' argument.");
  for (int64_t d : rd)
    FX_CHECK(x.size(d) != 0, op, ": Expected reduction dim ", d, " to have non-zero size (input sizes ", x.sizes(),
             ").");
}

// d extreme / d x for amax/amin: 1/count on every element equal to the (broadcast) result.
Tensor even_split_weights(const Tensor& x, const Tensor& y_keep, const Shape& rd) {
  Tensor mask;
  {
    NoGradGuard ng;
    Tensor xd = x.detach(), yd = y_keep.detach();
    mask = logical_or(eq(xd, yd), logical_and(isnan(xd), isnan(yd))).to(x.dtype());
  }
  return mask / sum(mask, DimList(rd), true);
}

template <bool kMax>
Tensor extreme_all_dims(const Tensor& x, const DimList& dims, bool keepdim, const char* op, const char* node) {
  check_defined(x, op);
  Shape rd = normalize_dims(dims, x.dim(), op);
  check_nonempty(x, rd, !dims.empty(), op);
  auto [out, alias] = make_output(x, rd, keepdim, x.dtype());
  const KernelArgs k = kernel_args(alias, x, rd);
  (kMax ? kernels::amax_kernel : kernels::amin_kernel).get(x.device().type(), x.dtype())(k.out, k.in, k.dims, 0.0);
  if (x.is_floating_point() && autograd::needs_record({&x})) {
    Shape in_sizes = x.sizes();
    autograd::record(
        node, {x}, {out}, {x, out},
        [in_sizes, rd, keepdim](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          Tensor w = even_split_weights(s[0], unsqueeze_reduced(s[1], rd, keepdim), rd);
          return TensorList{expand_reduced(a.grad(), in_sizes, rd, keepdim) * w};
        },
        [&](const TensorList& t) {
          Tensor w = even_split_weights(x, unsqueeze_reduced(out, rd, keepdim), rd);
          return TensorList{sum(t[0] * w, DimList(rd), keepdim)};
        });
  }
  return out;
}

// Bool mask (broadcastable to x) selecting, along d, the position held in `idx_keep`.
Tensor index_mask(const Tensor& idx_keep, int64_t D, int64_t d, int64_t ndim) {
  NoGradGuard ng;
  Shape s(static_cast<size_t>(ndim), int64_t{1});
  s[d] = D;
  return eq(arange(D, TensorOptions(kInt64).device(idx_keep.device())).view(s), idx_keep);
}

template <bool kMax>
std::tuple<Tensor, Tensor> extreme_dim(const Tensor& x, int64_t dim, bool keepdim, const char* op, bool want_values) {
  check_defined(x, op);
  const int64_t d = wrap_dim(dim, x.dim(), op);
  Shape rd = normalize_dims(DimList{dim}, x.dim(), op);
  check_nonempty(x, rd, true, op);
  Tensor values, values_alias;
  if (want_values) std::tie(values, values_alias) = make_output(x, rd, keepdim, x.dtype());
  auto [indices, indices_alias] = make_output(x, rd, keepdim, kInt64);
  if (batched::is_batched(x) && x.dim() > 0) [[unlikely]] {  // Note [Batched tensors]
    const KernelArgs k = kernel_args(indices_alias, x, rd);
    const Tensor kv = values_alias.defined() ? kernel_args(values_alias, x, rd).out : values_alias;
    (kMax ? kernels::max_dim_kernel : kernels::min_dim_kernel)
        .get(x.device().type(), x.dtype())(kv, k.out, k.in, d + 1);
  } else {
    (kMax ? kernels::max_dim_kernel : kernels::min_dim_kernel)
        .get(x.device().type(), x.dtype())(values_alias, indices_alias, x, x.dim() == 0 ? -1 : d);
  }
  if (want_values && x.is_floating_point() && autograd::needs_record({&x})) {
    const int64_t ndim = x.dim(), D = ndim == 0 ? 1 : x.size(d);
    autograd::record(
        kMax ? "MaxBackward0" : "MinBackward0", {x}, {values}, {indices},
        [rd, d, ndim, D, keepdim](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          if (ndim == 0) return TensorList{a.grad()};
          Tensor mask = index_mask(unsqueeze_reduced(s[0], rd, keepdim), D, d, ndim);
          return TensorList{where(mask, unsqueeze_reduced(a.grad(), rd, keepdim), Scalar(0.0))};
        },
        [&](const TensorList& t) {
          if (ndim == 0) return TensorList{t[0]};
          Tensor mask = index_mask(unsqueeze_reduced(indices, rd, keepdim), D, d, ndim);
          return TensorList{sum(where(mask, t[0], Scalar(0.0)), DimList{d}, keepdim)};
        });
  }
  return {values, indices};
}

template <bool kMax>
Tensor arg_extreme(const Tensor& x, std::optional<int64_t> dim, bool keepdim, const char* op) {
  check_defined(x, op);
  FX_CHECK(x.dtype() != kBool, op, ": does not support bool input");
  if (dim) return std::get<1>(extreme_dim<kMax>(x, *dim, keepdim, op, false));
  FX_CHECK(x.numel() > 0, op, ": Expected reduction dim to be specified for input.numel() == 0 (sizes ", x.sizes(),
           ").");
  // Over the flattened tensor (row-major order, like PyTorch).
  Tensor flat = contiguous_nograd(x);
  flat = Tensor(make_alias(*flat.impl(), flat.storage_offset(), Shape{flat.numel()}, Shape{1}, flat.dtype()));
  Tensor idx = std::get<1>(extreme_dim<kMax>(flat, 0, false, op, false));
  if (keepdim) return idx.reshape(Shape(static_cast<size_t>(x.dim()), int64_t{1}));
  return idx;
}

}  // namespace

Tensor max(const Tensor& x) { return extreme_all_dims<true>(x, DimList{}, false, "max()", "MaxBackward1"); }
Tensor min(const Tensor& x) { return extreme_all_dims<false>(x, DimList{}, false, "min()", "MinBackward1"); }
Tensor amax(const Tensor& x, const DimList& dims, bool keepdim) {
  return extreme_all_dims<true>(x, dims, keepdim, "amax()", "AmaxBackward0");
}
Tensor amin(const Tensor& x, const DimList& dims, bool keepdim) {
  return extreme_all_dims<false>(x, dims, keepdim, "amin()", "AminBackward0");
}
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim<true>(x, dim, keepdim, "max()", true);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim<false>(x, dim, keepdim, "min()", true);
}
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme<true>(x, dim, keepdim, "argmax()");
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extreme<false>(x, dim, keepdim, "argmin()");
}

Tensor Tensor::max() const { return fluxion::max(*this); }
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const { return fluxion::max(*this, dim, keepdim); }
Tensor Tensor::min() const { return fluxion::min(*this); }
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const { return fluxion::min(*this, dim, keepdim); }
Tensor Tensor::amax(const DimList& dims, bool keepdim) const { return fluxion::amax(*this, dims, keepdim); }
Tensor Tensor::amin(const DimList& dims, bool keepdim) const { return fluxion::amin(*this, dims, keepdim); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return fluxion::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const { return fluxion::argmin(*this, dim, keepdim); }

}  // namespace fluxion
