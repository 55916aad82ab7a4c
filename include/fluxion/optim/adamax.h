// Adamax: Adam with an infinity-norm second moment (torch.optim.Adamax).
#pragma once

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct AdamaxOptions : public OptimizerCloneableOptions<AdamaxOptions> {
  static constexpr const char* kName = "Adamax";
  AdamaxOptions(double lr = 2e-3) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(Betas, betas) = {0.9, 0.999};
  FX_OPTIM_ARG(double, eps) = 1e-8;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

struct AdamaxParamState : public OptimizerCloneableParamState<AdamaxParamState> {
  static constexpr const char* kName = "Adamax";
  int64_t step = 0;
  Tensor exp_avg, exp_inf;
  std::vector<detail::StateField> fields() { return {{"step", &step}, {"exp_avg", &exp_avg}, {"exp_inf", &exp_inf}}; }
};

class Adamax : public Optimizer {
 public:
  explicit Adamax(std::vector<Tensor> params, const AdamaxOptions& defaults = {});
  explicit Adamax(std::vector<OptimizerParamGroup> groups, const AdamaxOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override {
    return std::make_unique<AdamaxParamState>();
  }
};

}  // namespace fluxion::optim
