// Normalisation layers (torch.nn): BatchNorm1d/2d/3d, LayerNorm, GroupNorm, InstanceNorm1d/2d,
// LocalResponseNorm. Parameter and buffer names and defaults are PyTorch's (weight, bias,
// running_mean, running_var, num_batches_tracked), so state dicts map one to one.
#pragma once

#include <cstdint>
#include <optional>

#include "fluxion/nn/functional/normalization.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

/// Options of BatchNorm{1,2,3}d. momentum = std::nullopt uses a cumulative moving average
/// (factor 1 / num_batches_tracked), as PyTorch's momentum=None.
struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT
  FX_ARG(int64_t, num_features);
  FX_ARG(double, eps) = 1e-5;
  FX_ARG(std::optional<double>, momentum) = 0.1;
  FX_ARG(bool, affine) = true;
  FX_ARG(bool, track_running_stats) = true;
};

/// Common implementation of the batch-norm layers (not used directly).
class BatchNormImplBase : public ModuleImpl {
 public:
  /// Zeroes running_mean and num_batches_tracked, fills running_var with ones.
  void reset_running_stats();
  /// reset_running_stats() and weight = 1, bias = 0.
  void reset_parameters();
  /// "BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)".
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;

  BatchNormOptions options;
  Tensor weight, bias;               // (C) or undefined (affine = false)
  Tensor running_mean, running_var;  // (C) or undefined (track_running_stats = false)
  Tensor num_batches_tracked;        // int64 scalar or undefined

 protected:
  BatchNormImplBase(const BatchNormOptions& options, int dims_lo, int dims_hi);
  int dims_lo_, dims_hi_;  // accepted input ranks
};

/// Batch norm over (N, C) or (N, C, L) inputs.
class BatchNorm1dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm1dImpl(const BatchNormOptions& options) : BatchNormImplBase(options, 2, 3) {}
};
FX_MODULE(BatchNorm1d);

/// Batch norm over (N, C, H, W) inputs.
class BatchNorm2dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm2dImpl(const BatchNormOptions& options) : BatchNormImplBase(options, 4, 4) {}
};
FX_MODULE(BatchNorm2d);

/// Batch norm over (N, C, D, H, W) inputs.
class BatchNorm3dImpl : public BatchNormImplBase {
 public:
  explicit BatchNorm3dImpl(const BatchNormOptions& options) : BatchNormImplBase(options, 5, 5) {}
};
FX_MODULE(BatchNorm3d);

/// Options of InstanceNorm{1,2}d (PyTorch defaults: no affine, no running stats).
struct InstanceNormOptions {
  InstanceNormOptions(int64_t num_features) : num_features_(num_features) {}  // NOLINT
  FX_ARG(int64_t, num_features);
  FX_ARG(double, eps) = 1e-5;
  FX_ARG(double, momentum) = 0.1;
  FX_ARG(bool, affine) = false;
  FX_ARG(bool, track_running_stats) = false;
};

/// Common implementation of the instance-norm layers (not used directly).
class InstanceNormImplBase : public ModuleImpl {
 public:
  void reset_running_stats();
  void reset_parameters();
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;

  InstanceNormOptions options;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  InstanceNormImplBase(const InstanceNormOptions& options, int spatial_dims);
  int spatial_dims_;
};

/// Instance norm over (N, C, L) or unbatched (C, L) inputs.
class InstanceNorm1dImpl : public InstanceNormImplBase {
 public:
  explicit InstanceNorm1dImpl(const InstanceNormOptions& options) : InstanceNormImplBase(options, 1) {}
};
FX_MODULE(InstanceNorm1d);

/// Instance norm over (N, C, H, W) or unbatched (C, H, W) inputs.
class InstanceNorm2dImpl : public InstanceNormImplBase {
 public:
  explicit InstanceNorm2dImpl(const InstanceNormOptions& options) : InstanceNormImplBase(options, 2) {}
};
FX_MODULE(InstanceNorm2d);

/// Options of LayerNorm: the trailing shape to normalise over.
struct LayerNormOptions {
  LayerNormOptions(Shape normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}  // NOLINT
  FX_ARG(Shape, normalized_shape);
  FX_ARG(double, eps) = 1e-5;
  FX_ARG(bool, elementwise_affine) = true;
  FX_ARG(bool, bias) = true;
};

/// Layer norm over the trailing normalized_shape dims, elementwise affine (weight 1, bias 0).
class LayerNormImpl : public ModuleImpl {
 public:
  explicit LayerNormImpl(const LayerNormOptions& options);
  void reset_parameters();
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  LayerNormOptions options;
  Tensor weight, bias;
};
FX_MODULE(LayerNorm);

/// Options of GroupNorm.
struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels) : num_groups_(num_groups), num_channels_(num_channels) {}
  FX_ARG(int64_t, num_groups);
  FX_ARG(int64_t, num_channels);
  FX_ARG(double, eps) = 1e-5;
  FX_ARG(bool, affine) = true;
};

/// Group norm: statistics per (sample, channel group), per-channel affine.
class GroupNormImpl : public ModuleImpl {
 public:
  GroupNormImpl(int64_t num_groups, int64_t num_channels) : GroupNormImpl(GroupNormOptions(num_groups, num_channels)) {}
  explicit GroupNormImpl(const GroupNormOptions& options);
  void reset_parameters();
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  GroupNormOptions options;
  Tensor weight, bias;
};
FX_MODULE(GroupNorm);

/// Options of LocalResponseNorm.
struct LocalResponseNormOptions {
  LocalResponseNormOptions(int64_t size) : size_(size) {}  // NOLINT
  FX_ARG(int64_t, size);
  FX_ARG(double, alpha) = 1e-4;
  FX_ARG(double, beta) = 0.75;
  FX_ARG(double, k) = 1.0;
};

/// Local response normalisation across channels (AlexNet).
class LocalResponseNormImpl : public ModuleImpl {
 public:
  explicit LocalResponseNormImpl(const LocalResponseNormOptions& options) : options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  LocalResponseNormOptions options;
};
FX_MODULE(LocalResponseNorm);

}  // namespace fluxion::nn
