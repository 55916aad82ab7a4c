// Adagrad with learning-rate decay and an initial accumulator (torch.optim.Adagrad).
#pragma once

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct AdagradOptions : public OptimizerCloneableOptions<AdagradOptions> {
  static constexpr const char* kName = "Adagrad";
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(double, lr_decay) = 0;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(double, initial_accumulator_value) = 0;
  FX_OPTIM_ARG(double, eps) = 1e-10;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

struct AdagradParamState : public OptimizerCloneableParamState<AdagradParamState> {
  static constexpr const char* kName = "Adagrad";
  int64_t step = 0;
  Tensor sum;
  std::vector<detail::StateField> fields() { return {{"step", &step}, {"sum", &sum}}; }
};

/// Like PyTorch, the state (sum = initial_accumulator_value) exists from construction on.
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(std::vector<Tensor> params, const AdagradOptions& defaults = {});
  explicit Adagrad(std::vector<OptimizerParamGroup> groups, const AdagradOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override {
    return std::make_unique<AdagradParamState>();
  }
};

}  // namespace fluxion::optim
