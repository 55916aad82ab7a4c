// pad (torch.nn.functional.pad): constant, reflect, replicate and circular modes over the last
// dims; negative pads crop. Constant padding copies into a filled tensor and has its own VJP
// (pad the gradient by the negated pads); the other modes gather along each padded dim with
// index_select, whose VJP accumulates the repeated border elements.
#include <numeric>

#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/view.h"
#include "kernels/cpu/copy.h"
#include "ops/index_util.h"

namespace fluxion {

namespace {

Tensor constant_pad(const Tensor& x, const std::vector<int64_t>& pad, double value) {
  const int64_t nd = x.dim(), k = static_cast<int64_t>(pad.size()) / 2;
  FX_CHECK(k <= nd, "pad: padding length should be less than or equal to two times the input dimension but got ",
           "padding length ", pad.size(), " and input of dimension ", nd);
  Shape out_sizes = x.sizes();
  // Region of x that survives (negative pads crop) and where it lands in the output.
  Shape src_start(static_cast<size_t>(nd), int64_t{0}), dst_start(static_cast<size_t>(nd), int64_t{0});
  Shape len = x.sizes();
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i, l = pad[2 * i], r = pad[2 * i + 1], n = x.sizes()[d];
    const int64_t o = n + l + r;
    FX_CHECK(o >= 0, "pad: the input size ", n, ", plus negative padding ", l, " and ", r,
             " resulted in a negative output size ", o, " at dimension ", d);
    out_sizes[d] = o;
    src_start[d] = std::max<int64_t>(-l, 0);
    dst_start[d] = std::max<int64_t>(l, 0);
    len[d] = std::max<int64_t>(n - std::max<int64_t>(-l, 0) - std::max<int64_t>(-r, 0), 0);
  }
  Tensor out = full(out_sizes, Scalar(value), x.options());
  if (shape_numel(len) > 0) {
    int64_t so = x.storage_offset(), dofs = 0;
    for (int64_t d = 0; d < nd; ++d) {
      so += src_start[d] * x.strides()[d];
      dofs += dst_start[d] * out.strides()[d];
    }
    kernels::copy_kernel.get(x.device().type(), x.dtype())(detail::raw_view(out, len, out.strides(), dofs),
                                                           detail::raw_view(x, len, x.strides(), so));
  }
  if (autograd::needs_record({&x})) {
    std::vector<int64_t> neg(pad.size());
    for (size_t i = 0; i < pad.size(); ++i) neg[i] = -pad[i];
    autograd::record(
        "ConstantPadNdBackward0", {x}, {out},
        [neg](const autograd::BackwardArgs& a) { return TensorList{constant_pad(a.grad(), neg, 0.0)}; },
        [&pad](const TensorList& t) { return TensorList{constant_pad(t[0], pad, 0.0)}; });
  }
  return out;
}

// Source index along a dim of size n for each of the n + l + r output positions.
std::vector<int64_t> pad_indices(const std::string& mode, int64_t n, int64_t l, int64_t r) {
  std::vector<int64_t> idx;
  for (int64_t o = 0; o < n + l + r; ++o) {
    int64_t i = o - l;
    if (mode == "reflect")
      i = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
    else if (mode == "replicate")
      i = std::clamp<int64_t>(i, 0, n - 1);
    else {
      // circular, as PyTorch: the pads wrap around the part of the input that survives the
      // (negative-pad) crop, which starts at max(-l, 0) and holds c elements.
      const int64_t start = std::max<int64_t>(-l, 0), c = n - start - std::max<int64_t>(-r, 0);
      int64_t j = o - std::max<int64_t>(l, 0);
      i = start + ((j % c) + c) % c;
    }
    idx.push_back(i);
  }
  return idx;
}

}  // namespace

Tensor pad(const Tensor& x, const std::vector<int64_t>& pad, const std::string& mode, double value) {
  FX_CHECK(x.defined(), "pad: tensor is undefined");
  FX_CHECK(pad.size() % 2 == 0, "pad: padding length must be divisible by 2, got ", pad.size());
  FX_CHECK(mode == "constant" || mode == "reflect" || mode == "replicate" || mode == "circular",
           "pad: mode must be one of constant, reflect, replicate, circular, got '", mode, "'");
  if (mode == "constant") return constant_pad(x, pad, value);
  FX_CHECK(value == 0.0, "pad: padding mode '", mode, "' doesn't take in value argument");
  const int64_t k = static_cast<int64_t>(pad.size()) / 2, nd = x.dim();
  FX_CHECK(k >= 1 && k <= 3 && (nd == k + 1 || nd == k + 2), "pad: padding size ", pad.size(),
           " is not supported for a ", nd, "-d input tensor in mode '", mode,
           "' (supported: 2-d or 3-d input with padding size 2, 3-d or 4-d with 4, 4-d or 5-d with 6)");
  Tensor out = x;
  for (int64_t i = 0; i < k; ++i) {
    const int64_t d = nd - 1 - i, l = pad[2 * i], r = pad[2 * i + 1], n = x.sizes()[d];
    if (l == 0 && r == 0) continue;
    FX_CHECK(n > 0, "pad: mode '", mode, "' needs a non-empty dimension to pad, but dimension ", d, " of input ",
             x.sizes(), " is empty");
    if (mode == "reflect")
      FX_CHECK(l < n && r < n, "pad: padding size should be less than the corresponding input dimension, but got ",
               "padding (", l, ", ", r, ") at dimension ", d, " of input ", x.sizes());
    if (mode == "circular")
      FX_CHECK(l <= n && r <= n, "pad: padding value causes wrapping around more than once: padding (", l, ", ", r,
               ") at dimension ", d, " of input ", x.sizes());
    FX_CHECK(n + l + r > 0, "pad: the input size ", n, ", plus padding ", l, " and ", r,
             " resulted in a non-positive output size ", n + l + r, " at dimension ", d);
    if (mode == "circular")
      FX_CHECK(n - std::max<int64_t>(-l, 0) - std::max<int64_t>(-r, 0) > 0, "pad: circular padding (", l, ", ", r,
               ") crops away all of dimension ", d, " of input ", x.sizes());
    std::vector<int64_t> idx = pad_indices(mode, n, l, r);
    Tensor it = tensor(idx, Shape{static_cast<int64_t>(idx.size())}, TensorOptions(kInt64)).to(x.device());
    out = index_select(out, d, it);
  }
  return out.is_same(x) ? x.clone() : out;
}

}  // namespace fluxion
