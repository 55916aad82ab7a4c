// Adadelta (torch.optim.Adadelta).
#pragma once

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct AdadeltaOptions : public OptimizerCloneableOptions<AdadeltaOptions> {
  static constexpr const char* kName = "Adadelta";
  AdadeltaOptions(double lr = 1.0) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(double, rho) = 0.9;
  FX_OPTIM_ARG(double, eps) = 1e-6;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

struct AdadeltaParamState : public OptimizerCloneableParamState<AdadeltaParamState> {
  static constexpr const char* kName = "Adadelta";
  int64_t step = 0;
  Tensor square_avg, acc_delta;
  std::vector<detail::StateField> fields() {
    return {{"step", &step}, {"square_avg", &square_avg}, {"acc_delta", &acc_delta}};
  }
};

class Adadelta : public Optimizer {
 public:
  explicit Adadelta(std::vector<Tensor> params, const AdadeltaOptions& defaults = {});
  explicit Adadelta(std::vector<OptimizerParamGroup> groups, const AdadeltaOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override {
    return std::make_unique<AdadeltaParamState>();
  }
};

}  // namespace fluxion::optim
