// Learning-rate schedulers (torch.optim.lr_scheduler): each writes new learning rates into the
// optimizer's parameter groups on step(). The recursive ("chainable") formulas are PyTorch's, so
// the lr sequences match PyTorch's to rounding. Construct a scheduler after the optimizer, call
// optimizer.step() then scheduler.step() once per epoch (or iteration, for OneCycleLR).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fluxion/optim/optimizer.h"

namespace fluxion::optim {

/// A scheduler's resumable state: named numbers, named lists and nested schedulers' states.
struct SchedulerState {
  std::map<std::string, double> values;              // "last_epoch", "step_count", ...
  std::map<std::string, std::vector<double>> lists;  // "base_lrs", "last_lr", ...
  std::vector<SchedulerState> children;              // SequentialLR / ChainedScheduler
};

class LRScheduler {
 public:
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;
  virtual ~LRScheduler();

  /// Advances one epoch (or iteration) and writes the new learning rates into the groups.
  virtual void step();
  /// The learning rates set by the last step(), one per parameter group.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t last_epoch() const { return last_epoch_; }
  Optimizer& optimizer() const { return optimizer_; }
  const std::string& name() const { return name_; }
  /// The resumable state (counters, base and last lrs, and any scheduler-specific state);
  /// hyperparameters come from the constructor.
  virtual SchedulerState state_dict() const;
  /// Restores state_dict()'s output; throws fluxion::Error (changing nothing) on a malformed state.
  virtual void load_state_dict(const SchedulerState& s);

 protected:
  /// Records each group's "initial_lr" (or requires it when resuming with last_epoch >= 0).
  /// Derived constructors must call initial_step() last.
  LRScheduler(std::string name, Optimizer& optimizer, int64_t last_epoch);
  struct NoInit {};
  /// For schedulers that manage lrs their own way (ReduceLROnPlateau, SequentialLR, ChainedScheduler).
  LRScheduler(std::string name, Optimizer& optimizer, NoInit);

  /// The first step PyTorch runs in the constructor.
  void initial_step();
  /// The chainable formula: new lrs given the groups' current lrs and last_epoch_.
  virtual std::vector<double> get_lr() = 0;
  /// The closed form (used when SequentialLR restarts a scheduler at epoch 0), if there is one.
  virtual std::optional<std::vector<double>> closed_form_lr() const { return std::nullopt; }
  /// last_epoch += 1 (or = epoch) and writes get_lr() / the closed form into the groups.
  void update_lr(std::optional<int64_t> epoch = std::nullopt);
  std::vector<double> group_lrs() const;
  void set_group_lrs(const std::vector<double>& lrs);
  /// Scheduler-specific state; load_extra must validate before assigning.
  virtual void save_extra(SchedulerState&) const {}
  virtual void load_extra(const SchedulerState&) {}

  Optimizer& optimizer_;
  std::string name_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;
  bool is_initial_ = false;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;

  friend class SequentialLR;
  friend class ChainedScheduler;
};

/// lr = base_lr * lambda(epoch).
class LambdaLR : public LRScheduler {
 public:
  using Lambda = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch = -1);
  /// One lambda per parameter group.
  LambdaLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<Lambda> lambdas_;
};

/// lr *= lambda(epoch) each step (after the first).
class MultiplicativeLR : public LRScheduler {
 public:
  using Lambda = std::function<double(int64_t)>;
  MultiplicativeLR(Optimizer& optimizer, Lambda lr_lambda, int64_t last_epoch = -1);
  MultiplicativeLR(Optimizer& optimizer, std::vector<Lambda> lr_lambdas, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<Lambda> lambdas_;
};

/// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  int64_t step_size_;
  double gamma_;
};

/// lr *= gamma at each milestone (a milestone listed twice multiplies by gamma^2).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  std::vector<int64_t> milestones_;  // sorted, with repeats
  double gamma_;
};

/// lr = base_lr * factor for the first total_iters epochs, then base_lr (a constant warm-up).
class ConstantLR : public LRScheduler {
 public:
  ConstantLR(Optimizer& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double factor_;
  int64_t total_iters_;
};

/// Linear ramp of the factor from start_factor to end_factor over total_iters epochs (warm-up).
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5,
           int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

/// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double gamma_;
};

/// lr = base_lr * (1 - epoch / total_iters)^power, constant after total_iters.
class PolynomialLR : public LRScheduler {
 public:
  PolynomialLR(Optimizer& optimizer, int64_t total_iters = 5, double power = 1.0, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  int64_t total_iters_;
  double power_;
};

/// Cosine annealing from base_lr to eta_min over T_max epochs (and back up, periodically).
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  int64_t T_max_;
  double eta_min_;
};

/// SGDR: cosine annealing restarted every T_i epochs, T_i growing by T_mult.
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0, int64_t T_mult = 1, double eta_min = 0.0,
                              int64_t last_epoch = -1);
  void step() override;
  /// Jumps to a (possibly fractional) epoch, e.g. epoch + batch / num_batches.
  void step(double epoch);

 protected:
  std::vector<double> get_lr() override;
  void save_extra(SchedulerState& s) const override;
  void load_extra(const SchedulerState& s) override;

 private:
  int64_t T_0_, T_i_, T_mult_;
  double eta_min_, T_cur_;
};

struct OneCycleLROptions {
  /// max_lr for every group; total_steps or epochs * steps_per_epoch must be set.
  OneCycleLROptions(double max_lr) : max_lrs_({max_lr}) {}  // NOLINT: implicit
  FX_OPTIM_ARG(std::vector<double>, max_lrs);               // one per group, or a single value for all
  FX_OPTIM_ARG(std::optional<int64_t>, total_steps) = std::nullopt;
  FX_OPTIM_ARG(std::optional<int64_t>, epochs) = std::nullopt;
  FX_OPTIM_ARG(std::optional<int64_t>, steps_per_epoch) = std::nullopt;
  FX_OPTIM_ARG(double, pct_start) = 0.3;
  FX_OPTIM_ARG(std::string, anneal_strategy) = "cos";  // "cos" or "linear"
  FX_OPTIM_ARG(bool, cycle_momentum) = true;
  FX_OPTIM_ARG(double, base_momentum) = 0.85;
  FX_OPTIM_ARG(double, max_momentum) = 0.95;
  FX_OPTIM_ARG(double, div_factor) = 25.0;
  FX_OPTIM_ARG(double, final_div_factor) = 1e4;
  FX_OPTIM_ARG(bool, three_phase) = false;
};

/// The 1cycle policy: lr warms up from max_lr / div_factor to max_lr, then anneals to
/// initial_lr / final_div_factor over total_steps; momentum (or Adam's beta1) cycles inversely.
/// Step it once per batch.
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, const OneCycleLROptions& options, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;

 private:
  struct Phase {
    double end_step;
    const char *start_lr, *end_lr, *start_momentum, *end_momentum;
  };
  double anneal(double start, double end, double pct) const;
  void set_momentum(OptimizerParamGroup& g, double m) const;
  int64_t total_steps_;
  std::vector<Phase> phases_;
  bool cos_, cycle_momentum_, use_beta1_ = false;
};

/// Runs `schedulers` one after another, switching at the given epochs (e.g. LinearLR warm-up then
/// CosineAnnealingLR). All must belong to `optimizer`.
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones, int64_t last_epoch = -1);
  void step() override;
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& s) override;
  const std::vector<std::shared_ptr<LRScheduler>>& schedulers() const { return schedulers_; }

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }

 private:
  static void undo(LRScheduler& s);
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

/// Steps every scheduler each step (their effects multiply).
class ChainedScheduler : public LRScheduler {
 public:
  explicit ChainedScheduler(std::vector<std::shared_ptr<LRScheduler>> schedulers);
  void step() override;
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& s) override;
  const std::vector<std::shared_ptr<LRScheduler>>& schedulers() const { return schedulers_; }

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
};

struct ReduceLROnPlateauOptions {
  FX_OPTIM_ARG(std::string, mode) = "min";  // "min" or "max"
  FX_OPTIM_ARG(double, factor) = 0.1;
  FX_OPTIM_ARG(int64_t, patience) = 10;
  FX_OPTIM_ARG(double, threshold) = 1e-4;
  FX_OPTIM_ARG(std::string, threshold_mode) = "rel";  // "rel" or "abs"
  FX_OPTIM_ARG(int64_t, cooldown) = 0;
  FX_OPTIM_ARG(std::vector<double>, min_lrs) = {0.0};  // one per group, or a single value for all
  FX_OPTIM_ARG(double, eps) = 1e-8;

 public:
  auto& min_lr(double v) { return min_lrs(std::vector<double>{v}); }
};

/// Multiplies the lrs by `factor` when a metric has stopped improving for `patience` epochs.
class ReduceLROnPlateau : public LRScheduler {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, const ReduceLROnPlateauOptions& options = {});
  /// Throws: this scheduler needs the metric, step(metric).
  void step() override;
  void step(double metric);
  double best() const { return best_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  bool in_cooldown() const { return cooldown_counter_ > 0; }

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }
  void save_extra(SchedulerState& s) const override;
  void load_extra(const SchedulerState& s) override;

 private:
  bool is_better(double a, double best) const;
  ReduceLROnPlateauOptions opts_;
  std::vector<double> min_lrs_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0;
};

}  // namespace fluxion::optim
