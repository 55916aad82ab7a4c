// Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d (torch.nn.Conv2d etc.), with
// LibTorch-style options: Conv2d(Conv2dOptions(1, 6, 5).padding(2).stride(1)).
// Parameters: weight (out, in / groups, *kernel) — (in, out / groups, *kernel) for transposed —
// and bias (out), initialised as PyTorch: kaiming_uniform_(a = sqrt(5)) and U(-1/sqrt(fan_in), ...).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fluxion/nn/functional/conv.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

/// Options of Conv{1,2,3}d. kernel_size/stride/dilation: one value for every spatial dim or one
/// per dim. padding: integer(s) or "same"/"valid". padding_mode: "zeros", "reflect",
/// "replicate" or "circular".
template <int D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  FX_ARG(int64_t, in_channels);
  FX_ARG(int64_t, out_channels);
  FX_ARG(DimList, kernel_size);
  FX_ARG(DimList, stride) = 1;
  FX_ARG(functional::ConvPadding, padding) = 0;
  FX_ARG(DimList, dilation) = 1;
  FX_ARG(int64_t, groups) = 1;
  FX_ARG(bool, bias) = true;
  FX_ARG(std::string, padding_mode) = "zeros";
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;
using Conv3dOptions = ConvOptions<3>;

/// Options of ConvTranspose{1,2,3}d (padding_mode "zeros" only, as PyTorch).
template <int D>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(std::move(kernel_size)) {}
  FX_ARG(int64_t, in_channels);
  FX_ARG(int64_t, out_channels);
  FX_ARG(DimList, kernel_size);
  FX_ARG(DimList, stride) = 1;
  FX_ARG(DimList, padding) = 0;
  FX_ARG(DimList, output_padding) = 0;
  FX_ARG(int64_t, groups) = 1;
  FX_ARG(bool, bias) = true;
  FX_ARG(DimList, dilation) = 1;
  FX_ARG(std::string, padding_mode) = "zeros";
};
using ConvTranspose1dOptions = ConvTransposeOptions<1>;
using ConvTranspose2dOptions = ConvTransposeOptions<2>;
using ConvTranspose3dOptions = ConvTransposeOptions<3>;

namespace detail {
/// What every convolution layer shares, whatever its dimensionality.
struct ConvLayerSpec {
  int nd = 2;
  bool transposed = false;
  int64_t in_channels = 0, out_channels = 0, groups = 1;
  Shape kernel_size, stride, dilation, output_padding;
  functional::ConvPadding padding = 0;
  bool bias = true;
  std::string padding_mode = "zeros";
};
}  // namespace detail

/// Common implementation of the convolution layers (not used directly).
class ConvNdImpl : public ModuleImpl {
 public:
  /// Re-draws weight and bias with PyTorch's default initialisation.
  void reset_parameters();
  /// PyTorch's repr: "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))".
  void pretty_print(std::ostream& os) const override;

  Tensor weight;  // (out, in / groups, *kernel), transposed: (in, out / groups, *kernel)
  Tensor bias;    // (out) or undefined

 protected:
  explicit ConvNdImpl(detail::ConvLayerSpec spec);
  /// The convolution with this layer's parameters, applying non-zero padding modes first.
  Tensor conv_forward(const Tensor& x);
  /// Transposed convolution; output_size (optional, spatial or full) picks the output padding.
  Tensor conv_transpose_forward(const Tensor& x, const std::vector<int64_t>& output_size);
  detail::ConvLayerSpec spec_;
  std::vector<int64_t> reversed_padding_;  // F.pad list for non-"zeros" padding modes
};

/// 1-d convolution over (N, C_in, L) inputs.
class Conv1dImpl : public ConvNdImpl {
 public:
  Conv1dImpl(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : Conv1dImpl(Conv1dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit Conv1dImpl(const Conv1dOptions& options);
  Tensor forward(const Tensor& x) override { return conv_forward(x); }
  Conv1dOptions options;
};
FX_MODULE(Conv1d);

/// 2-d convolution over (N, C_in, H, W) inputs.
class Conv2dImpl : public ConvNdImpl {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit Conv2dImpl(const Conv2dOptions& options);
  Tensor forward(const Tensor& x) override { return conv_forward(x); }
  Conv2dOptions options;
};
FX_MODULE(Conv2d);

/// 3-d convolution over (N, C_in, D, H, W) inputs.
class Conv3dImpl : public ConvNdImpl {
 public:
  Conv3dImpl(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : Conv3dImpl(Conv3dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit Conv3dImpl(const Conv3dOptions& options);
  Tensor forward(const Tensor& x) override { return conv_forward(x); }
  Conv3dOptions options;
};
FX_MODULE(Conv3d);

/// Transposed 1-d convolution ("deconvolution").
class ConvTranspose1dImpl : public ConvNdImpl {
 public:
  ConvTranspose1dImpl(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : ConvTranspose1dImpl(ConvTranspose1dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit ConvTranspose1dImpl(const ConvTranspose1dOptions& options);
  Tensor forward(const Tensor& x) override { return conv_transpose_forward(x, {}); }
  /// With an explicit output size (resolves the ambiguity of strided transposed convolutions).
  Tensor forward(const Tensor& x, const std::vector<int64_t>& output_size) {
    return conv_transpose_forward(x, output_size);
  }
  ConvTranspose1dOptions options;
};
FX_MODULE(ConvTranspose1d);

/// Transposed 2-d convolution.
class ConvTranspose2dImpl : public ConvNdImpl {
 public:
  ConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : ConvTranspose2dImpl(ConvTranspose2dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit ConvTranspose2dImpl(const ConvTranspose2dOptions& options);
  Tensor forward(const Tensor& x) override { return conv_transpose_forward(x, {}); }
  Tensor forward(const Tensor& x, const std::vector<int64_t>& output_size) {
    return conv_transpose_forward(x, output_size);
  }
  ConvTranspose2dOptions options;
};
FX_MODULE(ConvTranspose2d);

/// Transposed 3-d convolution.
class ConvTranspose3dImpl : public ConvNdImpl {
 public:
  ConvTranspose3dImpl(int64_t in_channels, int64_t out_channels, DimList kernel_size)
      : ConvTranspose3dImpl(ConvTranspose3dOptions(in_channels, out_channels, std::move(kernel_size))) {}
  explicit ConvTranspose3dImpl(const ConvTranspose3dOptions& options);
  Tensor forward(const Tensor& x) override { return conv_transpose_forward(x, {}); }
  Tensor forward(const Tensor& x, const std::vector<int64_t>& output_size) {
    return conv_transpose_forward(x, output_size);
  }
  ConvTranspose3dOptions options;
};
FX_MODULE(ConvTranspose3d);

}  // namespace fluxion::nn
