// Adam (with AMSGrad) and AdamW: adaptive moment estimation with L2 or decoupled weight decay
// (torch.optim.Adam, torch.optim.AdamW).
#pragma once

#include <tuple>

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct AdamOptions : public OptimizerCloneableOptions<AdamOptions> {
  static constexpr const char* kName = "Adam";
  AdamOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(Betas, betas) = {0.9, 0.999};
  FX_OPTIM_ARG(double, eps) = 1e-8;
  FX_OPTIM_ARG(double, weight_decay) = 0;
  FX_OPTIM_ARG(bool, amsgrad) = false;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

/// AdamW: like Adam, but weight decay multiplies the parameter by (1 - lr * weight_decay) instead
/// of adding to the gradient; default weight_decay 1e-2.
struct AdamWOptions : public OptimizerCloneableOptions<AdamWOptions> {
  static constexpr const char* kName = "AdamW";
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}  // NOLINT
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(Betas, betas) = {0.9, 0.999};
  FX_OPTIM_ARG(double, eps) = 1e-8;
  FX_OPTIM_ARG(double, weight_decay) = 1e-2;
  FX_OPTIM_ARG(bool, amsgrad) = false;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

/// State shared by Adam and AdamW.
struct AdamParamState : public OptimizerCloneableParamState<AdamParamState> {
  static constexpr const char* kName = "Adam";
  int64_t step = 0;
  Tensor exp_avg, exp_avg_sq;
  Tensor max_exp_avg_sq;  // amsgrad only
  std::vector<detail::StateField> fields() {
    return {{"step", &step},
            {"exp_avg", &exp_avg},
            {"exp_avg_sq", &exp_avg_sq},
            {"max_exp_avg_sq", &max_exp_avg_sq, false}};
  }
};

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& defaults = {});
  explicit Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return std::make_unique<AdamParamState>(); }
};

class AdamW : public Optimizer {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& defaults = {});
  explicit AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& defaults = {});
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override { return std::make_unique<AdamParamState>(); }
};

}  // namespace fluxion::optim
