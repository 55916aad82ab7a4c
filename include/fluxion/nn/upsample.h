// Upsample layer (torch.nn.Upsample): Upsample(UpsampleOptions().scale_factor({2, 2}).mode("bilinear")).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fluxion/nn/functional/upsample.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

/// Options of Upsample: exactly one of size / scale_factor; mode "nearest" (default),
/// "nearest-exact", "linear", "bilinear" or "area"; align_corners for the linear modes.
struct UpsampleOptions {
  FX_ARG(std::optional<std::vector<int64_t>>, size);
  FX_ARG(std::optional<std::vector<double>>, scale_factor);
  FX_ARG(std::string, mode) = "nearest";
  FX_ARG(std::optional<bool>, align_corners);
};

/// Resizes (N, C, L) or (N, C, H, W) inputs with functional::interpolate.
class UpsampleImpl : public ModuleImpl {
 public:
  explicit UpsampleImpl(const UpsampleOptions& options = {}) : options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& x) override;
  UpsampleOptions options;
};
FX_MODULE(Upsample);

}  // namespace fluxion::nn
