// Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay
// (torch.optim.SGD).
#pragma once

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct SGDOptions : public OptimizerCloneableOptions<SGDOptions> {
  static constexpr const char* kName = "SGD";
  SGDOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(double, momentum) = 0;
  FX_OPTIM_ARG(double, dampening) = 0;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(bool, nesterov) = false;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

struct SGDParamState : public OptimizerCloneableParamState<SGDParamState> {
  static constexpr const char* kName = "SGD";
  Tensor momentum_buffer;  // undefined until the first step with momentum
  std::vector<detail::StateField> fields() { return {{"momentum_buffer", &momentum_buffer, false}}; }
};

class SGD : public Optimizer {
 public:
  explicit SGD(std::vector<Tensor> params, const SGDOptions& defaults = {});
  explicit SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return std::make_unique<SGDParamState>(); }
};

}  // namespace fluxion::optim
