// Joining and splitting: cat/concat, stack, hstack, vstack, split, chunk, unbind.
// split/chunk/unbind return narrow/select views (their autograd lives in view.cpp).
#include <numeric>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"
#include "ops/index_util.h"

namespace fluxion {

namespace {
// PyTorch skips legacy empty 1-d tensors (shape [0]) in cat whatever the other shapes are.
bool is_legacy_empty(const Tensor& t) { return t.dim() == 1 && t.sizes()[0] == 0; }
}  // namespace

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  FX_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  DType dt = tensors[0].dtype();
  const Tensor* ref = nullptr;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    FX_CHECK(t.defined(), "cat: tensor ", i, " in the list is undefined");
    FX_CHECK(t.dim() > 0, "cat: zero-dimensional tensor (at position ", i, ") cannot be concatenated");
    FX_CHECK(t.device() == tensors[0].device(), "cat: expected all tensors on the same device, but tensor 0 is on ",
             tensors[0].device().str(), " and tensor ", i, " is on ", t.device().str());
    dt = promote_types(dt, t.dtype());
    if (!ref && !is_legacy_empty(t)) ref = &t;
  }
  if (!ref) return empty({0}, TensorOptions(dt).device(tensors[0].device()));
  dim = wrap_dim(dim, ref->dim(), "cat");
  Shape sizes = ref->sizes();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    if (is_legacy_empty(t)) continue;
    FX_CHECK(t.dim() == ref->dim(), "cat: tensors must have the same number of dimensions: got ", ref->dim(), " and ",
             t.dim(), " (tensor ", i, ")");
    for (int64_t d = 0; d < t.dim(); ++d)
      FX_CHECK(d == dim || t.sizes()[d] == sizes[d], "cat: sizes of tensors must match except in dimension ", dim,
               ". Expected size ", sizes[d], " but got size ", t.sizes()[d], " for tensor number ", i, " in the list");
    total += t.sizes()[dim];
  }
  sizes[dim] = total;
  // Note [Batched tensors]: with a batched piece the result is batched and every piece is copied
  // physically (unbatched pieces broadcast along the batch).
  int64_t batch = 0;
  for (const Tensor& t : tensors)
    if (batched::is_batched(t)) batch = batched::batch_size({&t});
  Tensor out = batch
                   ? batched::wrap(empty(batched::batched_sizes(batch, sizes), TensorOptions(dt).device(ref->device())))
                   : empty(sizes, TensorOptions(dt).device(ref->device()));
  std::vector<int64_t> offsets(tensors.size(), 0);
  int64_t off = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    offsets[i] = off;
    if (is_legacy_empty(t)) continue;
    const int64_t len = t.sizes()[dim];
    Shape s = sizes;
    s[dim] = len;
    Tensor dst = detail::raw_view(out, s, out.strides(), off * out.strides()[dim]);
    if (t.numel() > 0 && batch)
      kernels::copy_kernel.get(out.device().type(), dt)(batched::physical(dst, batch), batched::physical(t, batch));
    else if (t.numel() > 0)
      kernels::copy_kernel.get(out.device().type(), dt)(dst, t);
    off += len;
  }
  if (autograd::needs_record(TensorList(tensors.begin(), tensors.end()))) {
    std::vector<Shape> in_sizes;
    std::vector<DType> in_dtypes;
    for (const Tensor& t : tensors) {
      in_sizes.push_back(t.sizes());
      in_dtypes.push_back(t.dtype());
    }
    autograd::record(
        "CatBackward0", TensorList(tensors.begin(), tensors.end()), {out},
        [dim, offsets, in_sizes, in_dtypes](const autograd::BackwardArgs& a) {
          TensorList grads(in_sizes.size());
          for (size_t i = 0; i < in_sizes.size(); ++i) {
            if (!a.needs(i)) continue;
            if (in_sizes[i].size() == 1 && in_sizes[i][0] == 0) {  // skipped legacy empty
              grads[i] = zeros(in_sizes[i], a.grad().options().dtype(in_dtypes[i]));
              continue;
            }
            grads[i] = a.grad().narrow(dim, offsets[i], in_sizes[i][dim]).to(in_dtypes[i]);
          }
          return grads;
        },
        [&](const TensorList& t) { return TensorList{cat(t, dim)}; });
  }
  return out;
}

Tensor concat(const std::vector<Tensor>& tensors, int64_t dim) { return cat(tensors, dim); }

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  FX_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  for (size_t i = 0; i < tensors.size(); ++i) {
    FX_CHECK(tensors[i].defined(), "stack: tensor ", i, " in the list is undefined");
    FX_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack: expects each tensor to be equal size, but got ",
             tensors[0].sizes(), " at entry 0 and ", tensors[i].sizes(), " at entry ", i);
  }
  dim = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  parts.reserve(tensors.size());
  for (const Tensor& t : tensors) parts.push_back(t.unsqueeze(dim));
  return cat(parts, dim);
}

Tensor hstack(const std::vector<Tensor>& tensors) {
  FX_CHECK(!tensors.empty(), "hstack: expected a non-empty list of tensors");
  std::vector<Tensor> parts;
  for (const Tensor& t : tensors) parts.push_back(t.dim() == 0 ? t.reshape({1}) : t);
  return cat(parts, parts[0].dim() == 1 ? 0 : 1);
}

Tensor vstack(const std::vector<Tensor>& tensors) {
  FX_CHECK(!tensors.empty(), "vstack: expected a non-empty list of tensors");
  std::vector<Tensor> parts;
  for (const Tensor& t : tensors) parts.push_back(t.dim() == 0 ? t.reshape({1, 1}) : t.dim() == 1 ? t.unsqueeze(0) : t);
  return cat(parts, 0);
}

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  FX_CHECK(x.defined(), "split: tensor is undefined");
  FX_CHECK(x.dim() > 0, "split: cannot split a 0-d tensor");
  FX_CHECK(split_size >= 0, "split: split_size must be non-negative, but got split_size=", split_size);
  dim = wrap_dim(dim, x.dim(), "split");
  const int64_t n = x.sizes()[dim];
  FX_CHECK(split_size > 0 || n == 0, "split: split_size can only be 0 if dimension size is 0, but got dimension size ",
           n);
  const int64_t parts = split_size == 0 ? 1 : std::max<int64_t>((n + split_size - 1) / split_size, 1);
  std::vector<Tensor> out;
  out.reserve(static_cast<size_t>(parts));
  for (int64_t i = 0; i < parts; ++i) {
    int64_t start = i * split_size;
    out.push_back(x.narrow(dim, start, std::min(split_size, n - start)));
  }
  return out;
}

std::vector<Tensor> split(const Tensor& x, const std::vector<int64_t>& sizes, int64_t dim) {
  FX_CHECK(x.defined(), "split: tensor is undefined");
  FX_CHECK(x.dim() > 0, "split: cannot split a 0-d tensor");
  dim = wrap_dim(dim, x.dim(), "split");
  const int64_t n = x.sizes()[dim];
  int64_t sum = 0;
  for (int64_t s : sizes) {
    FX_CHECK(s >= 0, "split: split_sizes must be non-negative, got ", Shape(sizes));
    sum += s;
  }
  FX_CHECK(sum == n, "split: split_sizes must sum exactly to ", n, " (the input's size at dimension ", dim,
           "), but got split_sizes=", Shape(sizes));
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t s : sizes) {
    out.push_back(x.narrow(dim, start, s));
    start += s;
  }
  return out;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  FX_CHECK(x.defined(), "chunk: tensor is undefined");
  FX_CHECK(x.dim() > 0, "chunk: cannot chunk a 0-d tensor");
  FX_CHECK(chunks > 0, "chunk: expects `chunks` to be greater than 0, got ", chunks);
  dim = wrap_dim(dim, x.dim(), "chunk");
  const int64_t n = x.sizes()[dim];
  const int64_t split_size = (n + chunks - 1) / chunks;
  // An empty dim yields `chunks` empty pieces (PyTorch).
  if (split_size == 0 && n == 0) return split(x, std::vector<int64_t>(static_cast<size_t>(chunks), 0), dim);
  return split(x, split_size, dim);
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  FX_CHECK(x.defined(), "unbind: tensor is undefined");
  FX_CHECK(x.dim() > 0, "unbind: dimension specified as 0 but tensor has no dimensions");
  dim = wrap_dim(dim, x.dim(), "unbind");
  std::vector<Tensor> out;
  for (int64_t i = 0; i < x.sizes()[dim]; ++i) out.push_back(x.select(dim, i));
  return out;
}

// ---- Tensor methods -------------------------------------------------------------------------

std::vector<Tensor> Tensor::split(int64_t s, int64_t d) const { return fluxion::split(*this, s, d); }
std::vector<Tensor> Tensor::split(const std::vector<int64_t>& s, int64_t d) const {
  return fluxion::split(*this, s, d);
}
std::vector<Tensor> Tensor::chunk(int64_t c, int64_t d) const { return fluxion::chunk(*this, c, d); }
std::vector<Tensor> Tensor::unbind(int64_t d) const { return fluxion::unbind(*this, d); }

}  // namespace fluxion
