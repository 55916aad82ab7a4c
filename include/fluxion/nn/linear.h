// Linear layers and shape utilities: Identity, Linear, Bilinear, Flatten, Unflatten.
#pragma once

#include <cstdint>

#include "fluxion/nn/functional/linear.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

/// Returns its input unchanged (a placeholder, e.g. to remove a classifier head).
class IdentityImpl : public ModuleImpl {
 public:
  IdentityImpl() = default;
  std::string name() const override { return "Identity"; }
  Tensor forward(const Tensor& x) override { return x; }
};
FX_MODULE(Identity);

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  FX_ARG(int64_t, in_features);
  FX_ARG(int64_t, out_features);
  FX_ARG(bool, bias) = true;
};

/// y = x W^T + b. weight (out, in) ~ kaiming_uniform(a = sqrt(5)), bias (out) ~ U(-1/sqrt(in), 1/sqrt(in)).
class LinearImpl : public ModuleImpl {
 public:
  LinearImpl(int64_t in_features, int64_t out_features, bool bias = true)
      : LinearImpl(LinearOptions(in_features, out_features).bias(bias)) {}
  explicit LinearImpl(const LinearOptions& options);
  std::string name() const override { return "Linear"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  /// Re-draws weight and bias with PyTorch's default initialisation.
  void reset_parameters();

  LinearOptions options;
  Tensor weight;  // (out_features, in_features)
  Tensor bias;    // (out_features) or undefined
};
FX_MODULE(Linear);

struct BilinearOptions {
  BilinearOptions(int64_t in1_features, int64_t in2_features, int64_t out_features)
      : in1_features_(in1_features), in2_features_(in2_features), out_features_(out_features) {}
  FX_ARG(int64_t, in1_features);
  FX_ARG(int64_t, in2_features);
  FX_ARG(int64_t, out_features);
  FX_ARG(bool, bias) = true;
};

/// y_o = x1^T A_o x2 + b_o. weight (out, in1, in2) and bias ~ U(-1/sqrt(in1), 1/sqrt(in1)).
class BilinearImpl : public ModuleImpl {
 public:
  BilinearImpl(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias = true)
      : BilinearImpl(BilinearOptions(in1_features, in2_features, out_features).bias(bias)) {}
  explicit BilinearImpl(const BilinearOptions& options);
  std::string name() const override { return "Bilinear"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x1, const Tensor& x2);
  void reset_parameters();

  BilinearOptions options;
  Tensor weight;  // (out, in1, in2)
  Tensor bias;    // (out) or undefined
};
FX_MODULE(Bilinear);

/// Flattens dims start_dim..end_dim into one (default: everything but the batch dim).
class FlattenImpl : public ModuleImpl {
 public:
  explicit FlattenImpl(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  std::string name() const override { return "Flatten"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return x.flatten(start_dim, end_dim); }
  int64_t start_dim, end_dim;
};
FX_MODULE(Flatten);

/// Splits dim `dim` into `sizes` (one entry may be -1).
class UnflattenImpl : public ModuleImpl {
 public:
  UnflattenImpl(int64_t dim, Shape sizes) : dim(dim), sizes(std::move(sizes)) {}
  std::string name() const override { return "Unflatten"; }
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override { return x.unflatten(dim, sizes); }
  int64_t dim;
  Shape sizes;
};
FX_MODULE(Unflatten);

}  // namespace fluxion::nn
