// Convolutions (torch.nn.functional.conv1d/2d/3d, conv_transpose1d/2d/3d, torch.nn.grad).
// Layout NCHW (N, C, *spatial); an input without the batch dim (C, *spatial) is accepted as in
// PyTorch. f32 and f64 compute natively, f16/bf16 through f32. All ops are differentiable to any
// order (the backward of a convolution is a transposed convolution and a weight-gradient
// convolution, each itself differentiable) and support forward mode.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>

#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// Convolution padding: an integer for every spatial dim (`1`), one per dim (`{1, 2}`), or the
/// strings "same" (output size = input size; stride 1 only) and "valid" (no padding).
class ConvPadding {
 public:
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  ConvPadding(T p) : values_(static_cast<int64_t>(p)) {}         // NOLINT: implicit like LibTorch
  ConvPadding(std::initializer_list<int64_t> p) : values_(p) {}  // NOLINT
  ConvPadding(const DimList& p) : values_(p) {}                  // NOLINT
  ConvPadding(const char* mode) : mode_(mode) {}                 // NOLINT
  ConvPadding(std::string mode) : mode_(std::move(mode)) {}      // NOLINT
  bool is_mode() const { return !mode_.empty(); }
  const std::string& mode() const { return mode_; }
  const DimList& values() const { return values_; }

 private:
  DimList values_;
  std::string mode_;
};

/// 1-d convolution: input (N, C_in, L), weight (C_out, C_in / groups, kL), bias (C_out) or undefined.
/// A one-element stride/padding/dilation applies to every spatial dim.
Tensor conv1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), const DimList& stride = 1,
              const ConvPadding& padding = 0, const DimList& dilation = 1, int64_t groups = 1);
/// 2-d convolution: input (N, C_in, H, W), weight (C_out, C_in / groups, kH, kW).
Tensor conv2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), const DimList& stride = 1,
              const ConvPadding& padding = 0, const DimList& dilation = 1, int64_t groups = 1);
/// 3-d convolution: input (N, C_in, D, H, W), weight (C_out, C_in / groups, kD, kH, kW).
Tensor conv3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(), const DimList& stride = 1,
              const ConvPadding& padding = 0, const DimList& dilation = 1, int64_t groups = 1);

/// Transposed 1-d convolution (the gradient of conv1d w.r.t. its input): input (N, C_in, L),
/// weight (C_in, C_out / groups, kL). Output length (L - 1) * stride - 2 * padding +
/// dilation * (kL - 1) + output_padding + 1.
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        const DimList& stride = 1, const DimList& padding = 0, const DimList& output_padding = 0,
                        int64_t groups = 1, const DimList& dilation = 1);
/// Transposed 2-d convolution: input (N, C_in, H, W), weight (C_in, C_out / groups, kH, kW).
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        const DimList& stride = 1, const DimList& padding = 0, const DimList& output_padding = 0,
                        int64_t groups = 1, const DimList& dilation = 1);
/// Transposed 3-d convolution: input (N, C_in, D, H, W), weight (C_in, C_out / groups, kD, kH, kW).
Tensor conv_transpose3d(const Tensor& input, const Tensor& weight, const Tensor& bias = Tensor(),
                        const DimList& stride = 1, const DimList& padding = 0, const DimList& output_padding = 0,
                        int64_t groups = 1, const DimList& dilation = 1);

/// Gradient of an N-d convolution (N = weight.dim() - 2) w.r.t. its input of sizes `input_size`
/// (torch.nn.grad.conv2d_input): a transposed convolution of grad_output with weight.
Tensor conv_input_grad(const Shape& input_size, const Tensor& weight, const Tensor& grad_output,
                       const DimList& stride = 1, const DimList& padding = 0, const DimList& dilation = 1,
                       int64_t groups = 1);
/// Gradient of an N-d convolution w.r.t. its weight of sizes `weight_size` (torch.nn.grad.conv2d_weight).
Tensor conv_weight_grad(const Tensor& input, const Shape& weight_size, const Tensor& grad_output,
                        const DimList& stride = 1, const DimList& padding = 0, const DimList& dilation = 1,
                        int64_t groups = 1);

}  // namespace fluxion::nn::functional
