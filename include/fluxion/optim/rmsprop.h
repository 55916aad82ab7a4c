// RMSprop with optional centering and momentum (torch.optim.RMSprop).
#pragma once

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct RMSpropOptions : public OptimizerCloneableOptions<RMSpropOptions> {
  static constexpr const char* kName = "RMSprop";
  RMSpropOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(double, alpha) = 0.99;
  FX_OPTIM_ARG(double, eps) = 1e-8;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(double, momentum) = 0;
  FX_OPTIM_ARG(bool, centered) = false;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

struct RMSpropParamState : public OptimizerCloneableParamState<RMSpropParamState> {
  static constexpr const char* kName = "RMSprop";
  int64_t step = 0;
  Tensor square_avg;
  Tensor momentum_buffer;  // momentum > 0 only
  Tensor grad_avg;         // centered only
  std::vector<detail::StateField> fields() {
    return {{"step", &step},
            {"square_avg", &square_avg},
            {"momentum_buffer", &momentum_buffer, false},
            {"grad_avg", &grad_avg, false}};
  }
};

class RMSprop : public Optimizer {
 public:
  explicit RMSprop(std::vector<Tensor> params, const RMSpropOptions& defaults = {});
  explicit RMSprop(std::vector<OptimizerParamGroup> groups, const RMSpropOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override {
    return std::make_unique<RMSpropParamState>();
  }
};

}  // namespace fluxion::optim
