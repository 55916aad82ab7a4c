// interpolate: nearest / nearest-exact / (bi)linear resampling through one separable 2x2-tap
// kernel (kernels::ResampleTables), plus "area" through adaptive average pooling.
// The resampling is linear: the VJP is the adjoint kernel (resample_adjoint op) whose own VJP is
// the forward resampling, so every derivative order works; JVPs resample the tangent.
// The tables replicate PyTorch's CPU index arithmetic (nearest in float, linear in the input's
// opmath type) so results match bit for bit in most cases.
#include "fluxion/nn/functional/upsample.h"

#include <cmath>
#include <memory>

#include "fluxion/autograd.h"
#include "fluxion/nn/functional/pooling.h"
#include "fluxion/ops/creation.h"
#include "kernels/nn_kernels.h"

namespace fluxion::nn::functional {

namespace {

using kernels::ResampleTables;
using TabPtr = std::shared_ptr<const ResampleTables>;

Tensor dense(const Tensor& t) {
  if (t.is_contiguous()) return t;
  NoGradGuard ng;
  return t.detach().contiguous();
}

struct Axis {
  std::vector<int64_t> i0, i1;
  std::vector<double> lambda;
};

// PyTorch's nearest_idx / nearest-exact index (float arithmetic).
Axis nearest_axis(int64_t in, int64_t out, std::optional<double> scale, bool exact) {
  Axis a;
  const float s =
      scale && *scale > 0 ? static_cast<float>(1.0 / *scale) : static_cast<float>(in) / static_cast<float>(out);
  for (int64_t o = 0; o < out; ++o) {
    int64_t i;
    if (exact) {
      i = std::min(static_cast<int64_t>(std::floor((static_cast<float>(o) + 0.5f) * s)), in - 1);
    } else if (out == in) {
      i = o;
    } else if (out == 2 * in) {
      i = o >> 1;
    } else {
      i = std::min(static_cast<int64_t>(std::floor(static_cast<float>(o) * s)), in - 1);
    }
    a.i0.push_back(i);
    a.i1.push_back(i);
    a.lambda.push_back(0);
  }
  return a;
}

// PyTorch's linear source index and weights, computed in T (float for f32, double for f64).
template <class T>
Axis linear_axis(int64_t in, int64_t out, std::optional<double> scale, bool align_corners) {
  Axis a;
  T s;
  if (align_corners)
    s = out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  else
    s = scale && *scale > 0 ? static_cast<T>(1.0 / *scale) : static_cast<T>(in) / static_cast<T>(out);
  for (int64_t o = 0; o < out; ++o) {
    T real = align_corners ? s * static_cast<T>(o) : s * (static_cast<T>(o) + T(0.5)) - T(0.5);
    if (!align_corners && real < 0) real = 0;
    const int64_t i0 = std::min(static_cast<int64_t>(std::floor(real)), in - 1);
    const T l = std::min(std::max(real - static_cast<T>(i0), T(0)), T(1));
    a.i0.push_back(i0);
    a.i1.push_back(i0 + (i0 < in - 1 ? 1 : 0));
    a.lambda.push_back(static_cast<double>(l));
  }
  return a;
}

Tensor resample_adjoint(const Tensor& gy, const TabPtr& t, const Shape& in_sizes);

Shape with_plane(const Shape& s, int64_t a, int64_t b) {
  Shape r(s.begin(), s.end() - 2);
  r.push_back(a);
  r.push_back(b);
  return r;
}

Tensor resample(const Tensor& x, const TabPtr& t) {
  Tensor y = empty(with_plane(x.sizes(), t->OH, t->OW), x.options());
  if (y.numel() > 0) kernels::resample_forward_kernel.get(x.device().type(), x.dtype())(dense(x), y, *t);
  if (autograd::needs_record({&x})) {
    const Shape in_sizes = x.sizes();
    autograd::record(
        "UpsampleBackward0", {x}, {y},
        [t, in_sizes](const autograd::BackwardArgs& a) { return TensorList{resample_adjoint(a.grad(), t, in_sizes)}; },
        [&](const TensorList& tt) { return TensorList{resample(tt[0], t)}; });
  }
  return y;
}

Tensor resample_adjoint(const Tensor& gy, const TabPtr& t, const Shape& in_sizes) {
  Tensor gx = zeros(in_sizes, gy.options());
  if (gx.numel() > 0 && gy.numel() > 0)
    kernels::resample_backward_kernel.get(gy.device().type(), gy.dtype())(dense(gy), gx, *t);
  if (autograd::needs_record({&gy})) {
    autograd::record(
        "UpsampleBackwardBackward0", {gy}, {gx},
        [t](const autograd::BackwardArgs& a) { return TensorList{resample(a.grad(), t)}; },
        [&](const TensorList& tt) { return TensorList{resample_adjoint(tt[0], t, in_sizes)}; });
  }
  return gx;
}

}  // namespace

Tensor interpolate(const Tensor& input, const InterpolateOptions& o) {
  const std::string op = "interpolate";
  FX_CHECK(input.defined(), op, ": input is undefined");
  const std::string& mode = o.mode();
  FX_CHECK(mode == "nearest" || mode == "nearest-exact" || mode == "linear" || mode == "bilinear" || mode == "area", op,
           ": mode '", mode, "' is not supported (supported: nearest, nearest-exact, linear, bilinear, area)");
  FX_CHECK(input.dim() == 3 || input.dim() == 4, op, ": expected a 3-d (N, C, L) or 4-d (N, C, H, W) input, got ",
           input.dim(), "-d input of size ", input.sizes());
  const int nd = static_cast<int>(input.dim()) - 2;
  if (mode == "linear") FX_CHECK(nd == 1, op, ": got ", input.dim(), "D input, but linear mode needs 3D input");
  if (mode == "bilinear") FX_CHECK(nd == 2, op, ": got ", input.dim(), "D input, but bilinear mode needs 4D input");
  const bool linear = mode == "linear" || mode == "bilinear";
  FX_CHECK(linear || !o.align_corners().has_value(), op,
           ": align_corners option can only be set with the interpolating modes: linear | bilinear");
  FX_CHECK(is_floating_point(input.dtype()), op, ": expected a floating-point input, got ", input.dtype());
  FX_CHECK(o.size().has_value() != o.scale_factor().has_value(), op,
           o.size() ? ": only one of size or scale_factor should be defined"
                    : ": either size or scale_factor should be defined");
  // Output sizes and the scales the kernels use (PyTorch passes the user's factors unless asked to recompute).
  std::vector<int64_t> out(static_cast<size_t>(nd));
  std::vector<std::optional<double>> scales(static_cast<size_t>(nd));
  if (o.size()) {
    const auto& s = *o.size();
    FX_CHECK(s.size() == 1 || static_cast<int>(s.size()) == nd, op, ": size shape must match input shape. Input is ",
             nd, "D, size is ", s.size());
    for (int i = 0; i < nd; ++i) out[static_cast<size_t>(i)] = s.size() == 1 ? s[0] : s[static_cast<size_t>(i)];
  } else {
    const auto& f = *o.scale_factor();
    FX_CHECK(f.size() == 1 || static_cast<int>(f.size()) == nd, op,
             ": scale_factor shape must match input shape. Input is ", nd, "D, scale_factor is ", f.size());
    for (int i = 0; i < nd; ++i) {
      const double fi = f.size() == 1 ? f[0] : f[static_cast<size_t>(i)];
      FX_CHECK(fi > 0 && std::isfinite(fi), op, ": scale_factor must be positive and finite, got ", fi);
      out[static_cast<size_t>(i)] = static_cast<int64_t>(std::floor(static_cast<double>(input.size(2 + i)) * fi));
      if (!o.recompute_scale_factor().value_or(false)) scales[static_cast<size_t>(i)] = fi;
    }
  }
  for (int i = 0; i < nd; ++i)
    FX_CHECK(out[static_cast<size_t>(i)] > 0 && input.size(2 + i) > 0, op,
             ": input and output sizes should be greater than 0, but got input ", input.sizes(), " and output size ",
             out[static_cast<size_t>(i)], " at spatial dim ", i);
  if (mode == "area") {
    DimList os;
    for (int64_t v : out) os.push_back(v);
    return nd == 1 ? adaptive_avg_pool1d(input, os) : adaptive_avg_pool2d(input, os);
  }
  const bool align = o.align_corners().value_or(false);
  const DType dt = input.dtype();
  const bool f64 = dt == kFloat64;
  Tensor x = nd == 1 ? input.unsqueeze(-2) : input;
  if (dt != kFloat32 && dt != kFloat64) x = x.to(kFloat32);
  auto make_axis = [&](int64_t in, int64_t outn, std::optional<double> sc) {
    if (!linear) return nearest_axis(in, outn, sc, mode == "nearest-exact");
    return f64 ? linear_axis<double>(in, outn, sc, align) : linear_axis<float>(in, outn, sc, align);
  };
  const int64_t H = x.size(-2), W = x.size(-1);
  Axis ah = nd == 1 ? Axis{{0}, {0}, {0.0}} : make_axis(H, out[0], scales[0]);
  Axis aw = make_axis(W, out[static_cast<size_t>(nd - 1)], scales[static_cast<size_t>(nd - 1)]);
  auto t = std::make_shared<ResampleTables>();
  t->H = H;
  t->W = W;
  t->OH = static_cast<int64_t>(ah.i0.size());
  t->OW = static_cast<int64_t>(aw.i0.size());
  t->h0 = std::move(ah.i0);
  t->h1 = std::move(ah.i1);
  t->h_lambda = std::move(ah.lambda);
  t->w0 = std::move(aw.i0);
  t->w1 = std::move(aw.i1);
  t->w_lambda = std::move(aw.lambda);
  Tensor y = resample(x, t);
  if (nd == 1) y = y.squeeze(-2);
  return y.dtype() == dt ? y : y.to(dt);
}

}  // namespace fluxion::nn::functional
