// diag, diag_embed, trace, cross, kron: compositions of views, pad, cat and pointwise ops.
#include "fluxion/ops/matrix.h"

#include <algorithm>

#include "fluxion/error.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"

namespace fluxion {

namespace {

// [..., n] -> [..., n + |k|, n + |k|] with the vector on diagonal k of the last two dims.
// The square n x n case uses the flatten trick: rows of [v | 0 ... 0] (n + 1 wide) read back
// n at a time put v[i] at (i, i); the offset is then a zero pad.
Tensor embed_last(const Tensor& x, int64_t k) {
  const int64_t n = x.size(-1);
  Shape lead = x.sizes();
  lead.pop_back();
  Shape zeros_shape = lead, flat = lead, square = lead;
  zeros_shape.push_back(n);
  zeros_shape.push_back(n);
  flat.push_back(n * (n + 1));
  square.push_back(n);
  square.push_back(n);
  Tensor rows = cat({x.unsqueeze(-1), zeros(zeros_shape, x.options())}, -1);  // [..., n, n + 1]
  Tensor d = rows.reshape(flat).narrow(-1, 0, n * n).reshape(square);
  if (k > 0) return pad(d, {k, 0, 0, k});
  if (k < 0) return pad(d, {0, -k, -k, 0});
  return d;
}

}  // namespace

Tensor diag(const Tensor& x, int64_t diagonal) {
  FX_CHECK(x.defined(), "diag: the input tensor is undefined");
  FX_CHECK(x.dim() == 1 || x.dim() == 2, "diag: expected a 1-d or 2-d tensor, got ", x.dim(), "-d (sizes ", x.sizes(),
           ")");
  if (x.dim() == 1) return embed_last(x, diagonal);
  return x.diagonal(diagonal, 0, 1).clone();
}

Tensor diag_embed(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  FX_CHECK(x.defined(), "diag_embed: the input tensor is undefined");
  FX_CHECK(x.dim() >= 1, "diag_embed: expected a tensor with at least 1 dim, got a 0-d tensor");
  const int64_t out_dim = x.dim() + 1;
  const int64_t d1 = wrap_dim(dim1, out_dim, "diag_embed"), d2 = wrap_dim(dim2, out_dim, "diag_embed");
  FX_CHECK(d1 != d2, "diag_embed: diagonal dimensions cannot be identical (", dim1, ", ", dim2, ")");
  Tensor m = embed_last(x, offset);  // the matrix in the last two dims
  return m.movedim({out_dim - 2, out_dim - 1}, {d1, d2});
}

Tensor trace(const Tensor& x) {
  FX_CHECK(x.defined(), "trace: the input tensor is undefined");
  FX_CHECK(x.dim() == 2, "trace: expected a 2-d tensor, got sizes ", x.sizes());
  return x.diagonal(0, 0, 1).sum();
}

Tensor cross(const Tensor& a, const Tensor& b, int64_t dim) {
  FX_CHECK(a.defined() && b.defined(), "cross: an input tensor is undefined");
  FX_CHECK(a.dim() == b.dim(), "cross: inputs must have the same number of dims, got sizes ", a.sizes(), " and ",
           b.sizes());
  const int64_t d = wrap_dim(dim, a.dim(), "cross");
  FX_CHECK(a.size(d) == 3 && b.size(d) == 3, "cross: dimension ", dim, " must have size 3 in both inputs, got sizes ",
           a.sizes(), " and ", b.sizes());
  auto c = [d](const Tensor& t, int64_t i) { return t.narrow(d, i, 1); };
  return cat({c(a, 1) * c(b, 2) - c(a, 2) * c(b, 1), c(a, 2) * c(b, 0) - c(a, 0) * c(b, 2),
              c(a, 0) * c(b, 1) - c(a, 1) * c(b, 0)},
             d);
}

Tensor kron(const Tensor& a, const Tensor& b) {
  FX_CHECK(a.defined() && b.defined(), "kron: an input tensor is undefined");
  const int64_t nd = std::max(a.dim(), b.dim());
  Shape as(nd - a.dim(), 1), bs(nd - b.dim(), 1);
  for (int64_t s : a.sizes()) as.push_back(s);
  for (int64_t s : b.sizes()) bs.push_back(s);
  // a as [a0, 1, a1, 1, ...] times b as [1, b0, 1, b1, ...], then merge each pair.
  Shape ai, bi, out;
  for (int64_t i = 0; i < nd; ++i) {
    ai.push_back(as[i]);
    ai.push_back(1);
    bi.push_back(1);
    bi.push_back(bs[i]);
    out.push_back(as[i] * bs[i]);
  }
  return (a.reshape(ai) * b.reshape(bi)).reshape(out);
}

}  // namespace fluxion
