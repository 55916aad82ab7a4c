// Reordering and repetition: flip, roll, repeat, tile, repeat_interleave, tril/triu, one_hot.
#include <algorithm>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"
#include "kernels/index_kernels.h"
#include "ops/index_util.h"

namespace fluxion {

Tensor flip(const Tensor& x, const DimList& dims) {
  FX_CHECK(x.defined(), "flip: tensor is undefined");
  std::vector<bool> flipped(static_cast<size_t>(std::max<int64_t>(x.dim(), 1)), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, x.dim(), "flip");
    FX_CHECK(!flipped[w], "flip: dim ", w, " appears multiple times in the list of dims");
    flipped[w] = true;
  }
  // A flipped dim is the same memory walked backwards: read through a negative-stride view.
  Shape st = x.strides();
  int64_t offset = x.storage_offset();
  for (int64_t d = 0; d < x.dim(); ++d) {
    if (!flipped[d] || x.sizes()[d] == 0) continue;
    offset += (x.sizes()[d] - 1) * st[d];
    st[d] = -st[d];
  }
  Tensor out = empty(x.sizes(), x.options());
  if (x.numel() > 0)
    kernels::copy_kernel.get(x.device().type(), x.dtype())(out, detail::raw_view(x, x.sizes(), st, offset));
  if (autograd::needs_record({&x})) {
    DimList ds = dims;
    autograd::record(
        "FlipBackward0", {x}, {out}, [ds](const autograd::BackwardArgs& a) { return TensorList{flip(a.grad(), ds)}; },
        [ds](const TensorList& t) { return TensorList{flip(t[0], ds)}; });
  }
  return out;
}

Tensor roll(const Tensor& x, const DimList& shifts, const DimList& dims) {
  FX_CHECK(x.defined(), "roll: tensor is undefined");
  if (dims.empty()) {
    FX_CHECK(shifts.size() == 1, "roll: with no dims, expected exactly one shift, got ", shifts.size());
    return roll(x.flatten(), shifts, DimList{0}).view(x.sizes());
  }
  FX_CHECK(shifts.size() == dims.size(), "roll: shifts and dimensions must align. shifts: ", shifts.size(),
           ", dims: ", dims.size());
  Tensor r = x;
  bool moved = false;
  for (size_t i = 0; i < dims.size(); ++i) {
    int64_t d = wrap_dim(dims[i], x.dim(), "roll");
    int64_t n = r.sizes()[d];
    if (n == 0) continue;
    int64_t s = ((shifts[i] % n) + n) % n;
    if (s == 0) continue;
    r = cat({r.narrow(d, n - s, s), r.narrow(d, 0, n - s)}, d);
    moved = true;
  }
  return moved ? r : x.clone();
}

Tensor repeat(const Tensor& x, const Shape& repeats) {
  FX_CHECK(x.defined(), "repeat: tensor is undefined");
  const int64_t n = static_cast<int64_t>(repeats.size());
  FX_CHECK(n >= x.dim(), "repeat: number of dimensions of repeat dims (", n,
           ") can not be smaller than number of dimensions of tensor (", x.dim(), ")");
  for (int64_t r : repeats) FX_CHECK(r >= 0, "repeat: repeats must be non-negative, got ", repeats);
  // x (padded to n dims) viewed as [1, s0, 1, s1, ...], expanded to [r0, s0, r1, s1, ...].
  Shape padded(static_cast<size_t>(n - x.dim()), int64_t{1});
  for (int64_t s : x.sizes()) padded.push_back(s);
  Shape inter, expanded, final_sizes;
  for (int64_t i = 0; i < n; ++i) {
    inter.push_back(1);
    inter.push_back(padded[i]);
    expanded.push_back(repeats[i]);
    expanded.push_back(padded[i]);
    final_sizes.push_back(repeats[i] * padded[i]);
  }
  return x.reshape(inter).expand(expanded).clone().view(final_sizes);
}

Tensor tile(const Tensor& x, const Shape& reps) {
  FX_CHECK(x.defined(), "tile: tensor is undefined");
  Shape r = reps;
  while (static_cast<int64_t>(r.size()) < x.dim()) r.insert(r.begin(), 1);
  return repeat(x, r);
}

Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> dim) {
  FX_CHECK(x.defined(), "repeat_interleave: tensor is undefined");
  FX_CHECK(repeats >= 0, "repeat_interleave: repeats must be non-negative, got ", repeats);
  Tensor in = dim ? x : x.flatten();
  int64_t d = dim ? wrap_dim(*dim, x.dim(), "repeat_interleave") : 0;
  if (in.dim() == 0) in = in.reshape({1});
  Shape e = in.sizes();
  e.insert(e.begin() + d + 1, repeats);
  return in.unsqueeze(d + 1).expand(e).clone().flatten(d, d + 1);
}

Tensor repeat_interleave(const Tensor& x, const Tensor& repeats, std::optional<int64_t> dim) {
  FX_CHECK(x.defined() && repeats.defined(), "repeat_interleave: tensor is undefined");
  FX_CHECK(repeats.dtype() == kInt64 || repeats.dtype() == kInt32,
           "repeat_interleave: repeats has to be an int64 or int32 tensor, got ", dtype_name(repeats.dtype()));
  FX_CHECK(repeats.dim() <= 1, "repeat_interleave: repeats must be 0-d or 1-d, got ", repeats.dim(), " dims");
  Tensor in = dim ? x : x.flatten();
  int64_t d = dim ? wrap_dim(*dim, x.dim(), "repeat_interleave") : 0;
  if (in.dim() == 0) in = in.reshape({1});
  const int64_t n = in.sizes()[d];
  if (repeats.numel() == 1) return repeat_interleave(x, repeats.reshape({}).item<int64_t>(), dim);
  FX_CHECK(repeats.numel() == n, "repeat_interleave: repeats must have the same size as input along dim, but got ",
           "repeats.size(0) = ", repeats.numel(), " and input.size(", d, ") = ", n);
  // The output length depends on the values: read them on the host (PyTorch syncs here too).
  Tensor r = repeats.to(kCPU).to(kInt64).contiguous();
  const int64_t* rp = r.data_ptr<int64_t>();
  std::vector<int64_t> idx;
  for (int64_t i = 0; i < n; ++i) {
    FX_CHECK(rp[i] >= 0, "repeat_interleave: repeats must be non-negative, got ", rp[i], " at position ", i);
    idx.insert(idx.end(), static_cast<size_t>(rp[i]), i);
  }
  Tensor it = tensor(idx, Shape{static_cast<int64_t>(idx.size())}, TensorOptions(kInt64)).to(x.device());
  return index_select(in, d, it);
}

namespace {
Tensor tri(const Tensor& x, int64_t diagonal, bool upper) {
  const char* op = upper ? "triu" : "tril";
  FX_CHECK(x.defined(), op, ": tensor is undefined");
  FX_CHECK(x.dim() >= 2, op, ": input tensor must have at least 2 dimensions, got ", x.dim());
  Tensor out = empty(x.sizes(), x.options());
  kernels::tri_kernel.get(x.device().type(), x.dtype())(out, x, diagonal, upper);
  if (autograd::needs_record({&x}))
    autograd::record(
        upper ? "TriuBackward0" : "TrilBackward0", {x}, {out},
        [diagonal, upper](const autograd::BackwardArgs& a) { return TensorList{tri(a.grad(), diagonal, upper)}; },
        [diagonal, upper](const TensorList& t) { return TensorList{tri(t[0], diagonal, upper)}; });
  return out;
}
}  // namespace

Tensor tril(const Tensor& x, int64_t diagonal) { return tri(x, diagonal, false); }
Tensor triu(const Tensor& x, int64_t diagonal) { return tri(x, diagonal, true); }

Tensor one_hot(const Tensor& labels, int64_t num_classes) {
  FX_CHECK(labels.defined(), "one_hot: tensor is undefined");
  FX_CHECK(labels.dtype() == kInt64, "one_hot: expected an int64 index tensor, got ", dtype_name(labels.dtype()));
  FX_CHECK(num_classes == -1 || num_classes >= 0, "one_hot: num_classes must be -1 or non-negative, got ", num_classes);
  // The class range is checked (and inferred) on the host, like PyTorch does.
  Tensor l = labels.to(kCPU).contiguous();
  const int64_t* p = l.data_ptr<int64_t>();
  int64_t lo = 0, hi = -1;
  if (l.numel() > 0) {
    lo = *std::min_element(p, p + l.numel());
    hi = *std::max_element(p, p + l.numel());
  }
  if (num_classes == -1) {
    FX_CHECK(l.numel() > 0, "one_hot: cannot infer the number of classes from an empty tensor");
    num_classes = hi + 1;
  }
  FX_CHECK(l.numel() == 0 || lo >= 0, "one_hot: class values must be non-negative, got ", lo);
  FX_CHECK(l.numel() == 0 || hi < num_classes, "one_hot: class values must be smaller than num_classes (", num_classes,
           "), got ", hi);
  Shape s = labels.sizes();
  s.push_back(num_classes);
  Tensor out = zeros(s, TensorOptions(kInt64).device(labels.device()));
  if (labels.numel() > 0) out.scatter_(-1, labels.unsqueeze(-1), 1);
  return out;
}

// ---- Tensor methods -------------------------------------------------------------------------

Tensor Tensor::flip(const DimList& d) const { return fluxion::flip(*this, d); }
Tensor Tensor::roll(const DimList& s, const DimList& d) const { return fluxion::roll(*this, s, d); }
Tensor Tensor::repeat(const Shape& r) const { return fluxion::repeat(*this, r); }
Tensor Tensor::repeat_interleave(int64_t r, std::optional<int64_t> d) const {
  return fluxion::repeat_interleave(*this, r, d);
}
Tensor Tensor::repeat_interleave(const Tensor& r, std::optional<int64_t> d) const {
  return fluxion::repeat_interleave(*this, r, d);
}
Tensor Tensor::tile(const Shape& r) const { return fluxion::tile(*this, r); }
Tensor Tensor::tril(int64_t d) const { return fluxion::tril(*this, d); }
Tensor Tensor::triu(int64_t d) const { return fluxion::triu(*this, d); }

}  // namespace fluxion
