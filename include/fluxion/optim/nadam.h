// NAdam: Adam with Nesterov momentum and a momentum-decay schedule (torch.optim.NAdam).
#pragma once

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct NAdamOptions : public OptimizerCloneableOptions<NAdamOptions> {
  static constexpr const char* kName = "NAdam";
  NAdamOptions(double lr = 2e-3) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(Betas, betas) = {0.9, 0.999};
  FX_OPTIM_ARG(double, eps) = 1e-8;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(double, momentum_decay) = 4e-3;
  FX_OPTIM_ARG(bool, decoupled_weight_decay) = false;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

struct NAdamParamState : public OptimizerCloneableParamState<NAdamParamState> {
  static constexpr const char* kName = "NAdam";
  int64_t step = 0;
  double mu_product = 1.0;  // product of the momentum schedule so far (kept in double)
  Tensor exp_avg, exp_avg_sq;
  std::vector<detail::StateField> fields() {
    return {{"step", &step}, {"mu_product", &mu_product}, {"exp_avg", &exp_avg}, {"exp_avg_sq", &exp_avg_sq}};
  }
};

class NAdam : public Optimizer {
 public:
  explicit NAdam(std::vector<Tensor> params, const NAdamOptions& defaults = {});
  explicit NAdam(std::vector<OptimizerParamGroup> groups, const NAdamOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return std::make_unique<NAdamParamState>(); }
};

}  // namespace fluxion::optim
