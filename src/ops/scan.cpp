// Scans (cumsum, cumprod) with their VJPs/JVPs, and the small differentiable helpers their
// gradients and prod's gradient are built from (reverse cumsum, flip along a dim, pad along a
// dim, "product of the others").
#include <cmath>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"
#include "kernels/reduce_kernels.h"
#include "ops/reduce_util.h"

namespace fluxion {

using namespace reduce_util;

namespace {

// Runs a scan kernel on `x` (any layout) along wrapped dim `d`.
Tensor scan_forward(const kernels::KernelTable<kernels::ScanFn>& table, const Tensor& x, int64_t d, bool reverse) {
  if (batched::is_batched(x) && x.dim() > 0) [[unlikely]]  // Note [Batched tensors]: one dim further in
    return batched::wrap(scan_forward(table, batched::physical(x, batched::batch_size({&x})), d + 1, reverse));
  const Tensor c = contiguous_nograd(x);
  const DType out_dt = is_floating_point(x.dtype()) ? x.dtype() : kInt64;
  Tensor out = empty(x.sizes(), TensorOptions(out_dt).device(x.device()));
  table.get(x.device().type(), x.dtype())(out, c, d, reverse);
  return out;
}

Tensor cumsum_reverse(const Tensor& x, int64_t d);

// cumsum along d in either direction; each direction's VJP is the other one.
Tensor cumsum_dir(const Tensor& x, int64_t d, bool reverse) {
  Tensor out = scan_forward(kernels::cumsum_kernel, x, d, reverse);
  if (out.is_floating_point() && autograd::needs_record({&x}))
    autograd::record(
        reverse ? "CumsumReverseBackward0" : "CumsumBackward0", {x}, {out},
        [d, reverse](const autograd::BackwardArgs& a) { return TensorList{cumsum_dir(a.grad(), d, !reverse)}; },
        [&](const TensorList& t) { return TensorList{cumsum_dir(t[0], d, reverse)}; });
  return out;
}

Tensor cumsum_reverse(const Tensor& x, int64_t d) { return cumsum_dir(x, d, true); }

// Bool masks along dim d of x (true before the first zero of each slice; true at the first zero).
std::pair<Tensor, Tensor> first_zero_masks(const Tensor& x, int64_t d) {
  NoGradGuard ng;
  Tensor is_zero = eq(x.detach(), 0);
  Tensor seen = cumsum(is_zero, d);  // int64: zeros seen so far (inclusive)
  return {eq(seen, 0), logical_and(eq(seen, 1), is_zero)};
}

// [D, D] bool masks: identity, and upper triangle (column >= row).
std::pair<Tensor, Tensor> eye_triu_masks(int64_t D, Device dev) {
  Tensor e = empty({D, D}, TensorOptions(kBool));
  Tensor u = empty({D, D}, TensorOptions(kBool));
  bool* pe = e.data_ptr<bool>();
  bool* pu = u.data_ptr<bool>();
  for (int64_t k = 0; k < D; ++k)
    for (int64_t i = 0; i < D; ++i) {
      pe[k * D + i] = i == k;
      pu[k * D + i] = i >= k;
    }
  return {e.to(dev), u.to(dev)};
}

// VJP of y = cumprod(x) along d.
Tensor cumprod_vjp(const Tensor& g, const Tensor& x, const Tensor& y, int64_t d) {
  if (x.numel() == 0) return zeros_like(x);
  const bool has_zero = count_nonzero(x).item<int64_t>() < x.numel();
  if (!has_zero) return cumsum_reverse(g * y, d) / x;
  if (is_grad_enabled()) {
    // Differentiable O(D^2) form (PyTorch does the same for double backward):
    // grad_k = sum_{i >= k} g_i * prod_{j <= i, j != k} x_j, the products being cumprods of x
    // with x_k replaced by 1.
    const int64_t D = x.size(d);
    Tensor xm = x.movedim(d, -1), gm = g.movedim(d, -1);
    Shape sq = xm.sizes();
    sq.insert(sq.end() - 1, D);  // [..., D(k), D(i)]
    auto [eye, triu] = eye_triu_masks(D, x.device());
    Tensor c = cumprod(where(eye, Scalar(1.0), xm.unsqueeze(-2).expand(sq)), -1);
    Tensor gk = sum(where(triu, gm.unsqueeze(-2) * c, Scalar(0.0)), DimList{-1});
    return gk.movedim(-1, d);
  }
  // First order only, O(n): before the first zero z, prod of the others is y_i / x_k; at z it is
  // the cumprod with x_z replaced by 1; after z every product contains x_z = 0.
  auto [before, first] = first_zero_masks(x, d);
  Tensor safe_x = where(before, x, Scalar(1.0));
  Tensor part1 = where(before, cumsum_reverse(g * y, d) / safe_x, Scalar(0.0));
  Tensor cz = cumprod(where(first, Scalar(1.0), x), d);
  Tensor at_z = sum(where(before, Scalar(0.0), g * cz), DimList{d}, true);
  return part1 + where(first, at_z, Scalar(0.0));
}

// JVP of y = cumprod(x) along d (same case split as the VJP).
Tensor cumprod_jvp(const Tensor& t, const Tensor& x, const Tensor& y, int64_t d) {
  if (x.numel() == 0) return zeros_like(y);
  const bool has_zero = count_nonzero(x).item<int64_t>() < x.numel();
  if (!has_zero) return y * cumsum(t / x, d);
  auto [before, first] = first_zero_masks(x, d);
  Tensor safe_x = where(before, x, Scalar(1.0));
  Tensor part1 = where(before, y * cumsum(t / safe_x, d), Scalar(0.0));
  Tensor tz = sum(where(first, t, Scalar(0.0)), DimList{d}, true);
  Tensor cz = cumprod(where(first, Scalar(1.0), x), d);
  return part1 + where(before, Scalar(0.0), tz * cz);
}

}  // namespace

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  check_defined(x, "cumsum");
  const Tensor in = (dtype && *dtype != x.dtype()) ? x.to(*dtype) : x;
  const int64_t d = wrap_dim(dim, in.dim(), "cumsum");
  Tensor out = cumsum_dir(in, d, false);
  if (dtype && out.dtype() != *dtype) out = out.to(*dtype);
  return out;
}

Tensor cumprod(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  check_defined(x, "cumprod");
  const Tensor in = (dtype && *dtype != x.dtype()) ? x.to(*dtype) : x;
  const int64_t d = wrap_dim(dim, in.dim(), "cumprod");
  Tensor out = scan_forward(kernels::cumprod_kernel, in, d, false);
  if (out.is_floating_point() && autograd::needs_record({&in}))
    autograd::record(
        "CumprodBackward0", {in}, {out}, {in, out},
        [d](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          return TensorList{cumprod_vjp(a.grad(), s[0], s[1], d)};
        },
        [&](const TensorList& t) { return TensorList{cumprod_jvp(t[0], in, out, d)}; });
  if (dtype && out.dtype() != *dtype) out = out.to(*dtype);
  return out;
}

namespace detail {

Tensor flip_dim(const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, x.dim(), "flip");
  Tensor out = empty(x.sizes(), x.options());
  if (x.numel() > 0) {
    // A view with a negative stride walks the input backwards; the copy kernel handles it.
    Shape st = x.strides();
    const int64_t offset = x.storage_offset() + (x.dim() == 0 ? 0 : (x.size(d) - 1) * st[d]);
    if (x.dim() > 0) st[d] = -st[d];
    Tensor rev(make_alias(*x.impl(), offset, x.sizes(), st, x.dtype()));
    kernels::copy_kernel.get(x.device().type(), x.dtype())(out, rev);
  }
  if (autograd::needs_record({&x}))
    autograd::record(
        "FlipBackward0", {x}, {out}, [d](const autograd::BackwardArgs& a) { return TensorList{flip_dim(a.grad(), d)}; },
        [d](const TensorList& t) { return TensorList{flip_dim(t[0], d)}; });
  return out;
}

Tensor pad_dim(const Tensor& x, int64_t dim, int64_t before, int64_t after, double value) {
  const int64_t d = wrap_dim(dim, x.dim(), "pad");
  Shape sizes = x.sizes();
  const int64_t len = sizes[d];
  sizes[d] += before + after;
  Tensor out = full(sizes, value, x.options());
  if (x.numel() > 0) {
    Tensor region(
        make_alias(*out.impl(), out.storage_offset() + before * out.strides()[d], x.sizes(), out.strides(), x.dtype()));
    kernels::copy_kernel.get(x.device().type(), x.dtype())(region, x);
  }
  if (autograd::needs_record({&x}))
    autograd::record(
        "PadBackward0", {x}, {out},
        [d, before, len](const autograd::BackwardArgs& a) { return TensorList{a.grad().narrow(d, before, len)}; },
        [d, before, after](const TensorList& t) { return TensorList{pad_dim(t[0], d, before, after, 0.0)}; });
  return out;
}

Tensor prod_others(const Tensor& x, int64_t d) {
  const int64_t D = x.size(d);
  if (D == 0) return x;
  if (count_nonzero(x).item<int64_t>() == x.numel()) return prod(x, d, true) / x;
  if (D == 1) return ones_like(x);
  // Exclusive products from the left and from the right: exact with zeros, differentiable.
  Tensor left = pad_dim(cumprod(x.narrow(d, 0, D - 1), d), d, 1, 0, 1.0);
  Tensor xr = flip_dim(x, d);
  Tensor right = flip_dim(pad_dim(cumprod(xr.narrow(d, 0, D - 1), d), d, 1, 0, 1.0), d);
  return left * right;
}

}  // namespace detail

Tensor Tensor::cumsum(int64_t dim, std::optional<DType> dtype) const { return fluxion::cumsum(*this, dim, dtype); }
Tensor Tensor::cumprod(int64_t dim, std::optional<DType> dtype) const { return fluxion::cumprod(*this, dim, dtype); }

}  // namespace fluxion
