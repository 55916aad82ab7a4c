// RAdam: Adam with a rectified adaptive learning rate (torch.optim.RAdam).
#pragma once

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct RAdamOptions : public OptimizerCloneableOptions<RAdamOptions> {
  static constexpr const char* kName = "RAdam";
  RAdamOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(Betas, betas) = {0.9, 0.999};
  FX_OPTIM_ARG(double, eps) = 1e-8;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(bool, decoupled_weight_decay) = false;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

struct RAdamParamState : public OptimizerCloneableParamState<RAdamParamState> {
  static constexpr const char* kName = "RAdam";
  int64_t step = 0;
  Tensor exp_avg, exp_avg_sq;
  std::vector<detail::StateField> fields() {
    return {{"step", &step}, {"exp_avg", &exp_avg}, {"exp_avg_sq", &exp_avg_sq}};
  }
};

class RAdam : public Optimizer {
 public:
  explicit RAdam(std::vector<Tensor> params, const RAdamOptions& defaults = {});
  explicit RAdam(std::vector<OptimizerParamGroup> groups, const RAdamOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return std::make_unique<RAdamParamState>(); }
};

}  // namespace fluxion::optim
