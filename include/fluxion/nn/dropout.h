// Dropout modules: active in train() mode, the identity in eval() mode.
#pragma once

#include "fluxion/nn/functional/dropout.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

struct DropoutOptions {
  /* implicit */ DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: Dropout(0.2) reads naturally
  FX_ARG(double, p);
  FX_ARG(bool, inplace) = false;
};

/// Shared base: holds p, checks it, prints "Name(p=..., inplace=...)".
class DropoutBase : public ModuleImpl {
 public:
  explicit DropoutBase(const DropoutOptions& options, const char* name);
  std::string name() const override { return name_; }
  void pretty_print(std::ostream& os) const override;
  DropoutOptions options;

 private:
  const char* name_;
};

/// Zeroes elements with probability p and scales the rest by 1 / (1 - p).
class DropoutImpl : public DropoutBase {
 public:
  explicit DropoutImpl(const DropoutOptions& options = {}) : DropoutBase(options, "Dropout") {}
  Tensor forward(const Tensor& x) override;
};
FX_MODULE(Dropout);

/// Zeroes whole channels of (N, C, L).
class Dropout1dImpl : public DropoutBase {
 public:
  explicit Dropout1dImpl(const DropoutOptions& options = {}) : DropoutBase(options, "Dropout1d") {}
  Tensor forward(const Tensor& x) override;
};
FX_MODULE(Dropout1d);

/// Zeroes whole channels of (N, C, H, W).
class Dropout2dImpl : public DropoutBase {
 public:
  explicit Dropout2dImpl(const DropoutOptions& options = {}) : DropoutBase(options, "Dropout2d") {}
  Tensor forward(const Tensor& x) override;
};
FX_MODULE(Dropout2d);

/// Zeroes whole channels of (N, C, D, H, W).
class Dropout3dImpl : public DropoutBase {
 public:
  explicit Dropout3dImpl(const DropoutOptions& options = {}) : DropoutBase(options, "Dropout3d") {}
  Tensor forward(const Tensor& x) override;
};
FX_MODULE(Dropout3d);

/// Dropout for SELU networks (keeps zero mean and unit variance).
class AlphaDropoutImpl : public DropoutBase {
 public:
  explicit AlphaDropoutImpl(const DropoutOptions& options = {}) : DropoutBase(options, "AlphaDropout") {}
  Tensor forward(const Tensor& x) override;
};
FX_MODULE(AlphaDropout);

/// Alpha dropout of whole channels.
class FeatureAlphaDropoutImpl : public DropoutBase {
 public:
  explicit FeatureAlphaDropoutImpl(const DropoutOptions& options = {}) : DropoutBase(options, "FeatureAlphaDropout") {}
  Tensor forward(const Tensor& x) override;
};
FX_MODULE(FeatureAlphaDropout);

}  // namespace fluxion::nn
