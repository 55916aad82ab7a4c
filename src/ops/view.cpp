// View ops: each returns a tensor sharing storage with its input, with its VJP and JVP beside it.
#include "fluxion/ops/view.h"

#include <algorithm>
#include <numeric>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/reduce.h"

namespace fluxion {

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  int64_t n = ndim == 0 ? 1 : ndim;  // 0-d tensors accept dim 0 and -1, as in PyTorch
  FX_CHECK(dim >= -n && dim < n, op, ": dimension ", dim, " out of range for a tensor with ", ndim,
           " dims (expected in [", -n, ", ", n - 1, "])");
  return dim < 0 ? dim + n : dim;
}

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n, int64_t{1});
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    FX_CHECK(da == db || da == 1 || db == 1, "broadcast: shapes ", a, " and ", b, " are not broadcastable (dim ", i,
             ": ", da, " vs ", db, ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors) {
  if (tensors.empty()) return {};
  Shape s = tensors[0].sizes();
  for (size_t i = 1; i < tensors.size(); ++i) s = broadcast_shapes(s, tensors[i].sizes());
  std::vector<Tensor> out;
  out.reserve(tensors.size());
  for (const auto& t : tensors) out.push_back(t.sizes() == s ? t : t.expand(s));
  return out;
}

namespace {

// Makes a view of x with new geometry (same storage, same dtype).
Tensor make_view(const Tensor& x, Shape sizes, Shape strides, int64_t offset) {
  return Tensor(make_alias(*x.impl(), offset, std::move(sizes), std::move(strides), x.dtype()));
}

// Scatters `g` into zeros of `in_sizes` through `view_fn` (the backward of a view); its own
// VJP is the view again, so higher derivatives work. `overlapping` views accumulate.
using ViewFn = std::function<Tensor(const Tensor&)>;
Tensor view_scatter(const Tensor& g, const Shape& in_sizes, const ViewFn& view_fn, const char* name);

// Records autograd for a view `out` of `x` produced by `view_fn`.
void record_view(const char* name, const Tensor& x, const Tensor& out, ViewFn view_fn) {
  autograd::mark_view(x, out);
  if (!autograd::needs_record({&x})) return;
  Shape in_sizes = x.sizes();
  autograd::record(
      name, {x}, {out},
      [in_sizes, view_fn, name](const autograd::BackwardArgs& a) {
        return TensorList{view_scatter(a.grad(), in_sizes, view_fn, name)};
      },
      [view_fn](const TensorList& t) { return TensorList{view_fn(t[0])}; });
}

Tensor view_scatter(const Tensor& g, const Shape& in_sizes, const ViewFn& view_fn, const char* name) {
  // A batched gradient scatters into a batched base (Note [Batched tensors]).
  Tensor out = batched::is_batched(g)
                   ? batched::wrap(zeros(batched::batched_sizes(batched::batch_size({&g}), in_sizes), g.options()))
                   : zeros(in_sizes, g.options());
  {
    NoGradGuard ng;
    Tensor region = view_fn(out);
    // Views that repeat elements (expand, overlapping unfold/as_strided) need accumulation:
    // detect them by numel of region exceeding the distinct elements it can address.
    bool overlapping = false;
    {
      Shape sz = region.sizes(), st = region.strides();
      std::vector<size_t> order(sz.size());
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return st[a] < st[b]; });
      int64_t reach = 1;
      for (size_t i : order) {
        if (sz[i] == 1) continue;
        if (st[i] < reach) overlapping = true;
        reach = st[i] * sz[i];
      }
    }
    if (!overlapping) {
      region.copy_(g);
    } else {
      // Slow but exact: add one element-run at a time along the first dim.
      FX_CHECK(region.dim() > 0, name, ": cannot scatter into an overlapping 0-d view");
      for (int64_t i = 0; i < region.size(0); ++i) {
        Tensor r = region.select(0, i);
        r.copy_(r + g.select(0, i));
      }
    }
  }
  if (autograd::needs_record({&g}))
    autograd::record(
        "ViewScatterBackward0", {g}, {out},
        [view_fn](const autograd::BackwardArgs& a) { return TensorList{view_fn(a.grad())}; },
        [in_sizes, view_fn, name](const TensorList& t) {
          return TensorList{view_scatter(t[0], in_sizes, view_fn, name)};
        });
  return out;
}

// Sizes for view/reshape with one -1 inferred.
Shape infer_size(const Shape& sizes, int64_t numel, const char* op) {
  Shape out = sizes;
  int64_t known = 1;
  int infer = -1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      FX_CHECK(infer < 0, op, ": only one dimension can be inferred (-1), got sizes ", sizes);
      infer = static_cast<int>(i);
    } else {
      FX_CHECK(out[i] >= 0, op, ": invalid size ", out[i], " in ", sizes);
      known *= out[i];
    }
  }
  if (infer >= 0) {
    FX_CHECK(known != 0 && numel % known == 0, op, ": shape ", sizes, " is invalid for input of size ", numel);
    out[static_cast<size_t>(infer)] = numel / known;
  } else {
    FX_CHECK(known == numel, op, ": shape ", sizes, " is invalid for input of size ", numel);
  }
  return out;
}

// Strides for viewing (sizes, strides) as new_sizes without a copy, if possible (PyTorch's computeStride).
std::optional<Shape> view_strides(const Shape& old_sizes, const Shape& old_strides, const Shape& new_sizes) {
  Shape new_strides(new_sizes.size(), int64_t{0});
  if (old_sizes.empty()) return Shape(new_sizes.size(), int64_t{1});
  int64_t numel = shape_numel(old_sizes);
  if (numel == 0) {
    if (old_sizes == new_sizes) return old_strides;
    return contiguous_strides(new_sizes);
  }
  int64_t view_d = static_cast<int64_t>(new_sizes.size()) - 1;
  int64_t chunk_base_stride = old_strides.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(old_sizes.size()) - 1; tensor_d >= 0; tensor_d--) {
    tensor_numel *= old_sizes[tensor_d];
    if (tensor_d == 0 ||
        (old_sizes[tensor_d - 1] != 1 && old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || new_sizes[view_d] == 1)) {
        new_strides[view_d] = view_numel * chunk_base_stride;
        view_numel *= new_sizes[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = old_strides[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return new_strides;
}

}  // namespace

Tensor view(const Tensor& x, const Shape& sizes) {
  Shape s = infer_size(sizes, x.numel(), "view");
  auto st = view_strides(x.sizes(), x.strides(), s);
  FX_CHECK(st.has_value(), "view: sizes ", s, " are not compatible with the input's sizes ", x.sizes(), " and strides ",
           x.strides(), " (the input is not contiguous enough); use reshape instead");
  Tensor out = make_view(x, s, *st, x.storage_offset());
  Shape in = x.sizes();
  record_view("ViewBackward0", x, out, [s](const Tensor& t) { return t.reshape(s); });
  return out;
}

Tensor reshape(const Tensor& x, const Shape& sizes) {
  Shape s = infer_size(sizes, x.numel(), "reshape");
  if (view_strides(x.sizes(), x.strides(), s).has_value()) return view(x, s);
  return view(clone(x), s);
}

Tensor permute(const Tensor& x, const Shape& dims) {
  int64_t n = x.dim();
  FX_CHECK(static_cast<int64_t>(dims.size()) == n, "permute: got ", dims.size(), " dims ", dims, " for a tensor with ",
           n, " dims");
  Shape sizes(n, int64_t{0}), strides(n, int64_t{0}), inv(n, int64_t{-1});
  for (int64_t i = 0; i < n; ++i) {
    int64_t d = wrap_dim(dims[i], n, "permute");
    FX_CHECK(inv[d] == -1, "permute: dimension ", d, " repeated in ", dims);
    inv[d] = i;
    sizes[i] = x.sizes()[d];
    strides[i] = x.strides()[d];
  }
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  Shape fwd(n, int64_t{0});
  for (int64_t i = 0; i < n; ++i) fwd[i] = wrap_dim(dims[i], n, "permute");
  autograd::mark_view(x, out);
  if (autograd::needs_record({&x}))
    autograd::record(
        "PermuteBackward0", {x}, {out},
        [inv](const autograd::BackwardArgs& a) { return TensorList{a.grad().permute(inv)}; },
        [fwd](const TensorList& t) { return TensorList{t[0].permute(fwd)}; });
  return out;
}

Tensor transpose(const Tensor& x, int64_t d0, int64_t d1) {
  int64_t n = x.dim();
  if (n == 0) return x.view(x.sizes());
  d0 = wrap_dim(d0, n, "transpose");
  d1 = wrap_dim(d1, n, "transpose");
  Shape p(n, int64_t{0});
  std::iota(p.begin(), p.end(), int64_t{0});
  std::swap(p[d0], p[d1]);
  return permute(x, p);
}

Tensor t(const Tensor& x) {
  FX_CHECK(x.dim() <= 2, "t: expected a tensor with <= 2 dims but got ", x.dim(), " (use transpose or mT)");
  if (x.dim() < 2) return x.view(x.sizes());
  return transpose(x, 0, 1);
}

Tensor slice(const Tensor& x, int64_t dim, std::optional<int64_t> start, std::optional<int64_t> end, int64_t step) {
  FX_CHECK(x.dim() > 0, "slice: cannot slice a 0-d tensor");
  dim = wrap_dim(dim, x.dim(), "slice");
  FX_CHECK(step > 0, "slice: step must be positive, got ", step);
  int64_t size = x.sizes()[dim];
  int64_t s = start.value_or(0), e = end.value_or(size);
  if (s < 0) s += size;
  if (e < 0) e += size;
  s = std::clamp<int64_t>(s, 0, size);
  e = std::clamp<int64_t>(e, s, size);
  int64_t len = (e - s + step - 1) / step;
  Shape sizes = x.sizes(), strides = x.strides();
  sizes[dim] = len;
  strides[dim] *= step;
  Tensor out = make_view(x, sizes, strides, x.storage_offset() + s * x.strides()[dim]);
  record_view("SliceBackward0", x, out, [dim, s, e, step](const Tensor& t) { return slice(t, dim, s, e, step); });
  return out;
}

Tensor narrow(const Tensor& x, int64_t dim, int64_t start, int64_t length) {
  FX_CHECK(x.dim() > 0, "narrow: cannot narrow a 0-d tensor");
  dim = wrap_dim(dim, x.dim(), "narrow");
  int64_t size = x.sizes()[dim];
  if (start < 0) start += size;
  FX_CHECK(start >= 0 && length >= 0 && start + length <= size, "narrow: start ", start, " + length ", length,
           " exceeds dimension ", dim, " of size ", size);
  return slice(x, dim, start, start + length, 1);
}

Tensor select(const Tensor& x, int64_t dim, int64_t index) {
  FX_CHECK(x.dim() > 0, "select: cannot select from a 0-d tensor");
  dim = wrap_dim(dim, x.dim(), "select");
  int64_t size = x.sizes()[dim];
  FX_CHECK(index >= -size && index < size, "select: index ", index, " out of range for dimension ", dim, " of size ",
           size);
  if (index < 0) index += size;
  Shape sizes = x.sizes(), strides = x.strides();
  int64_t off = x.storage_offset() + index * strides[dim];
  sizes.erase(sizes.begin() + dim);
  strides.erase(strides.begin() + dim);
  Tensor out = make_view(x, sizes, strides, off);
  record_view("SelectBackward0", x, out, [dim, index](const Tensor& t) { return select(t, dim, index); });
  return out;
}

Tensor expand(const Tensor& x, const Shape& sizes) {
  int64_t n = static_cast<int64_t>(sizes.size());
  FX_CHECK(n >= x.dim(), "expand: the number of sizes provided (", n, ") must be >= the number of dims (", x.dim(),
           ")");
  Shape out_sizes(n, int64_t{0}), out_strides(n, int64_t{0});
  for (int64_t i = n - 1; i >= 0; --i) {
    int64_t j = i - (n - x.dim());
    int64_t want = sizes[i];
    if (j < 0) {
      FX_CHECK(want >= 0, "expand: size -1 not allowed for a new leading dimension (sizes ", sizes, ")");
      out_sizes[i] = want;
      out_strides[i] = 0;
      continue;
    }
    int64_t have = x.sizes()[j];
    if (want == -1) want = have;
    FX_CHECK(have == want || have == 1, "expand: the expanded size ", want, " must match the existing size ", have,
             " at non-singleton dimension ", i, " (input sizes ", x.sizes(), ", target ", sizes, ")");
    out_sizes[i] = want;
    out_strides[i] = have == want ? x.strides()[j] : 0;
  }
  Tensor out = make_view(x, out_sizes, out_strides, x.storage_offset());
  Shape in = x.sizes();
  autograd::mark_view(x, out);
  if (autograd::needs_record({&x}))
    autograd::record(
        "ExpandBackward0", {x}, {out},
        [in](const autograd::BackwardArgs& a) { return TensorList{autograd::sum_to(a.grad(), in)}; },
        [out_sizes](const TensorList& t) { return TensorList{t[0].expand(out_sizes)}; });
  return out;
}

Tensor squeeze(const Tensor& x) {
  Shape s;
  for (int64_t v : x.sizes())
    if (v != 1) s.push_back(v);
  return s.size() == x.sizes().size() ? x.view(x.sizes()) : x.view(s);
}

Tensor squeeze(const Tensor& x, const DimList& dims) {
  std::vector<bool> drop(static_cast<size_t>(x.dim()), false);
  for (int64_t d : dims) {
    int64_t w = wrap_dim(d, x.dim(), "squeeze");
    if (x.dim() > 0 && x.sizes()[w] == 1) drop[w] = true;
  }
  Shape s;
  for (int64_t i = 0; i < x.dim(); ++i)
    if (!drop[i]) s.push_back(x.sizes()[i]);
  return x.view(s);
}

Tensor unsqueeze(const Tensor& x, int64_t dim) {
  dim = wrap_dim(dim, x.dim() + 1, "unsqueeze");
  Shape sizes = x.sizes(), strides = x.strides();
  int64_t st = dim < x.dim() ? sizes[dim] * strides[dim] : 1;
  sizes.insert(sizes.begin() + dim, 1);
  strides.insert(strides.begin() + dim, st);
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  record_view("UnsqueezeBackward0", x, out, [dim](const Tensor& t) { return t.unsqueeze(dim); });
  return out;
}

Tensor flatten(const Tensor& x, int64_t start_dim, int64_t end_dim) {
  if (x.dim() == 0) return x.reshape({1});
  start_dim = wrap_dim(start_dim, x.dim(), "flatten");
  end_dim = wrap_dim(end_dim, x.dim(), "flatten");
  FX_CHECK(start_dim <= end_dim, "flatten: start_dim ", start_dim, " must not come after end_dim ", end_dim);
  Shape s;
  for (int64_t i = 0; i < start_dim; ++i) s.push_back(x.sizes()[i]);
  int64_t m = 1;
  for (int64_t i = start_dim; i <= end_dim; ++i) m *= x.sizes()[i];
  s.push_back(m);
  for (int64_t i = end_dim + 1; i < x.dim(); ++i) s.push_back(x.sizes()[i]);
  return x.reshape(s);
}

Tensor unflatten(const Tensor& x, int64_t dim, const Shape& sizes) {
  dim = wrap_dim(dim, x.dim(), "unflatten");
  Shape inner = infer_size(sizes, x.sizes()[dim], "unflatten");
  Shape s;
  for (int64_t i = 0; i < dim; ++i) s.push_back(x.sizes()[i]);
  for (int64_t v : inner) s.push_back(v);
  for (int64_t i = dim + 1; i < x.dim(); ++i) s.push_back(x.sizes()[i]);
  return x.view(s);
}

Tensor unfold(const Tensor& x, int64_t dim, int64_t size, int64_t step) {
  int64_t n = x.dim();
  dim = wrap_dim(dim, n, "unfold");
  int64_t len = n == 0 ? 1 : x.sizes()[dim];
  FX_CHECK(size >= 0 && size <= len, "unfold: size ", size, " exceeds dimension ", dim, " of size ", len);
  FX_CHECK(step > 0, "unfold: step must be positive, got ", step);
  Shape sizes = x.sizes(), strides = x.strides();
  if (n == 0) {
    sizes = Shape{size};
    strides = Shape{1};
  } else {
    int64_t st = strides[dim];
    sizes[dim] = (len - size) / step + 1;
    strides[dim] = st * step;
    sizes.push_back(size);
    strides.push_back(st);
  }
  Tensor out = make_view(x, sizes, strides, x.storage_offset());
  record_view("UnfoldBackward0", x, out, [dim, size, step](const Tensor& t) { return t.unfold(dim, size, step); });
  return out;
}

Tensor as_strided(const Tensor& x, const Shape& sizes, const Shape& strides, std::optional<int64_t> offset) {
  FX_CHECK(sizes.size() == strides.size(), "as_strided: ", sizes.size(), " sizes but ", strides.size(), " strides");
  int64_t off = offset.value_or(x.storage_offset());
  FX_CHECK(off >= 0, "as_strided: negative storage offset ", off);
  int64_t max_index = off;
  for (size_t i = 0; i < sizes.size(); ++i) {
    FX_CHECK(sizes[i] >= 0 && strides[i] >= 0, "as_strided: negative size or stride in ", sizes, " / ", strides);
    if (sizes[i] == 0) {
      max_index = -1;
      break;
    }
    max_index += (sizes[i] - 1) * strides[i];
  }
  int64_t capacity = static_cast<int64_t>(x.impl()->storage()->nbytes() / x.element_size());
  FX_CHECK(max_index < capacity, "as_strided: sizes ", sizes, " strides ", strides, " offset ", off, " reach element ",
           max_index, " but the storage holds ", capacity);
  Tensor out = make_view(x, sizes, strides, off);
  int64_t base_off = x.storage_offset();
  record_view("AsStridedBackward0", x, out, [sizes, strides, off, base_off](const Tensor& t) {
    // Geometry relative to the input: works when t is contiguous with x's layout.
    Tensor tc = t.contiguous();
    return tc.as_strided(sizes, strides, tc.storage_offset() + (off - base_off));
  });
  return out;
}

Tensor diagonal(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  int64_t n = x.dim();
  FX_CHECK(n >= 2, "diagonal: expected a tensor with at least 2 dims, got ", n);
  dim1 = wrap_dim(dim1, n, "diagonal");
  dim2 = wrap_dim(dim2, n, "diagonal");
  FX_CHECK(dim1 != dim2, "diagonal: dim1 and dim2 must differ (both ", dim1, ")");
  int64_t off = x.storage_offset();
  int64_t len;
  if (offset >= 0) {
    len = std::max<int64_t>(std::min(x.sizes()[dim1], x.sizes()[dim2] - offset), 0);
    if (len > 0) off += offset * x.strides()[dim2];
  } else {
    len = std::max<int64_t>(std::min(x.sizes()[dim1] + offset, x.sizes()[dim2]), 0);
    if (len > 0) off -= offset * x.strides()[dim1];
  }
  Shape sizes, strides;
  for (int64_t i = 0; i < n; ++i) {
    if (i == dim1 || i == dim2) continue;
    sizes.push_back(x.sizes()[i]);
    strides.push_back(x.strides()[i]);
  }
  sizes.push_back(len);
  strides.push_back(x.strides()[dim1] + x.strides()[dim2]);
  Tensor out = make_view(x, sizes, strides, off);
  record_view("DiagonalBackward0", x, out,
              [offset, dim1, dim2](const Tensor& t) { return t.diagonal(offset, dim1, dim2); });
  return out;
}

Tensor movedim(const Tensor& x, const DimList& src, const DimList& dst) {
  int64_t n = x.dim();
  FX_CHECK(src.size() == dst.size(), "movedim: source has ", src.size(), " dims but destination has ", dst.size());
  Shape perm(n, int64_t{-1});
  std::vector<bool> used(static_cast<size_t>(n), false);
  for (size_t i = 0; i < src.size(); ++i) {
    int64_t s = wrap_dim(src[i], n, "movedim"), d = wrap_dim(dst[i], n, "movedim");
    FX_CHECK(perm[d] == -1 && !used[s], "movedim: repeated dimension");
    perm[d] = s;
    used[s] = true;
  }
  int64_t next = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (perm[i] != -1) continue;
    while (used[next]) ++next;
    perm[i] = next++;
  }
  return x.permute(perm);
}

// ---- Tensor methods -------------------------------------------------------------------------

Tensor Tensor::view(const Shape& s) const { return fluxion::view(*this, s); }
Tensor Tensor::view(DType dt) const {
  FX_CHECK(fluxion::element_size(dt) == element_size(), "view(dtype): element sizes differ (", dtype_name(dtype()),
           " vs ", dtype_name(dt), ")");
  FX_CHECK(!requires_grad(), "view(dtype): not differentiable");
  return Tensor(make_alias(*impl(), storage_offset(), sizes(), strides(), dt));
}
Tensor Tensor::reshape(const Shape& s) const { return fluxion::reshape(*this, s); }
Tensor Tensor::permute(const Shape& d) const { return fluxion::permute(*this, d); }
Tensor Tensor::transpose(int64_t a, int64_t b) const { return fluxion::transpose(*this, a, b); }
Tensor Tensor::movedim(const DimList& s, const DimList& d) const { return fluxion::movedim(*this, s, d); }
Tensor Tensor::t() const { return fluxion::t(*this); }
Tensor Tensor::mT() const {
  FX_CHECK(dim() >= 2, "mT: expected a tensor with at least 2 dims, got ", dim());
  return transpose(-2, -1);
}
Tensor Tensor::narrow(int64_t d, int64_t s, int64_t l) const { return fluxion::narrow(*this, d, s, l); }
Tensor Tensor::select(int64_t d, int64_t i) const { return fluxion::select(*this, d, i); }
Tensor Tensor::slice(int64_t d, std::optional<int64_t> s, std::optional<int64_t> e, int64_t st) const {
  return fluxion::slice(*this, d, s, e, st);
}
Tensor Tensor::expand(const Shape& s) const { return fluxion::expand(*this, s); }
Tensor Tensor::squeeze() const { return fluxion::squeeze(*this); }
Tensor Tensor::squeeze(const DimList& d) const { return fluxion::squeeze(*this, d); }
Tensor Tensor::unsqueeze(int64_t d) const { return fluxion::unsqueeze(*this, d); }
Tensor Tensor::flatten(int64_t s, int64_t e) const { return fluxion::flatten(*this, s, e); }
Tensor Tensor::unflatten(int64_t d, const Shape& s) const { return fluxion::unflatten(*this, d, s); }
Tensor Tensor::unfold(int64_t d, int64_t s, int64_t st) const { return fluxion::unfold(*this, d, s, st); }
Tensor Tensor::as_strided(const Shape& s, const Shape& st, std::optional<int64_t> o) const {
  return fluxion::as_strided(*this, s, st, o);
}
Tensor Tensor::diagonal(int64_t o, int64_t a, int64_t b) const { return fluxion::diagonal(*this, o, a, b); }

}  // namespace fluxion
