// Pooling ops. Every flavour (strided/padded/dilated windows, ceil mode, adaptive windows) is
// described by per-output-row and per-column windows (kernels::PoolWindows) built here; the
// kernels run on planes (P, H, W), 1-d pooling uses H = 1.
//
// Differentiation (any order):
//   max pool       VJP: scatter gy into a zero input at the saved indices (plane_scatter op,
//                  whose own VJP is a gather at the same indices); JVP: gather of the tangent.
//   avg pool       linear: its VJP is the adjoint kernel (avg_pool_adjoint op), whose VJP is
//                  avg pool again; JVPs apply the same linear map to the tangent.
//   max unpool     a plane_scatter without accumulation; VJP gather.
#include "fluxion/nn/functional/pooling.h"

#include <array>
#include <memory>
#include <type_traits>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "kernels/nn_kernels.h"

namespace fluxion::nn::functional {

namespace {

using kernels::PoolWindows;
using WinPtr = std::shared_ptr<const PoolWindows>;

Tensor dense(const Tensor& t) {
  if (t.is_contiguous()) return t;
  NoGradGuard ng;
  return t.detach().contiguous();
}

// Windows along one dim.
struct Windows1d {
  int64_t out = 0;
  std::vector<int64_t> first, count;
  std::vector<double> div;
};

// PyTorch's pooling_output_shape.
int64_t pool_out_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil, bool ceil_mode) {
  const int64_t num = in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0);
  // floor division (num may be negative for a too-small input)
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

Windows1d max_windows(int64_t in, int64_t k, int64_t s, int64_t p, int64_t d, int64_t out) {
  Windows1d w;
  w.out = out;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - p;
    const int64_t end = std::min(start + (k - 1) * d + 1, in);
    while (start < 0) start += d;
    w.first.push_back(start);
    w.count.push_back(end > start ? (end - start + d - 1) / d : 0);
    w.div.push_back(1);
  }
  return w;
}

Windows1d avg_windows(int64_t in, int64_t k, int64_t s, int64_t p, int64_t out, bool count_include_pad) {
  Windows1d w;
  w.out = out;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - p;
    int64_t end = std::min(start + k, in + p);
    const int64_t padded = end - start;
    start = std::max<int64_t>(start, 0);
    end = std::min(end, in);
    const int64_t n = std::max<int64_t>(end - start, 0);
    w.first.push_back(n > 0 ? start : 0);
    w.count.push_back(n);
    // An empty window yields 0 (PyTorch); any non-zero divisor gives that.
    w.div.push_back(static_cast<double>(count_include_pad ? padded : (n > 0 ? n : 1)));
  }
  return w;
}

Windows1d adaptive_windows(int64_t in, int64_t out) {
  Windows1d w;
  w.out = out;
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = (o * in) / out;
    const int64_t end = ((o + 1) * in + out - 1) / out;
    w.first.push_back(start);
    w.count.push_back(end - start);
    w.div.push_back(static_cast<double>(std::max<int64_t>(end - start, 1)));
  }
  return w;
}

WinPtr combine(int64_t H, int64_t W, const Windows1d& h, const Windows1d& w, int64_t h_step, int64_t w_step,
               double divisor_override = 0) {
  auto p = std::make_shared<PoolWindows>();
  p->H = H;
  p->W = W;
  p->OH = h.out;
  p->OW = w.out;
  p->h_step = h_step;
  p->w_step = w_step;
  p->h_first = h.first;
  p->h_count = h.count;
  p->h_div = h.div;
  p->w_first = w.first;
  p->w_count = w.count;
  p->w_div = w.div;
  p->divisor_override = divisor_override;
  return p;
}

Shape with_plane(const Tensor& x, int64_t a, int64_t b) {
  Shape s(x.sizes().begin(), x.sizes().end() - 2);
  s.push_back(a);
  s.push_back(b);
  return s;
}

int64_t num_planes(const Shape& s) {
  int64_t p = 1;
  for (size_t i = 0; i + 2 < s.size(); ++i) p *= s[i];
  return p;
}

// ---- differentiable primitives on (..., H, W) tensors ---------------------------------------------

Tensor plane_scatter(const Tensor& src, const Tensor& idx, const Shape& out_sizes, bool accumulate, const char* op);

// src (..., H, W) gathered at idx (..., OH, OW) per plane.
Tensor plane_gather(const Tensor& src, const Tensor& idx) {
  const int64_t P = num_planes(idx.sizes());
  const int64_t M = P == 0 ? 0 : src.numel() / std::max<int64_t>(P, 1);
  const int64_t L = P == 0 ? 0 : idx.numel() / std::max<int64_t>(P, 1);
  return src.reshape({P, M}).gather(1, idx.reshape({P, L})).reshape(idx.sizes());
}

Tensor plane_scatter(const Tensor& src, const Tensor& idx, const Shape& out_sizes, bool accumulate, const char* op) {
  Tensor out;
  if (batched::any_batched({&src, &idx})) [[unlikely]] {
    // Note [Batched tensors]: pooling works plane by plane, so the vmap batch is more planes.
    const int64_t B = batched::batch_size({&src, &idx});
    out = batched::wrap(plane_scatter(batched::physical(src, B), batched::physical(idx, B),
                                      batched::batched_sizes(B, out_sizes), accumulate, op));
  } else {
    out = zeros(out_sizes, src.options());
    const int64_t P = num_planes(out_sizes);
    const Tensor s = dense(src), ix = dense(idx);
    if (out.numel() > 0 && s.numel() > 0)
      kernels::plane_scatter_kernel.get(src.device().type(), src.dtype())(
          s.reshape({P, s.numel() / P}), ix.reshape({P, ix.numel() / P}), out.view({P, out.numel() / P}), accumulate,
          op);
  }
  if (autograd::needs_record({&src})) {
    autograd::record(
        accumulate ? "MaxPoolBackward0" : "MaxUnpoolBackward0", {src}, {out},
        [idx](const autograd::BackwardArgs& a) { return TensorList{plane_gather(a.grad(), idx)}; },
        [&](const TensorList& t) { return TensorList{plane_scatter(t[0], idx, out_sizes, accumulate, op)}; });
  }
  return out;
}

std::tuple<Tensor, Tensor> max_pool_op(const Tensor& x, const WinPtr& win) {
  Tensor y, idx;
  if (batched::is_batched(x)) [[unlikely]] {  // Note [Batched tensors]: more planes
    auto [py, pidx] = max_pool_op(batched::physical(x, batched::batch_size({&x})), win);
    y = batched::wrap(py);
    idx = batched::wrap(pidx);
  } else {
    const Shape out_sizes = with_plane(x, win->OH, win->OW);
    y = empty(out_sizes, x.options());
    idx = empty(out_sizes, TensorOptions(kInt64).device(x.device()));
    if (y.numel() > 0) kernels::max_pool_kernel.get(x.device().type(), x.dtype())(dense(x), y, idx, *win);
  }
  if (autograd::needs_record({&x})) {
    const Shape in_sizes = x.sizes();
    autograd::record(
        "MaxPool2DWithIndicesBackward0", {x}, {y},
        [idx, in_sizes](const autograd::BackwardArgs& a) {
          return TensorList{plane_scatter(a.grad(), idx, in_sizes, true, "max_pool_backward")};
        },
        [&](const TensorList& t) { return TensorList{plane_gather(t[0], idx)}; });
  }
  return {y, idx};
}

Tensor avg_pool_adjoint(const Tensor& gy, const WinPtr& win, const Shape& in_sizes);

Tensor avg_pool_op(const Tensor& x, const WinPtr& win) {
  Tensor y;
  if (batched::is_batched(x)) [[unlikely]] {  // Note [Batched tensors]: more planes
    y = batched::wrap(avg_pool_op(batched::physical(x, batched::batch_size({&x})), win));
  } else {
    y = empty(with_plane(x, win->OH, win->OW), x.options());
    if (y.numel() > 0) kernels::avg_pool_forward_kernel.get(x.device().type(), x.dtype())(dense(x), y, *win);
  }
  if (autograd::needs_record({&x})) {
    const Shape in_sizes = x.sizes();
    autograd::record(
        "AvgPool2DBackward0", {x}, {y},
        [win, in_sizes](const autograd::BackwardArgs& a) {
          return TensorList{avg_pool_adjoint(a.grad(), win, in_sizes)};
        },
        [&](const TensorList& t) { return TensorList{avg_pool_op(t[0], win)}; });
  }
  return y;
}

Tensor avg_pool_adjoint(const Tensor& gy, const WinPtr& win, const Shape& in_sizes) {
  Tensor gx;
  if (batched::is_batched(gy)) [[unlikely]] {  // Note [Batched tensors]: more planes
    const int64_t B = batched::batch_size({&gy});
    gx = batched::wrap(avg_pool_adjoint(batched::physical(gy, B), win, batched::batched_sizes(B, in_sizes)));
  } else {
    gx = empty(in_sizes, gy.options());
    if (gx.numel() > 0) {
      if (gy.numel() > 0)
        kernels::avg_pool_backward_kernel.get(gy.device().type(), gy.dtype())(dense(gy), gx, *win);
      else
        gx.zero_();
    }
  }
  if (autograd::needs_record({&gy})) {
    autograd::record(
        "AvgPool2DBackwardBackward0", {gy}, {gx},
        [win](const autograd::BackwardArgs& a) { return TensorList{avg_pool_op(a.grad(), win)}; },
        [&](const TensorList& t) { return TensorList{avg_pool_adjoint(t[0], win, in_sizes)}; });
  }
  return gx;
}

// ---- argument handling --------------------------------------------------------------------------

// (H, W) values of a pooling argument; 1-d pooling runs with H = 1, so its H entry is `h_fill`
// (1 for kernel/stride/dilation, 0 for padding).
std::array<int64_t, 2> expand2(const DimList& v, int nd, const std::string& op, const char* what, int64_t h_fill = 1) {
  FX_CHECK(v.size() == 1 || static_cast<int>(v.size()) == nd, op, ": ", what, " must be a single integer or a list of ",
           nd, " integers, got ", static_cast<const Shape&>(v));
  if (nd == 1) return {h_fill, v[0]};
  return {v[0], v.size() == 1 ? v[0] : v[1]};
}

// The input as (..., H, W) with a leading batch dim, checking its rank and sizes.
Tensor prepare_input(const Tensor& input, int nd, const std::string& op) {
  FX_CHECK(input.defined(), op, ": input is undefined");
  FX_CHECK(input.dim() == nd + 1 || input.dim() == nd + 2, op, ": expected ", nd + 1, "-d (unbatched) or ", nd + 2,
           "-d (batched) input, got input of size ", input.sizes());
  FX_CHECK(is_floating_point(input.dtype()), op, ": expected a floating-point input, got ", input.dtype());
  for (int64_t d = input.dim() == nd + 2 ? 1 : 0; d < input.dim(); ++d)
    FX_CHECK(input.size(d) > 0, op, ": expected input with non-zero sizes except for the batch dim, got ",
             input.sizes());
  return nd == 1 ? input.unsqueeze(-2) : input;
}

Tensor finish(const Tensor& y, int nd) { return nd == 1 ? y.squeeze(-2) : y; }

// Runs f in f32 for half inputs and casts the floating result back.
template <class F>
auto through_float(const Tensor& x, const F& f) {
  if (x.dtype() == kFloat32 || x.dtype() == kFloat64) return f(x);
  auto r = f(x.to(kFloat32));
  if constexpr (std::is_same_v<decltype(r), Tensor>) {
    return r.to(x.dtype());
  } else {
    return std::tuple<Tensor, Tensor>{std::get<0>(r).to(x.dtype()), std::get<1>(r)};
  }
}

std::tuple<Tensor, Tensor> max_pool_nd(int nd, const Tensor& input, const DimList& kernel_size, const DimList& stride,
                                       const DimList& padding, const DimList& dilation, bool ceil_mode) {
  const std::string op = "max_pool" + std::to_string(nd) + "d";
  Tensor x = prepare_input(input, nd, op);
  const auto k = expand2(kernel_size, nd, op, "kernel_size");
  const auto s = stride.empty() ? k : expand2(stride, nd, op, "stride");
  const auto p = expand2(padding, nd, op, "padding", 0);
  const auto d = expand2(dilation, nd, op, "dilation");
  const int64_t H = x.size(-2), W = x.size(-1);
  Windows1d wins[2];
  const int64_t in[2] = {H, W};
  for (int i = 0; i < 2; ++i) {
    FX_CHECK(k[i] > 0, op, ": kernel_size must be greater than zero, got ", static_cast<const Shape&>(kernel_size));
    FX_CHECK(s[i] > 0, op, ": stride must be greater than zero, got ", static_cast<const Shape&>(stride));
    FX_CHECK(d[i] > 0, op, ": dilation must be greater than zero, got ", static_cast<const Shape&>(dilation));
    FX_CHECK(p[i] >= 0 && p[i] <= ((k[i] - 1) * d[i] + 1) / 2, op,
             ": pad should be at most half of effective kernel size, but got pad=", p[i], ", kernel_size=", k[i],
             " and dilation=", d[i]);
    const int64_t o = pool_out_size(in[i], k[i], p[i], s[i], d[i], ceil_mode);
    FX_CHECK(o > 0, op, ": given input size ", input.sizes(), ", the calculated output size is ", o, " at spatial dim ",
             i + 2 - nd, ". Output size is too small");
    wins[i] = max_windows(in[i], k[i], s[i], p[i], d[i], o);
  }
  auto win = combine(H, W, wins[0], wins[1], d[0], d[1]);
  auto [y, idx] = through_float(x, [&](const Tensor& a) { return max_pool_op(a, win); });
  return {finish(y, nd), finish(idx, nd)};
}

Tensor avg_pool_nd(int nd, const Tensor& input, const DimList& kernel_size, const DimList& stride,
                   const DimList& padding, bool ceil_mode, bool count_include_pad,
                   std::optional<int64_t> divisor_override) {
  const std::string op = "avg_pool" + std::to_string(nd) + "d";
  Tensor x = prepare_input(input, nd, op);
  const auto k = expand2(kernel_size, nd, op, "kernel_size");
  const auto s = stride.empty() ? k : expand2(stride, nd, op, "stride");
  const auto p = expand2(padding, nd, op, "padding", 0);
  if (divisor_override) FX_CHECK(*divisor_override != 0, op, ": divisor must be not zero");
  const int64_t H = x.size(-2), W = x.size(-1);
  const int64_t in[2] = {H, W};
  Windows1d wins[2];
  for (int i = 0; i < 2; ++i) {
    FX_CHECK(k[i] > 0, op, ": kernel_size must be greater than zero, got ", static_cast<const Shape&>(kernel_size));
    FX_CHECK(s[i] > 0, op, ": stride must be greater than zero, got ", static_cast<const Shape&>(stride));
    FX_CHECK(p[i] >= 0 && p[i] <= k[i] / 2, op, ": pad should be at most half of kernel size, but got pad=", p[i],
             " and kernel_size=", k[i]);
    const int64_t o = pool_out_size(in[i], k[i], p[i], s[i], 1, ceil_mode);
    FX_CHECK(o > 0, op, ": given input size ", input.sizes(), ", the calculated output size is ", o, " at spatial dim ",
             i + 2 - nd, ". Output size is too small");
    wins[i] = avg_windows(in[i], k[i], s[i], p[i], o, count_include_pad);
  }
  auto win = combine(H, W, wins[0], wins[1], 1, 1, divisor_override ? static_cast<double>(*divisor_override) : 0.0);
  return finish(through_float(x, [&](const Tensor& a) { return avg_pool_op(a, win); }), nd);
}

WinPtr adaptive_wins(const Tensor& x, int nd, const DimList& output_size, const std::string& op) {
  FX_CHECK(static_cast<int>(output_size.size()) == nd || output_size.size() == 1, op, ": output_size must have ", nd,
           " elements, got ", static_cast<const Shape&>(output_size));
  const int64_t H = x.size(-2), W = x.size(-1);
  int64_t oh = 1, ow;
  if (nd == 1) {
    ow = output_size[0];
  } else {
    oh = output_size[0];
    ow = output_size.size() == 1 ? output_size[0] : output_size[1];
    if (oh == -1) oh = H;
  }
  if (ow == -1) ow = W;
  FX_CHECK(oh >= 0 && ow >= 0, op, ": output_size must be non-negative (or -1 to keep the input size), got ",
           static_cast<const Shape&>(output_size));
  return combine(H, W, adaptive_windows(H, oh), adaptive_windows(W, ow), 1, 1);
}

Tensor adaptive_avg_nd(int nd, const Tensor& input, const DimList& output_size) {
  const std::string op = "adaptive_avg_pool" + std::to_string(nd) + "d";
  Tensor x = prepare_input(input, nd, op);
  auto win = adaptive_wins(x, nd, output_size, op);
  return finish(through_float(x, [&](const Tensor& a) { return avg_pool_op(a, win); }), nd);
}

std::tuple<Tensor, Tensor> adaptive_max_nd(int nd, const Tensor& input, const DimList& output_size) {
  const std::string op = "adaptive_max_pool" + std::to_string(nd) + "d";
  Tensor x = prepare_input(input, nd, op);
  auto win = adaptive_wins(x, nd, output_size, op);
  auto [y, idx] = through_float(x, [&](const Tensor& a) { return max_pool_op(a, win); });
  return {finish(y, nd), finish(idx, nd)};
}

Tensor max_unpool_nd(int nd, const Tensor& input, const Tensor& indices, const DimList& kernel_size,
                     const DimList& stride, const DimList& padding, const DimList& output_size) {
  const std::string op = "max_unpool" + std::to_string(nd) + "d";
  Tensor x = prepare_input(input, nd, op);
  FX_CHECK(indices.defined() && indices.dtype() == kInt64, op, ": expected int64 indices, got ",
           indices.defined() ? dtype_name(indices.dtype()) : "undefined");
  FX_CHECK(indices.sizes() == input.sizes(), op, ": expected indices of the input's size ", input.sizes(), ", got ",
           indices.sizes());
  Tensor idx = nd == 1 ? indices.unsqueeze(-2) : indices;
  const auto k = expand2(kernel_size, nd, op, "kernel_size");
  const auto s = stride.empty() ? k : expand2(stride, nd, op, "stride");
  const auto p = expand2(padding, nd, op, "padding", 0);
  int64_t out[2];
  for (int i = 0; i < 2; ++i) out[i] = (x.size(-2 + i) - 1) * s[i] - 2 * p[i] + k[i];
  if (nd == 1) out[0] = 1;
  if (!output_size.empty()) {
    const size_t n = output_size.size();
    FX_CHECK(n >= static_cast<size_t>(nd), op, ": output_size must end with the ", nd, " spatial sizes, got ",
             static_cast<const Shape&>(output_size));
    if (nd == 1) {
      out[1] = output_size[n - 1];
    } else {
      out[0] = output_size[n - 2];
      out[1] = output_size[n - 1];
    }
  }
  FX_CHECK(out[0] > 0 && out[1] > 0, op, ": invalid output size (", out[0], ", ", out[1], ")");
  const Shape out_sizes = with_plane(x, out[0], out[1]);
  Tensor y = through_float(x, [&](const Tensor& a) { return plane_scatter(a, idx, out_sizes, false, op.c_str()); });
  return finish(y, nd);
}

}  // namespace

Tensor max_pool1d(const Tensor& input, const DimList& kernel_size, const DimList& stride, const DimList& padding,
                  const DimList& dilation, bool ceil_mode) {
  return std::get<0>(max_pool_nd(1, input, kernel_size, stride, padding, dilation, ceil_mode));
}
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const DimList& kernel_size,
                                                   const DimList& stride, const DimList& padding,
                                                   const DimList& dilation, bool ceil_mode) {
  return max_pool_nd(1, input, kernel_size, stride, padding, dilation, ceil_mode);
}
Tensor max_pool2d(const Tensor& input, const DimList& kernel_size, const DimList& stride, const DimList& padding,
                  const DimList& dilation, bool ceil_mode) {
  return std::get<0>(max_pool_nd(2, input, kernel_size, stride, padding, dilation, ceil_mode));
}
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const DimList& kernel_size,
                                                   const DimList& stride, const DimList& padding,
                                                   const DimList& dilation, bool ceil_mode) {
  return max_pool_nd(2, input, kernel_size, stride, padding, dilation, ceil_mode);
}
Tensor avg_pool1d(const Tensor& input, const DimList& kernel_size, const DimList& stride, const DimList& padding,
                  bool ceil_mode, bool count_include_pad) {
  return avg_pool_nd(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, std::nullopt);
}
Tensor avg_pool2d(const Tensor& input, const DimList& kernel_size, const DimList& stride, const DimList& padding,
                  bool ceil_mode, bool count_include_pad, std::optional<int64_t> divisor_override) {
  return avg_pool_nd(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
}
Tensor adaptive_avg_pool1d(const Tensor& input, const DimList& output_size) {
  return adaptive_avg_nd(1, input, output_size);
}
Tensor adaptive_avg_pool2d(const Tensor& input, const DimList& output_size) {
  return adaptive_avg_nd(2, input, output_size);
}
Tensor adaptive_max_pool1d(const Tensor& input, const DimList& output_size) {
  return std::get<0>(adaptive_max_nd(1, input, output_size));
}
std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input, const DimList& output_size) {
  return adaptive_max_nd(1, input, output_size);
}
Tensor adaptive_max_pool2d(const Tensor& input, const DimList& output_size) {
  return std::get<0>(adaptive_max_nd(2, input, output_size));
}
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, const DimList& output_size) {
  return adaptive_max_nd(2, input, output_size);
}
Tensor max_unpool1d(const Tensor& input, const Tensor& indices, const DimList& kernel_size, const DimList& stride,
                    const DimList& padding, const DimList& output_size) {
  return max_unpool_nd(1, input, indices, kernel_size, stride, padding, output_size);
}
Tensor max_unpool2d(const Tensor& input, const Tensor& indices, const DimList& kernel_size, const DimList& stride,
                    const DimList& padding, const DimList& output_size) {
  return max_unpool_nd(2, input, indices, kernel_size, stride, padding, output_size);
}

}  // namespace fluxion::nn::functional
