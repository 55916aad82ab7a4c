// L-BFGS with an optional strong-Wolfe line search (torch.optim.LBFGS). Needs a closure that
// re-evaluates the loss (and its gradients); supports one parameter group only.
#pragma once

#include <optional>
#include <string>

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

struct LBFGSOptions : public OptimizerCloneableOptions<LBFGSOptions> {
  static constexpr const char* kName = "LBFGS";
  LBFGSOptions(double lr = 1) : lr_(lr) {}  // NOLINT: implicit like LibTorch
  FX_OPTIM_ARG(double, lr);
  FX_OPTIM_ARG(int64_t, max_iter) = 20;
  /// Function evaluations per step; default max_iter * 5 / 4.
  FX_OPTIM_ARG(std::optional<int64_t>, max_eval) = std::nullopt;
  FX_OPTIM_ARG(double, tolerance_grad) = 1e-7;
  FX_OPTIM_ARG(double, tolerance_change) = 1e-9;
  FX_OPTIM_ARG(int64_t, history_size) = 100;
  /// std::nullopt (fixed step lr) or "strong_wolfe".
  FX_OPTIM_ARG(std::optional<std::string>, line_search_fn) = std::nullopt;
  FX_OPTIM_ARG(bool, maximize) = false;

 public:
  std::vector<detail::OptionField> fields();
};

/// Held for the first parameter, as in PyTorch. Vectors are flat over all parameters.
struct LBFGSParamState : public OptimizerParamState {
  int64_t func_evals = 0;
  int64_t n_iter = 0;
  Tensor d;                      // last search direction (undefined before the first step)
  double t = 0;                  // last step length
  std::vector<Tensor> old_dirs;  // y_k = g_{k+1} - g_k
  std::vector<Tensor> old_stps;  // s_k = t_k d_k
  std::vector<double> ro;        // 1 / (y_k . s_k)
  double H_diag = 1;
  Tensor prev_flat_grad;
  double prev_loss = 0;
  // What load_state_dict checks vectors against (set by the optimizer).
  int64_t numel = 0;
  DType dtype = kFloat32;
  Device device = kCPU;

  /// old_dirs/old_stps are stacked into (history, numel) tensors, ro into a float64 vector.
  TensorDict to_dict() const override;
  void from_dict(const TensorDict& d, const Tensor& param) override;
};

class LBFGS : public Optimizer {
 public:
  explicit LBFGS(std::vector<Tensor> params, const LBFGSOptions& defaults = {});
  explicit LBFGS(std::vector<OptimizerParamGroup> groups, const LBFGSOptions& defaults = {});
  /// Runs up to max_iter iterations; `closure` must zero the gradients, compute the loss, call
  /// backward() and return the loss. Returns the loss of the first evaluation.
  Tensor step(LossClosure closure = nullptr) override;

 protected:
  std::unique_ptr<OptimizerParamState> make_param_state() const override;

 private:
  int64_t numel() const;
  Tensor gather_flat_grad() const;
  void add_grad(double step_size, const Tensor& update);
  std::vector<Tensor> clone_params() const;
  void set_params(const std::vector<Tensor>& data);
  std::pair<double, Tensor> directional_evaluate(const LossClosure& closure, const std::vector<Tensor>& x, double t,
                                                 const Tensor& d);
};

}  // namespace fluxion::optim
