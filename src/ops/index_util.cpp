// Shared machinery of the indexing ops: raw views, index checks, advanced indexing lowered to
// offsets (Note [Offset-based gather/scatter]) and the differentiable index / index_put pair
// every gather-like or put-like op is built on.
#include "ops/index_util.h"

#include <algorithm>
#include <optional>

#include "core/batched.h"
#include "core/vmap_state.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"
#include "kernels/index_kernels.h"

namespace fluxion::detail {

Tensor raw_view(const Tensor& x, const Shape& sizes, const Shape& strides, int64_t offset) {
  return Tensor(make_alias(*x.impl(), offset, sizes, strides, x.dtype()));
}

Tensor raw_clone(const Tensor& x) {
  if (batched::is_batched(x)) [[unlikely]]
    return batched_clone(x, batched::batch_size({&x}));
  Tensor out = empty(x.sizes(), x.options());
  kernels::copy_kernel.get(x.device().type(), x.dtype())(out, x);
  return out;
}

Tensor batched_clone(const Tensor& x, int64_t B) {
  Tensor out = batched::wrap(empty(batched::batched_sizes(B, x.sizes()), x.options()));
  kernels::copy_kernel.get(x.device().type(), x.dtype())(batched::physical(out, B), batched::physical(x, B));
  return out;
}

namespace {

// x viewed with `sizes` (x's dims aligned to the right), stride 0 where x has size 1.
Tensor raw_expand(const Tensor& x, const Shape& sizes) {
  const int64_t n = static_cast<int64_t>(sizes.size()), lead = n - x.dim();
  Shape strides(sizes.size(), int64_t{0});
  for (int64_t d = lead; d < n; ++d)
    if (x.sizes()[d - lead] != 1) strides[d] = x.strides()[d - lead];
  return raw_view(x, sizes, strides, x.storage_offset());
}

std::optional<Shape> try_broadcast(const Shape& a, const Shape& b) {
  size_t n = std::max(a.size(), b.size());
  Shape out(n, int64_t{1});
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace

void check_index_dtype(const Tensor& idx, const char* op, bool int64_only) {
  FX_CHECK(idx.defined(), op, ": index tensor is undefined");
  if (int64_only)
    FX_CHECK(idx.dtype() == kInt64, op, ": expected dtype int64 for index, got ", dtype_name(idx.dtype()));
  else
    FX_CHECK(idx.dtype() == kInt64 || idx.dtype() == kInt32, op, ": expected dtype int32 or int64 for index, got ",
             dtype_name(idx.dtype()));
}

void check_same_device(const Tensor& x, const Tensor& t, const char* op, const char* what) {
  FX_CHECK(x.device() == t.device(), op, ": expected ", what, " on the same device as the input, but the input is on ",
           x.device().str(), " and ", what, " is on ", t.device().str());
}

void check_no_internal_overlap(const Tensor& x, const char* op) {
  for (int64_t d = 0; d < x.dim(); ++d)
    FX_CHECK(x.sizes()[d] <= 1 || x.strides()[d] != 0, op,
             ": unsupported operation: more than one element of the written-to tensor refers to a single memory "
             "location (it has stride 0 in dim ",
             d, "); call .clone() before writing to it");
}

AdvancedIndex make_advanced_index(const Tensor& x, const std::vector<Tensor>& indices, bool wrap_negative,
                                  const char* op) {
  FX_CHECK(x.defined(), op, ": tensor is undefined");
  // 1. One entry per dim of x: masks expand into one int64 index per dim they cover.
  std::vector<Tensor> idx;
  std::vector<int64_t> orig;  // index of the user's entry each dim came from (for messages)
  for (size_t i = 0; i < indices.size(); ++i) {
    // CPU index tensors go to x's device, as in PyTorch (x_cuda[cpu_indices]).
    const Tensor t =
        indices[i].defined() && indices[i].is_cpu() && !x.is_cpu() ? indices[i].to(x.device()) : indices[i];
    if (!t.defined()) {
      idx.emplace_back();
      continue;
    }
    check_same_device(x, t, op, "indices");
    if (t.dtype() == kBool || t.dtype() == kUInt8) {
      const int64_t pos = static_cast<int64_t>(idx.size());
      FX_CHECK(t.dim() > 0, op, ": a 0-d boolean index is only supported through Tensor::index");
      FX_CHECK(pos + t.dim() <= x.dim(), op, ": too many indices for tensor of dimension ", x.dim(),
               " (a mask of shape ", t.sizes(), " at dim ", pos, ")");
      for (int64_t j = 0; j < t.dim(); ++j)
        FX_CHECK(t.sizes()[j] == x.sizes()[pos + j], op, ": the shape of the mask ", t.sizes(), " at index ", j,
                 " does not match the shape of the indexed tensor ", x.sizes(), " at index ", pos + j);
      Tensor nz = kernels::nonzero_kernel.get(t.device().type(), t.dtype())(t);  // (n, k)
      const int64_t n = nz.sizes()[0], k = t.dim();
      for (int64_t j = 0; j < k; ++j) idx.push_back(raw_view(nz, {n}, {k}, nz.storage_offset() + j));
    } else {
      FX_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, op,
               ": tensors used as indices must be long, int, byte or bool tensors, got ", dtype_name(t.dtype()));
      idx.push_back(t);
    }
  }
  FX_CHECK(static_cast<int64_t>(idx.size()) <= x.dim(), op, ": too many indices for tensor of dimension ", x.dim(),
           " (got ", idx.size(), ")");
  idx.resize(static_cast<size_t>(x.dim()));

  // 2. Broadcast the index tensors together.
  std::vector<int64_t> pos;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (idx[d].defined()) pos.push_back(d);
  AdvancedIndex a;
  if (pos.empty()) {
    a.result_sizes = x.sizes();
    a.src = raw_view(x, x.sizes(), x.strides(), x.storage_offset());
    Tensor z = zeros({}, TensorOptions(kInt64).device(x.device()));
    a.off = raw_expand(z, x.sizes());
    return a;
  }
  Shape b = idx[pos[0]].sizes();
  for (size_t j = 1; j < pos.size(); ++j) {
    auto r = try_broadcast(b, idx[pos[j]].sizes());
    if (!r) {
      std::ostringstream os;
      for (size_t k = 0; k < pos.size(); ++k) os << (k ? ", " : "") << idx[pos[k]].sizes();
      FX_FAIL(op, ": shape mismatch: indexing tensors could not be broadcast together with shapes ", os.str());
    }
    b = *r;
  }

  // 3. Separated index dims go first (NumPy rule); adjacent ones stay in place.
  const int64_t k = static_cast<int64_t>(pos.size());
  const bool adjacent = pos.back() - pos.front() + 1 == k;
  Shape perm;
  for (int64_t d : pos) perm.push_back(d);
  if (adjacent) {
    perm.clear();
    for (int64_t d = 0; d < x.dim(); ++d) perm.push_back(d);
  } else {
    for (int64_t d = 0; d < x.dim(); ++d)
      if (!idx[d].defined()) perm.push_back(d);
  }
  const int64_t start = adjacent ? pos.front() : 0;
  Shape xs, xst;
  for (int64_t d : perm) {
    xs.push_back(x.sizes()[d]);
    xst.push_back(x.strides()[d]);
  }

  // 4. Offsets of the indexed elements, range-checked.
  Tensor off = zeros(b, TensorOptions(kInt64).device(x.device()));
  for (int64_t j = 0; j < k; ++j) {
    const Tensor& ij = idx[pos[j]];
    kernels::index_offsets_kernel.get(x.device().type(), ij.dtype())(off, raw_expand(ij, b), xs[start + j],
                                                                     xst[start + j], pos[j], wrap_negative, op);
  }

  // 5. Geometry of the gather: [before..., b..., after...].
  Shape rs, src_st, off_st;
  for (int64_t d = 0; d < start; ++d) {
    rs.push_back(xs[d]);
    src_st.push_back(xst[d]);
    off_st.push_back(0);
  }
  for (size_t d = 0; d < b.size(); ++d) {
    rs.push_back(b[d]);
    src_st.push_back(0);
    off_st.push_back(off.strides()[d]);
  }
  for (int64_t d = start + k; d < x.dim(); ++d) {
    rs.push_back(xs[d]);
    src_st.push_back(xst[d]);
    off_st.push_back(0);
  }
  a.result_sizes = rs;
  a.src = raw_view(x, rs, src_st, x.storage_offset());
  a.off = raw_view(off, rs, off_st, 0);
  return a;
}

PackedIndices pack_indices(const std::vector<Tensor>& indices) {
  PackedIndices p;
  p.size = indices.size();
  for (size_t i = 0; i < indices.size(); ++i) {
    if (!indices[i].defined()) continue;
    p.defined.push_back(indices[i]);
    p.positions.push_back(i);
  }
  return p;
}

std::vector<Tensor> unpack_indices(const PackedIndices& p, const TensorList& saved, size_t first) {
  std::vector<Tensor> out(p.size);
  for (size_t j = 0; j < p.positions.size(); ++j) out[p.positions[j]] = saved[first + j];
  return out;
}

std::vector<Tensor> indices_at_dim(int64_t dim, const Tensor& idx) {
  std::vector<Tensor> out(static_cast<size_t>(dim));
  out.push_back(idx);
  return out;
}

namespace {

Tensor index_impl(const Tensor& x, const std::vector<Tensor>& indices, bool wrap_negative, const char* op) {
  AdvancedIndex a = make_advanced_index(x, indices, wrap_negative, op);
  if (batched::is_batched(x)) [[unlikely]] {
    // Note [Batched tensors]: the offsets are per example (a batched index already tripped while
    // they were computed), so the physical gather reads every example at the same offsets.
    const int64_t B = batched::batch_size({&x});
    Tensor out = batched::wrap(empty(batched::batched_sizes(B, a.result_sizes), x.options()));
    kernels::index_gather_kernel.get(x.device().type(), x.dtype())(
        batched::physical(out, B), batched::physical(a.src, B), batched::physical(a.off, B));
    return out;
  }
  Tensor out = empty(a.result_sizes, x.options());
  kernels::index_gather_kernel.get(x.device().type(), x.dtype())(out, a.src, a.off);
  return out;
}

// Leading size-1 dims of `values` beyond the result's rank are dropped (as PyTorch does).
Shape strip_leading_ones(const Shape& s, size_t rank) {
  Shape out = s;
  while (out.size() > rank && out[0] == 1) out.erase(out.begin());
  return out;
}

}  // namespace

void index_put_raw_(const Tensor& self, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate,
                    bool wrap_negative, const char* op) {
  FX_CHECK(values.defined(), op, ": values tensor is undefined");
  FX_CHECK(values.dtype() == self.dtype(), op, ": the source and destination dtypes must match, got ",
           dtype_name(self.dtype()), " for the destination and ", dtype_name(values.dtype()), " for the source");
  // A 0-d CPU value is a number: it goes to self's device (x_cuda[idx] = fx::scalar_tensor(1.0)).
  const Tensor vals = values.dim() == 0 && values.is_cpu() && !self.is_cpu() ? values.to(self.device()) : values;
  check_same_device(self, vals, op, "values");
  AdvancedIndex a = make_advanced_index(self, indices, wrap_negative, op);
  // Values that share memory with self are read while self is written: copy them first.
  Tensor v = vals.impl()->storage() == self.impl()->storage() ? raw_clone(vals) : vals;
  Shape vs = strip_leading_ones(v.sizes(), a.result_sizes.size());
  if (vs.size() != v.sizes().size())
    v = raw_view(v, vs, Shape(v.strides().end() - vs.size(), v.strides().end()), v.storage_offset());
  auto b = try_broadcast(a.result_sizes, vs);
  FX_CHECK(b && *b == a.result_sizes, op, ": shape mismatch: value tensor of shape ", values.sizes(),
           " cannot be broadcast to indexing result of shape ", a.result_sizes);
  const kernels::PutMode mode = accumulate ? kernels::PutMode::Add : kernels::PutMode::Assign;
  if (batched::any_batched({&self, &v})) [[unlikely]] {
    if (!batched::is_batched(self)) vmap_state::no_rule("an index_put of batched values into an unbatched tensor");
    const int64_t B = batched::batch_size({&self});
    kernels::index_put_kernel.get(self.device().type(), self.dtype())(
        batched::physical(a.src, B), batched::physical(raw_expand(v, a.result_sizes), B), batched::physical(a.off, B),
        mode);
    return;
  }
  kernels::index_put_kernel.get(self.device().type(), self.dtype())(a.src, raw_expand(v, a.result_sizes), a.off, mode);
}

Tensor index_op(const Tensor& x, const std::vector<Tensor>& indices, bool wrap_negative, const char* op) {
  Tensor out = index_impl(x, indices, wrap_negative, op);
  if (autograd::needs_record({&x})) {
    PackedIndices p = pack_indices(indices);
    Shape in_sizes = x.sizes();
    autograd::record(
        std::string_view(op) == "index_select" ? "IndexSelectBackward0" : "IndexBackward0", {x}, {out}, p.defined,
        [p, in_sizes](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          if (!a.needs(0)) return TensorList{Tensor()};
          std::vector<Tensor> idx = unpack_indices(p, s, 0);
          return TensorList{index_put_op(zeros(in_sizes, a.grad().options()), idx, a.grad(), true, true, "index")};
        },
        [&](const TensorList& t) { return TensorList{index_op(t[0], indices, wrap_negative, op)}; });
  }
  return out;
}

Tensor index_put_op(const Tensor& x, const std::vector<Tensor>& indices, const Tensor& values, bool accumulate,
                    bool wrap_negative, const char* op) {
  // Batched values make the result batched (Note [Batched tensors]).
  Tensor out =
      batched::any_batched({&x, &values}) ? batched_clone(x, batched::batch_size({&x, &values})) : raw_clone(x);
  index_put_raw_(out, indices, values, accumulate, wrap_negative, op);
  if (autograd::needs_record({&x, &values})) {
    PackedIndices p = pack_indices(indices);
    Shape vsizes = values.sizes();
    autograd::record(
        "IndexPutBackward0", {x, values}, {out}, p.defined,
        [p, vsizes, accumulate](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          std::vector<Tensor> idx = unpack_indices(p, s, 0);
          const Tensor& g = a.grad();
          Tensor gx, gv;
          // Overwritten positions get no gradient; accumulated ones pass it straight through.
          if (a.needs(0)) gx = accumulate ? g : index_put_op(g, idx, zeros({}, g.options()), false, true, "index_put");
          if (a.needs(1)) {
            Tensor gi = index_op(g, idx, true, "index");
            Shape vs = strip_leading_ones(vsizes, static_cast<size_t>(gi.dim()));
            gv = autograd::sum_to(gi, vs);
            if (!(vs == vsizes)) gv = gv.reshape(vsizes);
          }
          return TensorList{gx, gv};
        },
        [&](const TensorList& t) {
          return TensorList{index_put_op(t[0], indices, t[1], accumulate, wrap_negative, op)};
        });
  }
  return out;
}

}  // namespace fluxion::detail
