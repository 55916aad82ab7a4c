// Dim-wise gather and scatter: gather, scatter (tensor / scalar source), scatter_add,
// scatter_reduce, each with its VJP and JVP; lowered onto the offset kernels
// (Note [Offset-based gather/scatter] in kernels/index_kernels.h).
#include <limits>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/view.h"
#include "kernels/index_kernels.h"
#include "ops/index_util.h"

namespace fluxion {

using kernels::PutMode;

namespace {

// 0-d tensors act as 1-d tensors of one element (PyTorch), so kernels only see dim >= 1.
Tensor as_1d(const Tensor& t) { return t.dim() == 0 ? detail::raw_view(t, {1}, {1}, t.storage_offset()) : t; }

// Offsets of index along `dim` of `self`, and self restrided to index's sizes (stride 0 at dim).
struct DimGeom {
  Tensor self_r, off;
};
DimGeom dim_geom(const Tensor& self, int64_t dim, const Tensor& index, const char* op) {
  DimGeom g;
  g.off = zeros(index.sizes(), TensorOptions(kInt64).device(self.device()));
  kernels::index_offsets_kernel.get(self.device().type(), index.dtype())(g.off, index, self.sizes()[dim],
                                                                         self.strides()[dim], dim, false, op);
  Shape st = self.strides();
  st[dim] = 0;
  g.self_r = detail::raw_view(self, index.sizes(), st, self.storage_offset());
  return g;
}

// Shape checks shared by gather and the scatters (on 1-d-ified tensors; dim already wrapped).
void check_dim_index(const Tensor& self, int64_t dim, const Tensor& index, const Tensor* src, const char* op) {
  detail::check_index_dtype(index, op);
  detail::check_same_device(self, index, op, "index");
  FX_CHECK(index.dim() == self.dim(), op, ": index tensor must have the same number of dimensions as the input (",
           index.dim(), " vs ", self.dim(), ")");
  if (src) {
    detail::check_same_device(self, *src, op, "src");
    FX_CHECK(src->dim() == self.dim(), op, ": src tensor must have the same number of dimensions as the input (",
             src->dim(), " vs ", self.dim(), ")");
    FX_CHECK(src->dtype() == self.dtype(), op, ": expected self.dtype to be equal to src.dtype, got ",
             dtype_name(self.dtype()), " and ", dtype_name(src->dtype()));
  }
  for (int64_t d = 0; d < self.dim(); ++d) {
    bool ok = (d == dim || index.sizes()[d] <= self.sizes()[d]) && (!src || index.sizes()[d] <= src->sizes()[d]);
    if (!ok) {
      if (src)
        FX_FAIL(op, ": expected index ", index.sizes(), " to be no larger than self ", self.sizes(),
                " apart from dimension ", dim, " and to be no larger than src ", src->sizes());
      FX_FAIL(op, ": size does not match at dimension ", d, ": expected index ", index.sizes(),
              " to be no larger than self ", self.sizes(), " apart from dimension ", dim);
    }
  }
}

// self (1-d-ified, written in place) <- combine(self, src) at index along dim. `src` has
// index's sizes, or is a 0-d value broadcast to them.
void scatter_raw_(const Tensor& self, int64_t dim, const Tensor& index, const Tensor& src, PutMode mode,
                  const char* op) {
  if (index.numel() == 0) return;
  DimGeom g = dim_geom(self, dim, index, op);
  Tensor s = src.impl()->storage() == self.impl()->storage() ? detail::raw_clone(src) : src;
  Tensor s_r = s.dim() == 0
                   ? detail::raw_view(s, index.sizes(), Shape(index.sizes().size(), int64_t{0}), s.storage_offset())
                   : detail::raw_view(s, index.sizes(), s.strides(), s.storage_offset());
  kernels::index_put_kernel.get(self.device().type(), self.dtype())(g.self_r, s_r, g.off, mode);
}

// src narrowed (differentiably) to the leading index.sizes() block, the part scatter reads.
Tensor narrow_to(const Tensor& src, const Shape& sizes) {
  Tensor s = src;
  for (int64_t d = 0; d < src.dim(); ++d)
    if (s.sizes()[d] != sizes[d]) s = s.narrow(d, 0, sizes[d]);
  return s;
}

// Validates (x, dim, index, src) and returns the wrapped dim and 1-d-ified x/index/src.
struct ScatterArgs {
  int64_t dim;
  Tensor x1, index1, src1;
};
ScatterArgs scatter_args(const Tensor& x, int64_t dim, const Tensor& index, const Tensor* src, const char* op) {
  FX_CHECK(x.defined() && index.defined() && (!src || src->defined()), op, ": tensor is undefined");
  ScatterArgs a;
  a.dim = wrap_dim(dim, x.dim(), op);
  a.x1 = as_1d(x);
  a.index1 = as_1d(index);
  if (src) a.src1 = as_1d(*src);
  check_dim_index(a.x1, a.dim, a.index1, src ? &a.src1 : nullptr, op);
  return a;
}

// Reshapes a result computed on 1-d-ified tensors back to x's (possibly 0-d) sizes.
Tensor restore(const Tensor& out, const Tensor& x) { return x.dim() == 0 ? out.reshape({}) : out; }

Tensor scatter_core(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, PutMode mode,
                    const char* op) {
  ScatterArgs a = scatter_args(x, dim, index, &src, op);
  // A src larger than index contributes only its leading block.
  Tensor s = src.dim() == 0 ? src : narrow_to(src, index.sizes());
  Tensor out;
  if (batched::any_batched({&x, &index, &s}) && x.dim() > 0 && index.dim() > 0) [[unlikely]] {
    // Note [Batched tensors]: the same scatter on the physical tensors, one dim further in.
    const int64_t B = batched::batch_size({&x, &index, &s});
    const Tensor ps = s.dim() == 0 && !batched::is_batched(s) ? batched::plain(s) : batched::physical(s, B);
    out = batched::wrap(
        scatter_core(batched::physical(x, B), a.dim + 1, batched::physical(index, B), ps, mode, op).contiguous());
  } else {
    out = detail::raw_clone(a.x1);
    scatter_raw_(out, a.dim, a.index1, as_1d(s), mode, op);
    out = restore(out, x);
  }
  if (autograd::needs_record({&x, &s})) {
    int64_t d = a.dim;
    bool add = mode == PutMode::Add;
    autograd::record(
        add ? "ScatterAddBackward0" : "ScatterBackward0", {x, s}, {out}, {index},
        [d, add](const autograd::BackwardArgs& b, const autograd::SavedList& sv) {
          const Tensor& g = b.grad();
          Tensor gx, gs;
          if (b.needs(0)) gx = add ? g : g.scatter(d, sv[0], 0);
          if (b.needs(1)) gs = g.gather(d, sv[0]);
          return TensorList{gx, gs};
        },
        [&](const TensorList& t) {
          return TensorList{add ? scatter_add(t[0], d, index, t[1]) : scatter(t[0], d, index, t[1])};
        });
  }
  return out;
}

// The identity of a reduction in x's dtype (for include_self = false).
Scalar reduce_identity(const std::string& reduce, DType dt) {
  if (reduce == "sum" || reduce == "mean") return Scalar(0);
  if (reduce == "prod") return Scalar(1);
  const bool lowest = reduce == "amax";
  const double inf = std::numeric_limits<double>::infinity();
  switch (dt) {
    case kInt8: return lowest ? Scalar(int64_t{INT8_MIN}) : Scalar(int64_t{INT8_MAX});
    case kUInt8: return lowest ? Scalar(0) : Scalar(255);
    case kInt32: return lowest ? Scalar(int64_t{INT32_MIN}) : Scalar(int64_t{INT32_MAX});
    case kInt64:
      return lowest ? Scalar(std::numeric_limits<int64_t>::min()) : Scalar(std::numeric_limits<int64_t>::max());
    case kBool: return Scalar(!lowest);
    default: return lowest ? Scalar(-inf) : Scalar(inf);
  }
}

// d out / d x and d out / d src (gathered to src's sizes) of scatter_reduce for mean, amax,
// amin and prod, elementwise, following PyTorch's scatter_reduce_backward. Both the VJP
// (g * cs, g.gather * cr) and the JVP (cs * tx + scatter_add(cr * tsrc)) use them.
std::pair<Tensor, Tensor> scatter_reduce_coefs(const Tensor& x, const Tensor& src, const Tensor& index,
                                               const Tensor& result, int64_t dim, const std::string& reduce,
                                               bool include_self) {
  Tensor cs, cr;
  const DType dt = x.dtype();
  if (reduce == "mean") {
    Tensor n = (include_self ? ones_like(x) : zeros_like(x)).scatter_add(dim, index, ones_like(src));
    n = n.masked_fill(n == 0, 1);
    Tensor inv = 1 / n;
    cs = inv;
    cr = inv.gather(dim, index);
  } else if (reduce == "amax" || reduce == "amin") {
    // Ties share the gradient evenly.
    Tensor value = result.gather(dim, index);
    Tensor self_is = (x == result).to(dt);
    Tensor src_is = (src == value).to(dt);
    Tensor n = self_is.scatter_add(dim, index, src_is);
    cs = self_is / n;
    cr = src_is / n.gather(dim, index);
  } else {  // prod: zeros need the product of the other factors, not result / 0
    Tensor masked_self = x.masked_fill(x == 0, 1);
    Tensor masked_self_result = scatter_reduce(masked_self, dim, index, src, "prod", include_self);
    cs = masked_self_result / masked_self;
    Tensor src_zero = src == 0;
    Tensor src_num_zeros = zeros_like(x).scatter_add(dim, index, src_zero.to(dt)).gather(dim, index);
    Tensor src_single_zero = logical_and(src_zero, src_num_zeros == 1);
    Tensor masked_src = src.masked_fill(src_single_zero, 1);
    Tensor masked_src_result = scatter_reduce(x, dim, index, masked_src, "prod", include_self);
    cr = where(src_single_zero, masked_src_result.gather(dim, index),
               result.gather(dim, index) / src.masked_fill(src_zero, 1));
  }
  if (!include_self) cs = cs.scatter(dim, index, 0);
  return {cs, cr};
}

}  // namespace

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  ScatterArgs a = scatter_args(x, dim, index, nullptr, "gather");
  Tensor out;
  if (batched::any_batched({&x, &index}) && x.dim() > 0 && index.dim() > 0) [[unlikely]] {
    // Note [Batched tensors]: the same gather on the physical tensors, one dim further in.
    const int64_t B = batched::batch_size({&x, &index});
    out = batched::wrap(gather(batched::physical(x, B), a.dim + 1, batched::physical(index, B)));
  } else {
    out = empty(a.index1.sizes(), x.options());
    DimGeom g = dim_geom(a.x1, a.dim, a.index1, "gather");
    kernels::index_gather_kernel.get(x.device().type(), x.dtype())(out, g.self_r, g.off);
    if (index.dim() == 0) out = out.reshape({});
  }
  if (autograd::needs_record({&x})) {
    int64_t d = a.dim;
    Shape in_sizes = x.sizes();
    autograd::record(
        "GatherBackward0", {x}, {out}, {index},
        [d, in_sizes](const autograd::BackwardArgs& b, const autograd::SavedList& s) {
          return TensorList{scatter_add(zeros(in_sizes, b.grad().options()), d, s[0], b.grad())};
        },
        [&](const TensorList& t) { return TensorList{gather(t[0], d, index)}; });
  }
  return out;
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_core(x, dim, index, src, PutMode::Assign, "scatter");
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value) {
  ScatterArgs a = scatter_args(x, dim, index, nullptr, "scatter");
  Tensor out = detail::raw_clone(a.x1);
  scatter_raw_(out, a.dim, a.index1, full({}, value, x.options()), PutMode::Assign, "scatter");
  out = restore(out, x);
  if (autograd::needs_record({&x})) {
    int64_t d = a.dim;
    autograd::record(
        "ScatterBackward1", {x}, {out}, {index},
        [d](const autograd::BackwardArgs& b, const autograd::SavedList& s) {
          return TensorList{b.grad().scatter(d, s[0], 0)};
        },
        [&](const TensorList& t) { return TensorList{scatter(t[0], d, index, 0)}; });
  }
  return out;
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_core(x, dim, index, src, PutMode::Add, "scatter_add");
}

Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                      bool include_self) {
  FX_CHECK(reduce == "sum" || reduce == "prod" || reduce == "mean" || reduce == "amax" || reduce == "amin",
           "scatter_reduce: reduce argument must be one of sum, prod, mean, amax, amin, got '", reduce, "'");
  ScatterArgs a = scatter_args(x, dim, index, &src, "scatter_reduce");
  Tensor s = src.dim() == 0 ? src : narrow_to(src, index.sizes());
  Tensor s1 = as_1d(s);
  Tensor out = detail::raw_clone(a.x1);
  if (!include_self)
    scatter_raw_(out, a.dim, a.index1, full({}, reduce_identity(reduce, x.dtype()), x.options()), PutMode::Assign,
                 "scatter_reduce");
  if (reduce == "mean") {
    scatter_raw_(out, a.dim, a.index1, s1, PutMode::Add, "scatter_reduce");
    Tensor count = full(a.x1.sizes(), include_self ? 1 : 0, x.options());
    scatter_raw_(count, a.dim, a.index1, ones({}, x.options()), PutMode::Add, "scatter_reduce");
    NoGradGuard ng;
    count = count.masked_fill(count == 0, 1);
    out = is_floating_point(x.dtype()) ? out / count : out.div(count, "floor");
  } else {
    PutMode mode = reduce == "sum"    ? PutMode::Add
                   : reduce == "prod" ? PutMode::Mul
                   : reduce == "amax" ? PutMode::Max
                                      : PutMode::Min;
    scatter_raw_(out, a.dim, a.index1, s1, mode, "scatter_reduce");
  }
  out = restore(out, x);
  if (autograd::needs_record({&x, &s})) {
    int64_t d = a.dim;
    autograd::record(
        "ScatterReduceBackward0", {x, s}, {out}, {x, s, index, out},
        [d, reduce, include_self](const autograd::BackwardArgs& b, const autograd::SavedList& sv) {
          const Tensor& g = b.grad();
          Tensor gx, gs;
          if (reduce == "sum") {
            if (b.needs(0)) gx = include_self ? g : g.scatter(d, sv[2], 0);
            if (b.needs(1)) gs = g.gather(d, sv[2]);
          } else {
            auto [cs, cr] = scatter_reduce_coefs(sv[0], sv[1], sv[2], sv[3], d, reduce, include_self);
            if (b.needs(0)) gx = g * cs;
            if (b.needs(1)) gs = g.gather(d, sv[2]) * cr;
          }
          return TensorList{gx, gs};
        },
        [&](const TensorList& t) {
          if (reduce == "sum" || reduce == "mean")
            return TensorList{scatter_reduce(t[0], d, index, t[1], reduce, include_self)};
          auto [cs, cr] = scatter_reduce_coefs(x, s, index, out, d, reduce, include_self);
          return TensorList{cs * t[0] + zeros_like(out).scatter_add(d, index, cr * t[1])};
        });
  }
  return out;
}

// ---- Tensor methods -------------------------------------------------------------------------

namespace {
// In-place scatter: the kernel writes straight into self unless autograd must record.
template <class OutOfPlace>
Tensor& scatter_inplace(Tensor& self, const Tensor* src, const char* op, const OutOfPlace& oop,
                        const std::function<void()>& raw) {
  bool rec = src ? autograd::needs_record({&self, src}) : autograd::needs_record({&self});
  if (!rec) {
    detail::check_no_internal_overlap(self, op);
    raw();
    if (!is_inference_mode()) self.impl()->storage()->bump_version();
    return self;
  }
  autograd::check_inplace(self, op);
  Tensor r = oop();
  autograd::rebase_inplace(self, r);
  return self;
}
}  // namespace

Tensor Tensor::gather(int64_t d, const Tensor& i) const { return fluxion::gather(*this, d, i); }
Tensor Tensor::scatter(int64_t d, const Tensor& i, const Tensor& s) const { return fluxion::scatter(*this, d, i, s); }
Tensor Tensor::scatter(int64_t d, const Tensor& i, const Scalar& v) const { return fluxion::scatter(*this, d, i, v); }
Tensor& Tensor::scatter_(int64_t d, const Tensor& i, const Tensor& s) {
  return scatter_inplace(
      *this, &s, "scatter_", [&] { return fluxion::scatter(*this, d, i, s); },
      [&] {
        ScatterArgs a = scatter_args(*this, d, i, &s, "scatter_");
        scatter_raw_(a.x1, a.dim, a.index1, s.dim() == 0 ? s : as_1d(narrow_to(s, i.sizes())), PutMode::Assign,
                     "scatter_");
      });
}
Tensor& Tensor::scatter_(int64_t d, const Tensor& i, const Scalar& v) {
  return scatter_inplace(
      *this, nullptr, "scatter_", [&] { return fluxion::scatter(*this, d, i, v); },
      [&] {
        ScatterArgs a = scatter_args(*this, d, i, nullptr, "scatter_");
        scatter_raw_(a.x1, a.dim, a.index1, full({}, v, options()), PutMode::Assign, "scatter_");
      });
}
Tensor Tensor::scatter_add(int64_t d, const Tensor& i, const Tensor& s) const {
  return fluxion::scatter_add(*this, d, i, s);
}
Tensor& Tensor::scatter_add_(int64_t d, const Tensor& i, const Tensor& s) {
  return scatter_inplace(
      *this, &s, "scatter_add_", [&] { return fluxion::scatter_add(*this, d, i, s); },
      [&] {
        ScatterArgs a = scatter_args(*this, d, i, &s, "scatter_add_");
        scatter_raw_(a.x1, a.dim, a.index1, s.dim() == 0 ? s : as_1d(narrow_to(s, i.sizes())), PutMode::Add,
                     "scatter_add_");
      });
}
Tensor Tensor::scatter_reduce(int64_t d, const Tensor& i, const Tensor& s, const std::string& r, bool inc) const {
  return fluxion::scatter_reduce(*this, d, i, s, r, inc);
}

}  // namespace fluxion
