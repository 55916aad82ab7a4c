// Kernel tables for the neural-network primitives: convolution (forward, backward-input,
// backward-weight), window pooling (max with indices, average forward/backward), index
// scatter (max-pool backward, max-unpool), separable resampling (nearest/linear interpolation
// forward/backward) and normalisation (per-channel statistics, normalise + affine, fused
// backward). Keyed by the device and the dtype of the floating inputs (f32 and f64 on CPU; the op
// layer computes f16/bf16 through f32).
//
// Every tensor handed to these kernels is contiguous and already allocated by the op layer with
// the documented shape; kernels never allocate outputs and never know about autograd.
#pragma once

#include <cstdint>
#include <vector>

#include "fluxion/tensor.h"
#include "kernels/dispatch.h"

namespace fluxion::kernels {

// ---- convolution -------------------------------------------------------------------------------

/// Geometry of an N-d convolution (N = 1, 2, 3), normalised to 3 spatial dims: a 2-d conv has
/// depth 1 (in[0] = out[0] = k[0] = 1, stride/dilation 1, pad 0), a 1-d conv also height 1.
///   x: (batch, in_channels, in[0], in[1], in[2])
///   w: (out_channels, in_channels / groups, k[0], k[1], k[2])
///   y: (batch, out_channels, out[0], out[1], out[2])
struct ConvGeom {
  int64_t batch = 0, in_channels = 0, out_channels = 0, groups = 1;
  int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, k[3] = {1, 1, 1};
  int64_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dil[3] = {1, 1, 1};
};

/// y = conv(x, w) (+ bias[out_channels] when bias is defined).
using ConvForwardFn = void (*)(const Tensor& x, const Tensor& w, const Tensor& bias, const Tensor& y,
                               const ConvGeom& g);
/// gx = d<y, gy>/dx = the transposed convolution of gy with w (gx is overwritten).
using ConvBackwardInputFn = void (*)(const Tensor& gy, const Tensor& w, const Tensor& gx, const ConvGeom& g);
/// gw = d<y, gy>/dw (gw is overwritten).
using ConvBackwardWeightFn = void (*)(const Tensor& x, const Tensor& gy, const Tensor& gw, const ConvGeom& g);

FX_DECLARE_KERNEL(conv_forward_kernel, ConvForwardFn);
FX_DECLARE_KERNEL(conv_backward_input_kernel, ConvBackwardInputFn);
FX_DECLARE_KERNEL(conv_backward_weight_kernel, ConvBackwardWeightFn);

// ---- window pooling ----------------------------------------------------------------------------

/// The windows of a 2-d pooling over planes (P, H, W) -> (P, OH, OW); 1-d pooling uses H = 1.
/// Output row oh reads input rows h_first[oh] + i * h_step for i < h_count[oh] (all in range; a
/// count may be 0 only for average pooling); likewise for columns. Average pooling divides by
/// divisor_override when it is > 0, else by h_div[oh] * w_div[ow].
struct PoolWindows {
  int64_t H = 1, W = 1, OH = 1, OW = 1;
  int64_t h_step = 1, w_step = 1;
  std::vector<int64_t> h_first, h_count, w_first, w_count;
  std::vector<double> h_div, w_div;
  double divisor_override = 0;
};

/// y[p, oh, ow] = max over the window, idx = its flat position ih * W + iw (first maximum wins,
/// NaN propagates, as PyTorch). idx is int64.
using MaxPoolFn = void (*)(const Tensor& x, const Tensor& y, const Tensor& idx, const PoolWindows& win);
/// y = window sums / divisor (forward) or gx = its adjoint applied to gy (backward, overwrites gx).
using AvgPoolFn = void (*)(const Tensor& in, const Tensor& out, const PoolWindows& win);

FX_DECLARE_KERNEL(max_pool_kernel, MaxPoolFn);
FX_DECLARE_KERNEL(avg_pool_forward_kernel, AvgPoolFn);
FX_DECLARE_KERNEL(avg_pool_backward_kernel, AvgPoolFn);

/// Per plane p: out[p, idx[p, l]] (+)= src[p, l] for src/idx (P, L), out (P, M). Indices are
/// checked (throws fluxion::Error naming `op` when out of [0, M)). `out` is not cleared.
using PlaneScatterFn = void (*)(const Tensor& src, const Tensor& idx, const Tensor& out, bool accumulate,
                                const char* op);
FX_DECLARE_KERNEL(plane_scatter_kernel, PlaneScatterFn);

// ---- resampling (interpolate) ------------------------------------------------------------------

/// Separable 2-d linear resampling (P, H, W) -> (P, OH, OW):
///   y[oh, ow] = sum over (a, b) in {0,1}^2 of hw_a[oh] * ww_b[ow] * x[h_a[oh], w_b[ow]]
/// with hw_0 = 1 - h_lambda, hw_1 = h_lambda (likewise for w). Nearest uses lambda 0.
struct ResampleTables {
  int64_t H = 1, W = 1, OH = 1, OW = 1;
  std::vector<int64_t> h0, h1, w0, w1;
  std::vector<double> h_lambda, w_lambda;
};
/// Forward (out = y) or backward (in = gy, out = gx, overwritten).
using ResampleFn = void (*)(const Tensor& in, const Tensor& out, const ResampleTables& t);
FX_DECLARE_KERNEL(resample_forward_kernel, ResampleFn);
FX_DECLARE_KERNEL(resample_backward_kernel, ResampleFn);

// ---- normalisation -----------------------------------------------------------------------------
// Tensors are viewed as (A, C, B): statistics per channel c over the A and B axes. Batch norm is
// (N, C, spatial); layer/group/instance norm use A = 1 and C = the rows being normalised.

/// mean[c] and biased var[c] (both (C), x's dtype; accumulated in double).
using NormStatsFn = void (*)(const Tensor& x, const Tensor& mean, const Tensor& var, int64_t A, int64_t C, int64_t B);
/// y = (x - mean[c]) * rstd[c] * weight[c] + bias[c]; weight/bias may be undefined.
using NormApplyFn = void (*)(const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& weight,
                             const Tensor& bias, const Tensor& y, int64_t A, int64_t C, int64_t B);
/// First-order backward of y = norm(x) (batch statistics) * weight + bias: writes the defined
/// ones among gx, gw, gb. With xhat = (x - mean) * rstd, gh = gy * weight, M = A * B:
///   gx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)),  gw = sum(gy * xhat),  gb = sum(gy).
/// When `stats_are_constant` the statistics are treated as constants (eval mode): gx = rstd * gh.
using NormBackwardFn = void (*)(const Tensor& gy, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                                const Tensor& weight, const Tensor& gx, const Tensor& gw, const Tensor& gb, int64_t A,
                                int64_t C, int64_t B, bool stats_are_constant);
FX_DECLARE_KERNEL(norm_stats_kernel, NormStatsFn);
FX_DECLARE_KERNEL(norm_apply_kernel, NormApplyFn);
FX_DECLARE_KERNEL(norm_backward_kernel, NormBackwardFn);

}  // namespace fluxion::kernels
