// Pooling layers: MaxPool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d,
// MaxUnpool1d/2d (torch.nn), with LibTorch-style options: MaxPool2d(MaxPool2dOptions(2).stride(2)).
#pragma once

#include <cstdint>
#include <optional>
#include <tuple>

#include "fluxion/nn/functional/pooling.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

/// Options of MaxPool{1,2}d (stride defaults to kernel_size).
template <int D>
struct MaxPoolOptions {
  MaxPoolOptions(DimList kernel_size) : kernel_size_(std::move(kernel_size)) {}  // NOLINT
  FX_ARG(DimList, kernel_size);
  FX_ARG(DimList, stride);
  FX_ARG(DimList, padding) = 0;
  FX_ARG(DimList, dilation) = 1;
  FX_ARG(bool, ceil_mode) = false;
};
using MaxPool1dOptions = MaxPoolOptions<1>;
using MaxPool2dOptions = MaxPoolOptions<2>;

/// Options of AvgPool{1,2}d (divisor_override: 2-d only).
template <int D>
struct AvgPoolOptions {
  AvgPoolOptions(DimList kernel_size) : kernel_size_(std::move(kernel_size)) {}  // NOLINT
  FX_ARG(DimList, kernel_size);
  FX_ARG(DimList, stride);
  FX_ARG(DimList, padding) = 0;
  FX_ARG(bool, ceil_mode) = false;
  FX_ARG(bool, count_include_pad) = true;
  FX_ARG(std::optional<int64_t>, divisor_override);
};
using AvgPool1dOptions = AvgPoolOptions<1>;
using AvgPool2dOptions = AvgPoolOptions<2>;

/// Options of MaxUnpool{1,2}d.
template <int D>
struct MaxUnpoolOptions {
  MaxUnpoolOptions(DimList kernel_size) : kernel_size_(std::move(kernel_size)) {}  // NOLINT
  FX_ARG(DimList, kernel_size);
  FX_ARG(DimList, stride);
  FX_ARG(DimList, padding) = 0;
};
using MaxUnpool1dOptions = MaxUnpoolOptions<1>;
using MaxUnpool2dOptions = MaxUnpoolOptions<2>;

/// Max pooling over (N, C, L) inputs.
class MaxPool1dImpl : public ModuleImpl {
 public:
  explicit MaxPool1dImpl(const MaxPool1dOptions& options) : options(options) {}
  /// Shorthand for MaxPool1dOptions(kernel_size) with the other options at their defaults.
  explicit MaxPool1dImpl(DimList kernel_size) : options(std::move(kernel_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  /// Output and the indices of the maxima (for MaxUnpool1d).
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& x);
  MaxPool1dOptions options;
};
FX_MODULE(MaxPool1d);

/// Max pooling over (N, C, H, W) inputs.
class MaxPool2dImpl : public ModuleImpl {
 public:
  explicit MaxPool2dImpl(const MaxPool2dOptions& options) : options(options) {}
  /// Shorthand for MaxPool2dOptions(kernel_size) with the other options at their defaults.
  explicit MaxPool2dImpl(DimList kernel_size) : options(std::move(kernel_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  /// Output and the indices of the maxima (for MaxUnpool2d).
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& x);
  MaxPool2dOptions options;
};
FX_MODULE(MaxPool2d);

/// Average pooling over (N, C, L) inputs.
class AvgPool1dImpl : public ModuleImpl {
 public:
  explicit AvgPool1dImpl(const AvgPool1dOptions& options) : options(options) {}
  /// Shorthand for AvgPool1dOptions(kernel_size) with the other options at their defaults.
  explicit AvgPool1dImpl(DimList kernel_size) : options(std::move(kernel_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  AvgPool1dOptions options;
};
FX_MODULE(AvgPool1d);

/// Average pooling over (N, C, H, W) inputs.
class AvgPool2dImpl : public ModuleImpl {
 public:
  explicit AvgPool2dImpl(const AvgPool2dOptions& options) : options(options) {}
  /// Shorthand for AvgPool2dOptions(kernel_size) with the other options at their defaults.
  explicit AvgPool2dImpl(DimList kernel_size) : options(std::move(kernel_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  AvgPool2dOptions options;
};
FX_MODULE(AvgPool2d);

/// Average pooling to a fixed output length.
class AdaptiveAvgPool1dImpl : public ModuleImpl {
 public:
  explicit AdaptiveAvgPool1dImpl(DimList output_size) : output_size(std::move(output_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  DimList output_size;
};
FX_MODULE(AdaptiveAvgPool1d);

/// Average pooling to a fixed (OH, OW) (-1 keeps that input size), e.g. AdaptiveAvgPool2d({1, 1}).
class AdaptiveAvgPool2dImpl : public ModuleImpl {
 public:
  explicit AdaptiveAvgPool2dImpl(DimList output_size) : output_size(std::move(output_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  DimList output_size;
};
FX_MODULE(AdaptiveAvgPool2d);

/// Max pooling to a fixed output length.
class AdaptiveMaxPool1dImpl : public ModuleImpl {
 public:
  explicit AdaptiveMaxPool1dImpl(DimList output_size) : output_size(std::move(output_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& x);
  DimList output_size;
};
FX_MODULE(AdaptiveMaxPool1d);

/// Max pooling to a fixed (OH, OW) (-1 keeps that input size).
class AdaptiveMaxPool2dImpl : public ModuleImpl {
 public:
  explicit AdaptiveMaxPool2dImpl(DimList output_size) : output_size(std::move(output_size)) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& x);
  DimList output_size;
};
FX_MODULE(AdaptiveMaxPool2d);

/// Partial inverse of MaxPool1d: forward(values, indices[, output_size]).
class MaxUnpool1dImpl : public ModuleImpl {
 public:
  explicit MaxUnpool1dImpl(const MaxUnpool1dOptions& options) : options(options) {}
  /// Shorthand for MaxUnpool1dOptions(kernel_size) with the other options at their defaults.
  explicit MaxUnpool1dImpl(DimList kernel_size) : options(std::move(kernel_size)) {}
  void pretty_print(std::ostream& os) const override;
  using ModuleImpl::forward;
  Tensor forward(const Tensor& x, const Tensor& indices, const DimList& output_size = {});
  MaxUnpool1dOptions options;
};
FX_MODULE(MaxUnpool1d);

/// Partial inverse of MaxPool2d: forward(values, indices[, output_size]).
class MaxUnpool2dImpl : public ModuleImpl {
 public:
  explicit MaxUnpool2dImpl(const MaxUnpool2dOptions& options) : options(options) {}
  /// Shorthand for MaxUnpool2dOptions(kernel_size) with the other options at their defaults.
  explicit MaxUnpool2dImpl(DimList kernel_size) : options(std::move(kernel_size)) {}
  void pretty_print(std::ostream& os) const override;
  using ModuleImpl::forward;
  Tensor forward(const Tensor& x, const Tensor& indices, const DimList& output_size = {});
  MaxUnpool2dOptions options;
};
FX_MODULE(MaxUnpool2d);

}  // namespace fluxion::nn
