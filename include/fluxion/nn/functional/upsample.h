// Resizing (torch.nn.functional.interpolate): modes "nearest", "nearest-exact", "linear"
// ((N, C, L) inputs), "bilinear" ((N, C, H, W) inputs) with or without align_corners, and "area"
// (adaptive average pooling). Index and weight arithmetic follows PyTorch's CPU kernels exactly.
// Differentiable to any order (the resampling is linear), with forward mode.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// Options of interpolate, builder style as LibTorch's InterpolateFuncOptions:
///   interpolate(x, InterpolateOptions().size({8, 8}).mode("bilinear").align_corners(false))
class InterpolateOptions {
 public:
  /// Output spatial size (one value for every spatial dim, or one per dim).
  InterpolateOptions& size(std::vector<int64_t> s) {
    size_ = std::move(s);
    return *this;
  }
  /// Multiplier of the spatial size (one value or one per dim); output = floor(input * factor).
  InterpolateOptions& scale_factor(std::vector<double> s) {
    scale_factor_ = std::move(s);
    return *this;
  }
  InterpolateOptions& mode(std::string m) {
    mode_ = std::move(m);
    return *this;
  }
  /// Linear modes only: align the corner pixels' centres of input and output.
  InterpolateOptions& align_corners(bool a) {
    align_corners_ = a;
    return *this;
  }
  /// With scale_factor: compute the sampling scale from the output size instead of the factor.
  InterpolateOptions& recompute_scale_factor(bool r) {
    recompute_scale_factor_ = r;
    return *this;
  }
  const std::optional<std::vector<int64_t>>& size() const { return size_; }
  const std::optional<std::vector<double>>& scale_factor() const { return scale_factor_; }
  const std::string& mode() const { return mode_; }
  const std::optional<bool>& align_corners() const { return align_corners_; }
  const std::optional<bool>& recompute_scale_factor() const { return recompute_scale_factor_; }

 private:
  std::optional<std::vector<int64_t>> size_;
  std::optional<std::vector<double>> scale_factor_;
  std::string mode_ = "nearest";
  std::optional<bool> align_corners_;
  std::optional<bool> recompute_scale_factor_;
};

/// Resizes a (N, C, L) or (N, C, H, W) input (see InterpolateOptions).
Tensor interpolate(const Tensor& input, const InterpolateOptions& options);

}  // namespace fluxion::nn::functional
