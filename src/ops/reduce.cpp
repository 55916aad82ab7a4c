// Sum-like reductions (sum, mean, prod) and logical reductions (all, any, count_nonzero), with
// their VJPs/JVPs, plus the helpers every reduction op shares (src/ops/reduce_util.h).
#include "fluxion/ops/reduce.h"

#include <algorithm>
#include <cmath>

#include "core/batched.h"
#include "core/vmap_state.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"
#include "kernels/reduce_kernels.h"
#include "ops/reduce_util.h"

namespace fluxion {

namespace reduce_util {

Shape normalize_dims(const DimList& dims, int64_t ndim, const char* op) {
  Shape out;
  if (dims.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  std::vector<bool> seen(static_cast<size_t>(std::max<int64_t>(ndim, 1)), false);
  for (int64_t d : dims) {
    const int64_t w = wrap_dim(d, ndim, op);
    FX_CHECK(!seen[w], op, ": dim ", w, " appears multiple times in the list of dims ",
             static_cast<const Shape&>(dims));
    seen[w] = true;
    if (ndim > 0) out.push_back(w);  // a 0-d tensor accepts dim 0/-1 but has no dims to reduce
  }
  std::sort(out.begin(), out.end());
  return out;
}

Shape normalize_dims(const std::optional<DimList>& dims, int64_t ndim, const char* op) {
  return normalize_dims(dims ? *dims : DimList{}, ndim, op);
}

int64_t reduced_numel(const Shape& sizes, const Shape& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= sizes[d];
  return n;
}

Shape reduced_sizes(const Shape& sizes, const Shape& dims, bool keepdim) {
  Shape out;
  size_t k = 0;
  for (int64_t d = 0; d < static_cast<int64_t>(sizes.size()); ++d) {
    const bool red = k < dims.size() && dims[k] == d;
    if (red) ++k;
    if (!red)
      out.push_back(sizes[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

std::pair<Tensor, Tensor> make_output(const Tensor& in, const Shape& dims, bool keepdim, DType dtype) {
  Tensor out;
  if (batched::is_batched(in)) [[unlikely]] {  // Note [Batched tensors]: a batched result
    const Shape sizes = batched::batched_sizes(batched::batch_size({&in}), reduced_sizes(in.sizes(), dims, keepdim));
    out = batched::wrap(empty(sizes, TensorOptions(dtype).device(in.device())));
  } else {
    out = empty(reduced_sizes(in.sizes(), dims, keepdim), TensorOptions(dtype).device(in.device()));
  }
  if (keepdim) return {out, out};
  Shape ks = reduced_sizes(in.sizes(), dims, true);
  Tensor alias(make_alias(*out.impl(), out.storage_offset(), ks, contiguous_strides(ks), dtype));
  return {out, alias};
}

KernelArgs kernel_args(const Tensor& out, const Tensor& in, const Shape& dims) {
  if (!batched::any_batched({&out, &in})) [[likely]]
    return {out, in, dims};
  if (!batched::is_batched(out)) vmap_state::no_rule("a reduction into an unbatched tensor");
  const int64_t B = batched::batch_size({&out});
  Shape pd;
  for (int64_t d : dims) pd.push_back(d + 1);
  return {batched::physical(out, B), batched::physical(in, B), pd};
}

Tensor unsqueeze_reduced(const Tensor& g, const Shape& dims, bool keepdim) {
  if (keepdim) return g;
  Tensor r = g;
  for (int64_t d : dims) r = r.unsqueeze(d);  // ascending: each insert lands at its final position
  return r;
}

Tensor expand_reduced(const Tensor& g, const Shape& in_sizes, const Shape& dims, bool keepdim) {
  Tensor r = unsqueeze_reduced(g, dims, keepdim);
  return r.sizes() == in_sizes ? r : r.expand(in_sizes);
}

Tensor contiguous_nograd(const Tensor& x) {
  if (x.is_contiguous()) return x;
  Tensor out = empty(x.sizes(), x.options());
  kernels::copy_kernel.get(x.device().type(), x.dtype())(out, x);
  return out;
}

void check_defined(const Tensor& x, const char* op) { FX_CHECK(x.defined(), op, ": the input tensor is undefined"); }

DType sum_result_dtype(const Tensor& x, std::optional<DType> dtype) {
  if (dtype) return *dtype;
  return is_floating_point(x.dtype()) ? x.dtype() : kInt64;
}

}  // namespace reduce_util

using namespace reduce_util;

namespace {

// Shared by sum and mean: `scale` multiplies the folded sum (1/n for mean).
Tensor sum_impl(const Tensor& x, const Shape& rd, bool keepdim, std::optional<DType> dtype, bool is_mean) {
  const DType out_dt = sum_result_dtype(x, dtype);
  const Tensor in = (dtype && *dtype != x.dtype()) ? x.to(*dtype) : x;
  const DType kernel_dt = is_floating_point(in.dtype()) ? in.dtype() : kInt64;
  const int64_t n = reduced_numel(in.sizes(), rd);
  const double scale = is_mean ? 1.0 / static_cast<double>(n) : 1.0;  // mean of nothing: 0 * inf = nan
  auto [out, alias] = make_output(in, rd, keepdim, kernel_dt);
  const KernelArgs k = kernel_args(alias, in, rd);
  kernels::sum_kernel.get(in.device().type(), in.dtype())(k.out, k.in, k.dims, scale);
  if (kernel_dt != out_dt) out = out.to(out_dt);
  if (is_floating_point(out_dt) && autograd::needs_record({&in})) {
    Shape in_sizes = in.sizes();
    autograd::record(
        is_mean ? "MeanBackward1" : "SumBackward1", {in}, {out},
        [in_sizes, rd, keepdim, scale, is_mean](const autograd::BackwardArgs& a) {
          Tensor g = expand_reduced(a.grad(), in_sizes, rd, keepdim);
          return TensorList{is_mean ? g * scale : g};
        },
        [&](const TensorList& t) {
          return TensorList{is_mean ? mean(t[0], DimList(rd), keepdim) : sum(t[0], DimList(rd), keepdim)};
        });
  }
  return out;
}

// prod over `rd` (one dim, or all dims flattened when `all`).
Tensor prod_impl(const Tensor& x, const Shape& rd, bool keepdim, std::optional<DType> dtype) {
  const DType out_dt = sum_result_dtype(x, dtype);
  const Tensor in = (dtype && *dtype != x.dtype()) ? x.to(*dtype) : x;
  const DType kernel_dt = is_floating_point(in.dtype()) ? in.dtype() : kInt64;
  auto [out, alias] = make_output(in, rd, keepdim, kernel_dt);
  const KernelArgs k = kernel_args(alias, in, rd);
  kernels::prod_kernel.get(in.device().type(), in.dtype())(k.out, k.in, k.dims, 1.0);
  if (kernel_dt != out_dt) out = out.to(out_dt);
  if (is_floating_point(out_dt) && autograd::needs_record({&in})) {
    // d prod / d x_i = product of the others, computed without dividing so zeros are exact.
    auto others = [rd](const Tensor& xs) -> Tensor {
      if (xs.dim() == 0) return ones_like(xs);
      if (rd.size() == 1) return detail::prod_others(xs, rd[0]);
      return detail::prod_others(xs.reshape({-1}), 0).reshape(xs.sizes());
    };
    Shape in_sizes = in.sizes();
    autograd::record(
        "ProdBackward1", {in}, {out}, {in},
        [in_sizes, rd, keepdim, others](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          return TensorList{expand_reduced(a.grad(), in_sizes, rd, keepdim) * others(s[0])};
        },
        [&](const TensorList& t) {
          Tensor w = t[0] * others(in);
          return TensorList{rd.empty() ? w : sum(w, DimList(rd), keepdim)};
        });
  }
  return out;
}

enum class Logical { kAll, kAny };

Tensor logical_impl(const Tensor& x, const Shape& rd, bool keepdim, Logical kind) {
  const DType dt = x.dtype() == kUInt8 ? kUInt8 : kBool;
  auto [out, alias] = make_output(x, rd, keepdim, dt);
  const auto& table = kind == Logical::kAll ? kernels::all_kernel : kernels::any_kernel;
  table.get(x.device().type(), x.dtype())(alias, x, rd, 0.0);
  return out;
}

}  // namespace

Tensor sum(const Tensor& x, std::optional<DType> dtype) {
  check_defined(x, "sum");
  return sum_impl(x, normalize_dims(DimList{}, x.dim(), "sum"), false, dtype, false);
}

Tensor sum(const Tensor& x, const DimList& dims, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, "sum");
  return sum_impl(x, normalize_dims(dims, x.dim(), "sum"), keepdim, dtype, false);
}

namespace {
void check_mean_dtype(const Tensor& x, std::optional<DType> dtype) {
  const DType dt = dtype.value_or(x.dtype());
  FX_CHECK(is_floating_point(dt),
           "mean(): could not infer output dtype. Input dtype must be a floating point dtype. "
           "Got: ",
           dtype_name(dt), " (pass dtype=kFloat32 to average integers)");
}
}  // namespace

Tensor mean(const Tensor& x, std::optional<DType> dtype) {
  check_defined(x, "mean");
  check_mean_dtype(x, dtype);
  return sum_impl(x, normalize_dims(DimList{}, x.dim(), "mean"), false, dtype, true);
}

Tensor mean(const Tensor& x, const DimList& dims, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, "mean");
  check_mean_dtype(x, dtype);
  return sum_impl(x, normalize_dims(dims, x.dim(), "mean"), keepdim, dtype, true);
}

Tensor prod(const Tensor& x, std::optional<DType> dtype) {
  check_defined(x, "prod");
  return prod_impl(x, normalize_dims(DimList{}, x.dim(), "prod"), false, dtype);
}

Tensor prod(const Tensor& x, int64_t dim, bool keepdim, std::optional<DType> dtype) {
  check_defined(x, "prod");
  return prod_impl(x, normalize_dims(DimList{dim}, x.dim(), "prod"), keepdim, dtype);
}

Tensor all(const Tensor& x) {
  check_defined(x, "all");
  return logical_impl(x, normalize_dims(DimList{}, x.dim(), "all"), false, Logical::kAll);
}
Tensor all(const Tensor& x, int64_t dim, bool keepdim) {
  check_defined(x, "all");
  return logical_impl(x, normalize_dims(DimList{dim}, x.dim(), "all"), keepdim, Logical::kAll);
}
Tensor any(const Tensor& x) {
  check_defined(x, "any");
  return logical_impl(x, normalize_dims(DimList{}, x.dim(), "any"), false, Logical::kAny);
}
Tensor any(const Tensor& x, int64_t dim, bool keepdim) {
  check_defined(x, "any");
  return logical_impl(x, normalize_dims(DimList{dim}, x.dim(), "any"), keepdim, Logical::kAny);
}

Tensor count_nonzero(const Tensor& x, std::optional<DimList> dims) {
  check_defined(x, "count_nonzero");
  Shape rd = normalize_dims(dims, x.dim(), "count_nonzero");
  auto [out, alias] = make_output(x, rd, false, kInt64);
  const KernelArgs k = kernel_args(alias, x, rd);
  kernels::count_nonzero_kernel.get(x.device().type(), x.dtype())(k.out, k.in, k.dims, 0.0);
  return out;
}

// ---- Tensor methods ---------------------------------------------------------------------------

Tensor Tensor::sum(std::optional<DType> dtype) const { return fluxion::sum(*this, dtype); }
Tensor Tensor::sum(const DimList& dims, bool keepdim, std::optional<DType> dtype) const {
  return fluxion::sum(*this, dims, keepdim, dtype);
}
Tensor Tensor::mean(std::optional<DType> dtype) const { return fluxion::mean(*this, dtype); }
Tensor Tensor::mean(const DimList& dims, bool keepdim, std::optional<DType> dtype) const {
  return fluxion::mean(*this, dims, keepdim, dtype);
}
Tensor Tensor::prod(std::optional<DType> dtype) const { return fluxion::prod(*this, dtype); }
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<DType> dtype) const {
  return fluxion::prod(*this, dim, keepdim, dtype);
}
Tensor Tensor::all() const { return fluxion::all(*this); }
Tensor Tensor::all(int64_t dim, bool keepdim) const { return fluxion::all(*this, dim, keepdim); }
Tensor Tensor::any() const { return fluxion::any(*this); }
Tensor Tensor::any(int64_t dim, bool keepdim) const { return fluxion::any(*this, dim, keepdim); }
Tensor Tensor::count_nonzero(std::optional<DimList> dims) const { return fluxion::count_nonzero(*this, dims); }

}  // namespace fluxion
