// Per-sample transforms on image tensors (CHW float, or HWC uint8 before ToTensor). Each is a
// small callable taking the tensor and a Generator, so random augmentations are reproducible:
// the DataLoader seeds one generator per sample from (seed, epoch, position).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "fluxion/random.h"
#include "fluxion/tensor.h"

namespace fluxion::data {

/// The type every transform converts to: (tensor, generator) -> tensor.
using Transform = std::function<Tensor(const Tensor&, Generator&)>;

/// One uniform double in [0, 1) drawn from `gen` (one Philox counter).
double uniform01(Generator& gen);
/// One integer in [low, high) from `gen`.
int64_t uniform_int(Generator& gen, int64_t low, int64_t high);

namespace transforms {

/// Applies transforms in order.
class Compose {
 public:
  Compose(std::vector<Transform> transforms) : transforms_(std::move(transforms)) {}  // NOLINT
  Tensor operator()(const Tensor& x, Generator& gen) const;

 private:
  std::vector<Transform> transforms_;
};

/// uint8 (H, W, C) or (H, W) in 0..255 -> float32 (C, H, W) in [0, 1]; float input passes through.
class ToTensor {
 public:
  Tensor operator()(const Tensor& x, Generator& gen) const;
};

/// (x - mean[c]) / std[c] per channel of a (C, H, W) tensor; one value applies to every channel.
class Normalize {
 public:
  Normalize(std::vector<double> mean, std::vector<double> std);
  Tensor operator()(const Tensor& x, Generator& gen) const;

 private:
  std::vector<double> mean_, std_;
};

/// Crops a random (h, w) window of (C, H, W) after zero-padding each border by `padding`.
class RandomCrop {
 public:
  RandomCrop(int64_t size, int64_t padding = 0) : RandomCrop(size, size, padding) {}
  RandomCrop(int64_t height, int64_t width, int64_t padding);
  Tensor operator()(const Tensor& x, Generator& gen) const;

 private:
  int64_t h_, w_, padding_;
};

/// Mirrors the last dimension with probability p.
class RandomHorizontalFlip {
 public:
  explicit RandomHorizontalFlip(double p = 0.5) : p_(p) {}
  Tensor operator()(const Tensor& x, Generator& gen) const;

 private:
  double p_;
};

/// The central (h, w) window of (..., H, W).
class CenterCrop {
 public:
  explicit CenterCrop(int64_t size) : CenterCrop(size, size) {}
  CenterCrop(int64_t height, int64_t width) : h_(height), w_(width) {}
  Tensor operator()(const Tensor& x, Generator& gen) const;

 private:
  int64_t h_, w_;
};

/// Bilinear resize of (C, H, W) or (H, W) to (h, w) (half-pixel centres, as align_corners=false).
class Resize {
 public:
  explicit Resize(int64_t size) : Resize(size, size) {}
  Resize(int64_t height, int64_t width) : h_(height), w_(width) {}
  Tensor operator()(const Tensor& x, Generator& gen) const;

 private:
  int64_t h_, w_;
};

/// Rotates (C, H, W) or (H, W) about its centre by an angle drawn uniformly from [min, max] degrees
/// (positive = counter-clockwise), bilinear, zeros outside the source.
class RandomRotation {
 public:
  explicit RandomRotation(double degrees) : RandomRotation(-degrees, degrees) {}
  RandomRotation(double min_degrees, double max_degrees);
  Tensor operator()(const Tensor& x, Generator& gen) const;

 private:
  double min_, max_;
};

/// Wraps a deterministic function of the tensor.
class Lambda {
 public:
  explicit Lambda(std::function<Tensor(const Tensor&)> fn) : fn_(std::move(fn)) {}
  Tensor operator()(const Tensor& x, Generator&) const { return fn_(x); }

 private:
  std::function<Tensor(const Tensor&)> fn_;
};

/// ToTensor without a generator: uint8 HWC image -> float32 CHW in [0, 1].
Tensor to_tensor(const Tensor& image);

}  // namespace transforms
}  // namespace fluxion::data
