// Convolution ops: conv1d/2d/3d, conv_transpose1d/2d/3d and the two gradient convolutions.
//
// Three primitives, each a kernel call with its VJP and JVP written with the other two, so
// derivatives of any order work (all three are bilinear in their two tensor arguments):
//   conv_fwd(x, w)          y  = x (*) w                          (+ bias)
//   conv_bwd_input(gy, w)   gx = d<y, gy>/dx   (transposed convolution)
//   conv_bwd_weight(x, gy)  gw = d<y, gy>/dw
// with  <conv_fwd(x, w), gy> = <x, conv_bwd_input(gy, w)> = <w, conv_bwd_weight(x, gy)>.
// A transposed convolution is conv_bwd_input with the roles of input and output exchanged.
#include "fluxion/nn/functional/conv.h"

#include <array>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/reduce.h"
#include "kernels/nn_kernels.h"

namespace fluxion::nn::functional {

namespace {

// Stride, padding, dilation and groups of an N-d convolution (N = nd spatial dims).
struct ConvSpec {
  int nd = 2;
  std::array<int64_t, 3> stride{1, 1, 1}, pad{0, 0, 0}, dil{1, 1, 1};
  int64_t groups = 1;
};

// Expands a one-element list to nd values; checks the length otherwise.
std::array<int64_t, 3> expand_arg(const DimList& v, int nd, const char* op, const char* what) {
  FX_CHECK(v.size() == 1 || static_cast<int>(v.size()) == nd, op, ": expected ", what,
           " to be a single integer or a list of ", nd, " integers, got ", static_cast<const Shape&>(v));
  std::array<int64_t, 3> out{0, 0, 0};
  for (int i = 0; i < nd; ++i) out[static_cast<size_t>(i)] = v.size() == 1 ? v[0] : v[static_cast<size_t>(i)];
  return out;
}

// The data of `t` as a contiguous tensor without autograd history (kernels only read it).
Tensor dense(const Tensor& t) {
  if (t.is_contiguous()) return t;
  NoGradGuard ng;
  return t.detach().contiguous();
}

kernels::ConvGeom make_geom(const Shape& xs, const Shape& ws, const Shape& ys, const ConvSpec& s) {
  kernels::ConvGeom g;
  g.batch = xs[0];
  g.in_channels = xs[1];
  g.out_channels = ws[0];
  g.groups = s.groups;
  for (int i = 0; i < s.nd; ++i) {
    const size_t slot = static_cast<size_t>(3 - s.nd + i), d = static_cast<size_t>(2 + i);
    g.in[slot] = xs[d];
    g.out[slot] = ys[d];
    g.k[slot] = ws[d];
    g.stride[slot] = s.stride[static_cast<size_t>(i)];
    g.pad[slot] = s.pad[static_cast<size_t>(i)];
    g.dil[slot] = s.dil[static_cast<size_t>(i)];
  }
  return g;
}

// Output sizes of the forward convolution of x (N, C, *) with w (K, C/g, *k).
Shape conv_out_sizes(const Shape& xs, const Shape& ws, const ConvSpec& s) {
  Shape out{xs[0], ws[0]};
  for (int i = 0; i < s.nd; ++i) {
    const size_t d = static_cast<size_t>(2 + i), j = static_cast<size_t>(i);
    out.push_back((xs[d] + 2 * s.pad[j] - s.dil[j] * (ws[d] - 1) - 1) / s.stride[j] + 1);
  }
  return out;
}

DimList reduce_dims_for_bias(int nd) {
  DimList dims{0};
  for (int i = 0; i < nd; ++i) dims.push_back(2 + i);
  return dims;
}

Tensor bias_view(const Tensor& b, int nd) {
  Shape s{1, b.numel()};
  for (int i = 0; i < nd; ++i) s.push_back(1);
  return b.view(s);
}

Tensor conv_fwd(const Tensor& x, const Tensor& w, const Tensor& b, const ConvSpec& s);
Tensor conv_bwd_input(const Tensor& gy, const Tensor& w, const Shape& x_sizes, const ConvSpec& s);
Tensor conv_bwd_weight(const Tensor& x, const Tensor& gy, const Shape& w_sizes, const ConvSpec& s);

// Note [Batched tensors]: convolutions under vmap run on the physical tensors. When only the
// activations are batched, the vmap batch folds into N; per-example weights, and the weight
// gradient (which is per example), loop over the batch.
Tensor fold_n(const Tensor& phys) {
  Shape s{phys.size(0) * phys.size(1)};
  for (int64_t d = 2; d < phys.dim(); ++d) s.push_back(phys.size(d));
  return phys.reshape(s);
}
Tensor unfold_n(const Tensor& t, int64_t B) {
  Shape s{B, t.size(0) / B};
  for (int64_t d = 1; d < t.dim(); ++d) s.push_back(t.size(d));
  return t.reshape(s);
}
template <class F>
Tensor per_example(int64_t B, const F& f) {
  TensorList ys;
  for (int64_t e = 0; e < B; ++e) ys.push_back(f(e));
  return stack(ys, 0);
}
Tensor pick(const Tensor& phys, int64_t e) { return phys.defined() ? phys.select(0, e) : phys; }
Tensor physical_or_undefined(const Tensor& t, int64_t B) { return t.defined() ? batched::physical(t, B) : t; }

Tensor conv_fwd(const Tensor& x, const Tensor& w, const Tensor& b, const ConvSpec& s) {
  Tensor y;
  if (batched::any_batched({&x, &w, &b})) [[unlikely]] {
    const int64_t B = batched::batch_size({&x, &w, &b});
    if (!batched::is_batched(w) && !batched::is_batched(b)) {
      y = unfold_n(conv_fwd(fold_n(batched::physical(x, B)), batched::plain(w), b.defined() ? batched::plain(b) : b, s),
                   B);
    } else {
      const Tensor px = batched::physical(x, B), pw = batched::physical(w, B), pb = physical_or_undefined(b, B);
      y = per_example(B, [&](int64_t e) { return conv_fwd(px.select(0, e), pw.select(0, e), pick(pb, e), s); });
    }
    y = batched::wrap(y.contiguous());
  } else {
    y = empty(conv_out_sizes(x.sizes(), w.sizes(), s), x.options());
    kernels::conv_forward_kernel.get(x.device().type(), x.dtype())(dense(x), dense(w), b.defined() ? dense(b) : b, y,
                                                                   make_geom(x.sizes(), w.sizes(), y.sizes(), s));
  }
  if (autograd::needs_record({&x, &w, &b})) {
    const Shape xs = x.sizes(), ws = w.sizes();
    autograd::record(
        "ConvolutionBackward0", {x, w, b}, {y}, {x, w},
        [s, xs, ws](const autograd::BackwardArgs& a, const autograd::SavedList& sv) {
          const Tensor& gy = a.grad();
          return TensorList{a.needs(0) ? conv_bwd_input(gy, sv[1], xs, s) : Tensor(),
                            a.needs(1) ? conv_bwd_weight(sv[0], gy, ws, s) : Tensor(),
                            a.needs(2) ? gy.sum(reduce_dims_for_bias(s.nd)) : Tensor()};
        },
        [&](const TensorList& t) {
          Tensor ty = conv_fwd(t[0], w, Tensor(), s) + conv_fwd(x, t[1], Tensor(), s);
          if (t[2].defined()) ty = ty + bias_view(t[2], s.nd);
          return TensorList{ty};
        });
  }
  return y;
}

// The leading `like` sizes of t's spatial dims. A transposed convolution with output_padding >=
// stride runs conv_bwd_input with a gy shorter than conv_fwd of its result: the adjoint of
// "zero-extend gy" is "crop", so the gradients that go back to gy are cropped.
Tensor crop_spatial(Tensor t, const Shape& like) {
  for (int64_t d = 2; d < t.dim(); ++d)
    if (t.size(d) > like[static_cast<size_t>(d)]) t = t.narrow(d, 0, like[static_cast<size_t>(d)]);
  return t;
}

Tensor conv_bwd_input(const Tensor& gy, const Tensor& w, const Shape& x_sizes, const ConvSpec& s) {
  Tensor gx;
  if (batched::any_batched({&gy, &w})) [[unlikely]] {  // Note [Batched tensors]
    const int64_t B = batched::batch_size({&gy, &w});
    if (!batched::is_batched(w)) {
      Shape folded = x_sizes;
      folded[0] *= B;
      gx = unfold_n(conv_bwd_input(fold_n(batched::physical(gy, B)), batched::plain(w), folded, s), B);
    } else {
      const Tensor pg = batched::physical(gy, B), pw = batched::physical(w, B);
      gx = per_example(B, [&](int64_t e) { return conv_bwd_input(pg.select(0, e), pw.select(0, e), x_sizes, s); });
    }
    gx = batched::wrap(gx.contiguous());
  } else {
    gx = empty(x_sizes, gy.options());
    kernels::conv_backward_input_kernel.get(gy.device().type(), gy.dtype())(
        dense(gy), dense(w), gx, make_geom(x_sizes, w.sizes(), gy.sizes(), s));
  }
  if (autograd::needs_record({&gy, &w})) {
    const Shape ws = w.sizes(), gys = gy.sizes();
    autograd::record(
        "ConvolutionBackwardInput0", {gy, w}, {gx}, {gy, w},
        [s, ws, gys](const autograd::BackwardArgs& a, const autograd::SavedList& sv) {
          const Tensor& ggx = a.grad();
          return TensorList{a.needs(0) ? crop_spatial(conv_fwd(ggx, sv[1], Tensor(), s), gys) : Tensor(),
                            a.needs(1) ? conv_bwd_weight(ggx, sv[0], ws, s) : Tensor()};
        },
        [&](const TensorList& t) {
          return TensorList{conv_bwd_input(t[0], w, x_sizes, s) + conv_bwd_input(gy, t[1], x_sizes, s)};
        });
  }
  return gx;
}

Tensor conv_bwd_weight(const Tensor& x, const Tensor& gy, const Shape& w_sizes, const ConvSpec& s) {
  Tensor gw;
  if (batched::any_batched({&x, &gy})) [[unlikely]] {  // Note [Batched tensors]: one per example
    const int64_t B = batched::batch_size({&x, &gy});
    const Tensor px = batched::physical(x, B), pg = batched::physical(gy, B);
    gw = batched::wrap(
        per_example(B, [&](int64_t e) { return conv_bwd_weight(px.select(0, e), pg.select(0, e), w_sizes, s); }));
  } else {
    gw = empty(w_sizes, x.options());
    kernels::conv_backward_weight_kernel.get(x.device().type(), x.dtype())(
        dense(x), dense(gy), gw, make_geom(x.sizes(), w_sizes, gy.sizes(), s));
  }
  if (autograd::needs_record({&x, &gy})) {
    const Shape xs = x.sizes(), gys = gy.sizes();
    autograd::record(
        "ConvolutionBackwardWeight0", {x, gy}, {gw}, {x, gy},
        [s, xs, gys](const autograd::BackwardArgs& a, const autograd::SavedList& sv) {
          const Tensor& ggw = a.grad();
          return TensorList{a.needs(0) ? conv_bwd_input(sv[1], ggw, xs, s) : Tensor(),
                            a.needs(1) ? crop_spatial(conv_fwd(sv[0], ggw, Tensor(), s), gys) : Tensor()};
        },
        [&](const TensorList& t) {
          return TensorList{conv_bwd_weight(t[0], gy, w_sizes, s) + conv_bwd_weight(x, t[1], w_sizes, s)};
        });
  }
  return gw;
}

// ---- argument checking ---------------------------------------------------------------------------

std::string conv_name(int nd, bool transposed) {
  return std::string(transposed ? "conv_transpose" : "conv") + std::to_string(nd) + "d";
}

void check_common(const std::string& op, const Tensor& input, const Tensor& weight, const Tensor& bias, int nd) {
  FX_CHECK(input.defined() && weight.defined(), op, ": input and weight must be defined");
  FX_CHECK(input.device() == weight.device(), op, ": input is on ", input.device(), " but weight is on ",
           weight.device());
  FX_CHECK(is_floating_point(input.dtype()), op, ": expected a floating-point input, got ", input.dtype());
  FX_CHECK(input.dtype() == weight.dtype(), op, ": input type (", input.dtype(), ") and weight type (", weight.dtype(),
           ") should be the same");
  FX_CHECK(weight.dim() == nd + 2, op, ": expected a ", nd + 2, "-d weight (out_channels, in_channels/groups, ",
           nd == 1   ? "kL"
           : nd == 2 ? "kH, kW"
                     : "kD, kH, kW",
           "), got weight of size ", weight.sizes());
  FX_CHECK(input.dim() == nd + 1 || input.dim() == nd + 2, op, ": expected ", nd + 1, "-d (unbatched) or ", nd + 2,
           "-d (batched) input, got input of size ", input.sizes());
  if (bias.defined()) {
    FX_CHECK(bias.device() == input.device(), op, ": input is on ", input.device(), " but bias is on ", bias.device());
    FX_CHECK(bias.dtype() == input.dtype(), op, ": input type (", input.dtype(), ") and bias type (", bias.dtype(),
             ") should be the same");
  }
}

ConvSpec make_spec(const std::string& op, int nd, const DimList& stride, const DimList& padding,
                   const DimList& dilation, int64_t groups) {
  ConvSpec s;
  s.nd = nd;
  s.stride = expand_arg(stride, nd, op.c_str(), "stride");
  s.pad = expand_arg(padding, nd, op.c_str(), "padding");
  s.dil = expand_arg(dilation, nd, op.c_str(), "dilation");
  s.groups = groups;
  FX_CHECK(groups > 0, op, ": groups must be a positive integer, got ", groups);
  for (int i = 0; i < nd; ++i) {
    FX_CHECK(s.stride[static_cast<size_t>(i)] > 0, op, ": stride must be positive, got ",
             static_cast<const Shape&>(stride));
    FX_CHECK(s.dil[static_cast<size_t>(i)] > 0, op, ": dilation must be positive, got ",
             static_cast<const Shape&>(dilation));
    FX_CHECK(s.pad[static_cast<size_t>(i)] >= 0, op, ": padding must be non-negative, got ",
             static_cast<const Shape&>(padding));
  }
  return s;
}

// Runs f on f32 copies of half-precision tensors and casts the result back (f16/bf16 compute
// through f32, as PyTorch's CPU kernels accumulate in f32).
template <class F>
Tensor through_float(const Tensor& input, const Tensor& weight, const Tensor& bias, const F& f) {
  const DType dt = input.dtype();
  if (dt == kFloat32 || dt == kFloat64) return f(input, weight, bias);
  return f(input.to(kFloat32), weight.to(kFloat32), bias.defined() ? bias.to(kFloat32) : bias).to(dt);
}

Tensor conv_nd(int nd, const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
               const ConvPadding& padding, const DimList& dilation, int64_t groups) {
  const std::string op = conv_name(nd, false);
  check_common(op, input, weight, bias, nd);
  const bool batched = input.dim() == nd + 2;
  Tensor x = batched ? input : input.unsqueeze(0);
  // "same": total padding dil * (k - 1) per dim, the odd extra element on the right (as PyTorch).
  DimList pad_values;
  std::vector<int64_t> extra;  // F.pad-style list for asymmetric "same" padding
  bool any_extra = false;
  if (padding.is_mode()) {
    const std::string& mode = padding.mode();
    FX_CHECK(mode == "same" || mode == "valid", op, ": invalid padding string '", mode,
             "', expected one of 'valid' or 'same'");
    const auto dil = expand_arg(dilation, nd, op.c_str(), "dilation");
    const auto st = expand_arg(stride, nd, op.c_str(), "stride");
    for (int i = 0; i < nd; ++i) {
      if (mode == "valid") {
        pad_values.push_back(0);
        continue;
      }
      FX_CHECK(st[static_cast<size_t>(i)] == 1, op, ": padding='same' is not supported for strided convolutions");
      const int64_t total = dil[static_cast<size_t>(i)] * (weight.size(2 + i) - 1);
      pad_values.push_back(total / 2);
      extra.push_back(total % 2);
      any_extra = any_extra || total % 2 != 0;
    }
    if (any_extra) {
      std::vector<int64_t> p;  // last dim first: (left, right) pairs
      for (int i = nd - 1; i >= 0; --i) {
        p.push_back(0);
        p.push_back(extra[static_cast<size_t>(i)]);
      }
      x = fluxion::pad(x, p);
    }
  } else {
    pad_values = padding.values();
  }
  ConvSpec s = make_spec(op, nd, stride, pad_values, dilation, groups);
  const int64_t C = x.size(1), K = weight.size(0);
  FX_CHECK(K % groups == 0, op, ": out_channels (weight.size(0) = ", K, ") must be divisible by groups (", groups, ")");
  FX_CHECK(weight.size(1) * groups == C, op, ": given groups=", groups, ", weight of size ", weight.sizes(),
           ", expected input", input.sizes(), " to have ", weight.size(1) * groups, " channels, but got ", C,
           " channels instead");
  if (bias.defined())
    FX_CHECK(bias.dim() == 1 && bias.size(0) == K, op, ": expected bias of size [", K, "], got ", bias.sizes());
  for (int i = 0; i < nd; ++i) {
    const size_t j = static_cast<size_t>(i);
    const int64_t padded = x.size(2 + i) + 2 * s.pad[j];
    const int64_t eff_k = s.dil[j] * (weight.size(2 + i) - 1) + 1;
    FX_CHECK(padded >= eff_k, op, ": calculated padded input size per channel ", x.size(2 + i), " + 2 * ", s.pad[j],
             " = ", padded, " at spatial dim ", i, " is smaller than the (dilated) kernel size ", eff_k, "; input ",
             input.sizes(), ", weight ", weight.sizes(), ". Kernel size can't be greater than actual input size");
  }
  Tensor y = through_float(x, weight, bias,
                           [&](const Tensor& a, const Tensor& w, const Tensor& b) { return conv_fwd(a, w, b, s); });
  return batched ? y : y.squeeze(0);
}

Tensor conv_transpose_nd(int nd, const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
                         const DimList& padding, const DimList& output_padding, int64_t groups,
                         const DimList& dilation) {
  const std::string op = conv_name(nd, true);
  check_common(op, input, weight, bias, nd);
  const bool batched = input.dim() == nd + 2;
  Tensor x = batched ? input : input.unsqueeze(0);
  ConvSpec s = make_spec(op, nd, stride, padding, dilation, groups);
  const auto opad = expand_arg(output_padding, nd, op.c_str(), "output_padding");
  const int64_t C = x.size(1);
  FX_CHECK(weight.size(0) == C, op, ": given transposed=1, weight of size ", weight.sizes(), ", expected input",
           input.sizes(), " to have ", weight.size(0), " channels, but got ", C, " channels instead");
  FX_CHECK(C % groups == 0, op, ": in_channels (", C, ") must be divisible by groups (", groups, ")");
  const int64_t K = weight.size(1) * groups;
  if (bias.defined())
    FX_CHECK(bias.dim() == 1 && bias.size(0) == K, op, ": expected bias of size [", K, "], got ", bias.sizes());
  Shape out{x.size(0), K};
  for (int i = 0; i < nd; ++i) {
    const size_t j = static_cast<size_t>(i);
    FX_CHECK(opad[j] >= 0 && (opad[j] < s.stride[j] || opad[j] < s.dil[j]), op,
             ": output padding must be smaller than either stride or dilation, got output_padding ",
             static_cast<const Shape&>(output_padding), ", stride ", static_cast<const Shape&>(stride), ", dilation ",
             static_cast<const Shape&>(dilation));
    const int64_t o =
        (x.size(2 + i) - 1) * s.stride[j] - 2 * s.pad[j] + s.dil[j] * (weight.size(2 + i) - 1) + opad[j] + 1;
    FX_CHECK(o > 0, op, ": calculated output size ", o, " at spatial dim ", i, " is too small (input ", input.sizes(),
             ", weight ", weight.sizes(), ")");
    out.push_back(o);
  }
  Tensor y = through_float(x, weight, bias, [&](const Tensor& a, const Tensor& w, const Tensor& b) {
    Tensor r = conv_bwd_input(a, w, out, s);
    return b.defined() ? r + bias_view(b, nd) : r;
  });
  return batched ? y : y.squeeze(0);
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
              const ConvPadding& padding, const DimList& dilation, int64_t groups) {
  return conv_nd(1, input, weight, bias, stride, padding, dilation, groups);
}
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
              const ConvPadding& padding, const DimList& dilation, int64_t groups) {
  return conv_nd(2, input, weight, bias, stride, padding, dilation, groups);
}
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
              const ConvPadding& padding, const DimList& dilation, int64_t groups) {
  return conv_nd(3, input, weight, bias, stride, padding, dilation, groups);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
                        const DimList& padding, const DimList& output_padding, int64_t groups,
                        const DimList& dilation) {
  return conv_transpose_nd(1, input, weight, bias, stride, padding, output_padding, groups, dilation);
}
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
                        const DimList& padding, const DimList& output_padding, int64_t groups,
                        const DimList& dilation) {
  return conv_transpose_nd(2, input, weight, bias, stride, padding, output_padding, groups, dilation);
}
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias, const DimList& stride,
                        const DimList& padding, const DimList& output_padding, int64_t groups,
                        const DimList& dilation) {
  return conv_transpose_nd(3, input, weight, bias, stride, padding, output_padding, groups, dilation);
}

Tensor conv_input_grad(const Shape& input_size, const Tensor& weight, const Tensor& grad_output, const DimList& stride,
                       const DimList& padding, const DimList& dilation, int64_t groups) {
  const int nd = static_cast<int>(weight.dim()) - 2;
  FX_CHECK(nd >= 1 && nd <= 3, "conv_input_grad: expected a 3-d, 4-d or 5-d weight, got ", weight.sizes());
  const std::string op = "conv_input_grad";
  check_common(op, grad_output, weight, Tensor(), nd);
  FX_CHECK(static_cast<int>(input_size.size()) == nd + 2 && grad_output.dim() == nd + 2, op,
           ": expected batched input_size and grad_output with ", nd + 2, " dims, got ", input_size, " and ",
           grad_output.sizes());
  ConvSpec s = make_spec(op, nd, stride, padding, dilation, groups);
  FX_CHECK(input_size[1] == weight.size(1) * groups && weight.size(0) % groups == 0, op, ": input_size ", input_size,
           " does not match weight ", weight.sizes(), " with groups=", groups);
  const Shape expect = conv_out_sizes(input_size, weight.sizes(), s);
  FX_CHECK(expect == grad_output.sizes(), op, ": grad_output has size ", grad_output.sizes(),
           " but the convolution of ", input_size, " with ", weight.sizes(), " gives ", expect);
  return through_float(grad_output, weight, Tensor(), [&](const Tensor& g, const Tensor& w, const Tensor&) {
    return conv_bwd_input(g, w, input_size, s);
  });
}

Tensor conv_weight_grad(const Tensor& input, const Shape& weight_size, const Tensor& grad_output, const DimList& stride,
                        const DimList& padding, const DimList& dilation, int64_t groups) {
  const int nd = static_cast<int>(weight_size.size()) - 2;
  FX_CHECK(nd >= 1 && nd <= 3, "conv_weight_grad: expected weight_size with 3, 4 or 5 dims, got ", weight_size);
  const std::string op = "conv_weight_grad";
  FX_CHECK(input.defined() && grad_output.defined(), op, ": input and grad_output must be defined");
  FX_CHECK(input.dtype() == grad_output.dtype() && is_floating_point(input.dtype()), op,
           ": expected floating input and grad_output of the same dtype, got ", input.dtype(), " and ",
           grad_output.dtype());
  FX_CHECK(input.dim() == nd + 2 && grad_output.dim() == nd + 2, op, ": expected batched input and grad_output with ",
           nd + 2, " dims, got ", input.sizes(), " and ", grad_output.sizes());
  ConvSpec s = make_spec(op, nd, stride, padding, dilation, groups);
  FX_CHECK(input.size(1) == weight_size[1] * groups && weight_size[0] % groups == 0, op, ": input ", input.sizes(),
           " does not match weight_size ", weight_size, " with groups=", groups);
  const Shape expect = conv_out_sizes(input.sizes(), weight_size, s);
  FX_CHECK(expect == grad_output.sizes(), op, ": grad_output has size ", grad_output.sizes(),
           " but the convolution of ", input.sizes(), " with ", weight_size, " gives ", expect);
  return through_float(input, grad_output, Tensor(), [&](const Tensor& x, const Tensor& g, const Tensor&) {
    return conv_bwd_weight(x, g, weight_size, s);
  });
}

}  // namespace fluxion::nn::functional
