// fluxion::train::Trial: the training loop, in the spirit of Torchbearer. A Trial holds a model, an
// optimiser, a loss, metrics and callbacks; fit() trains for a number of epochs (validating after each
// when given a validation loader), evaluate() returns metrics, predict() returns outputs.
//
//   auto opt = std::make_shared<fx::optim::Adam>(model->parameters(), fx::optim::AdamOptions(1e-3));
//   fx::train::Trial trial(model, opt, fx::train::cross_entropy_loss(), fx::train::make_metrics({"acc"}),
//                          {std::make_shared<fx::train::ProgressBar>(),
//                           std::make_shared<fx::train::ModelCheckpoint>("runs/a/last.ckpt")});
//   trial.fit(train_loader, 5, test_loader);          // history: loss, acc, val_loss, val_acc per epoch
//   auto m = trial.evaluate(test_loader);             // {"loss": ..., "acc": ...}
//
// Non-standard training (GANs, VAEs, TBPTT) replaces the step: set_train_step(fn) or override train_step.
// See docs/training.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "fluxion/nn/module.h"
#include "fluxion/optim/lr_scheduler.h"
#include "fluxion/optim/optimizer.h"
#include "fluxion/tensor.h"
#include "fluxion/train/metrics.h"

namespace fluxion::train {

class Trial;

/// A type-erased view of a data loader: anything iterable whose elements have tensor members `data`
/// and `target` (fluxion::data::DataLoader, or a std::vector of such batches). When the loader has
/// them, size() (batches), dataset_size() (samples) and set_epoch(e) are used; Trial calls set_epoch
/// with the epoch number before each epoch so a shuffled order depends only on (seed, epoch), which
/// is what makes resume bit-for-bit. The loader must outlive the Loader.
class Loader {
 public:
  using BatchFn = std::function<bool(const Tensor& data, const Tensor& target)>;

  template <class L>
  requires(!std::is_same_v<std::remove_cvref_t<L>, Loader> &&
           requires(L & l) {
             l.begin();
             (*l.begin()).data;
             (*l.begin()).target;
           }) Loader(L& loader)  // NOLINT: implicit, so trial.fit(data_loader, ...) reads naturally
      : for_each_([&loader](const BatchFn& f) {
          for (auto&& b : loader)
            if (!f(b.data, b.target)) break;
        }) {
    if constexpr (requires { loader.size(); }) {
      const int64_t n = static_cast<int64_t>(loader.size());
      num_batches_ = [n] { return n; };
    }
    if constexpr (requires { loader.dataset_size(); }) num_samples_ = [&loader] { return loader.dataset_size(); };
    if constexpr (requires { loader.set_epoch(int64_t{0}); })
      set_epoch_ = [&loader](int64_t e) { loader.set_epoch(e); };
  }

  /// Batches per pass (-1 when the loader does not say).
  int64_t num_batches() const { return num_batches_ ? num_batches_() : -1; }
  /// Samples per pass (-1 when the loader does not say).
  int64_t num_samples() const { return num_samples_ ? num_samples_() : -1; }
  void set_epoch(int64_t epoch) const {
    if (set_epoch_) set_epoch_(epoch);
  }
  /// Calls f(data, target) for each batch until f returns false.
  void for_each(const BatchFn& f) const { for_each_(f); }

 private:
  std::function<void(const BatchFn&)> for_each_;
  std::function<int64_t()> num_batches_, num_samples_;
  std::function<void(int64_t)> set_epoch_;
};

/// What one step produced: the model output (for the metrics) and the loss (a scalar tensor).
struct StepOutput {
  Tensor output;
  Tensor loss;
};

/// The loop's state, visible to callbacks through trial.state().
struct TrialState {
  int64_t epoch = 0;         // current epoch, 0-based
  int64_t epochs = 0;        // total epochs asked of fit()
  int64_t batch = 0;         // index of the current batch within the epoch
  int64_t num_batches = -1;  // batches per training epoch (-1: unknown)
  int64_t num_samples = -1;  // training samples per epoch (-1: unknown)
  int64_t samples = 0;       // training samples seen so far in this epoch
  int64_t batch_size = 0;    // size of the current batch
  double batch_loss = 0;     // loss of the current batch
  /// During an epoch: the running training metrics ("loss", "acc", ...); at on_epoch_end: the epoch's
  /// training and validation ("val_...") metrics.
  Metrics metrics;
  /// One entry per finished epoch: its metrics plus "epoch" (1-based), "lr" and "epoch_time" (s).
  std::vector<Metrics> history;
  bool stop = false;  // set by stop_training(): the loop ends after the current batch/epoch
  std::string stop_reason;
};

/// Hooks into Trial::fit. Override what you need; trial.state() holds the loop's state.
class Callback {
 public:
  virtual ~Callback() = default;
  /// Key of the callback's state in checkpoints (unique among a Trial's callbacks when it has state).
  virtual std::string name() const { return "callback"; }
  /// Run order within each hook, lowest first (stable). Checkpoint writers use 100 so that they save
  /// the state every other callback has just updated.
  virtual int order() const { return 0; }
  virtual void on_fit_begin(Trial&) {}
  virtual void on_epoch_begin(Trial&) {}
  virtual void on_batch_begin(Trial&) {}
  /// After loss.backward(), before optimizer.step() (gradient clipping goes here).
  virtual void on_backward_end(Trial&) {}
  virtual void on_batch_end(Trial&) {}
  /// After the epoch's training and validation metrics are in state().metrics and history.
  virtual void on_epoch_end(Trial&) {}
  /// Always called once fit() started, also when it stops early or on a non-finite loss.
  virtual void on_fit_end(Trial&) {}
  /// The callback's resumable state as JSON ("" when it has none); saved in checkpoints.
  virtual std::string state_json() const { return ""; }
  /// Restores state_json()'s output (Trial::resume).
  virtual void load_state_json(const std::string& /*json*/) {}
};

using CallbackPtr = std::shared_ptr<Callback>;

/// When an LR scheduler steps.
enum class SchedulerStep { kEpoch, kBatch };

class Trial {
 public:
  using LossFn = std::function<Tensor(const Tensor& output, const Tensor& target)>;
  using StepFn = std::function<StepOutput(Trial&, const Tensor& data, const Tensor& target)>;

  /// `optimizer` may be null when a custom train step manages its own optimisers.
  Trial(nn::Module model, std::shared_ptr<optim::Optimizer> optimizer, LossFn loss, std::vector<MetricPtr> metrics = {},
        std::vector<CallbackPtr> callbacks = {});
  virtual ~Trial();
  Trial(const Trial&) = delete;
  Trial& operator=(const Trial&) = delete;

  Trial& add_metric(MetricPtr metric);
  Trial& add_callback(CallbackPtr callback);
  /// Steps `scheduler` once per epoch (after validation) or per batch; a ReduceLROnPlateau gets the
  /// metric `monitor`. The scheduler is saved in checkpoints and restored by resume().
  Trial& set_scheduler(std::shared_ptr<optim::LRScheduler> scheduler, SchedulerStep every = SchedulerStep::kEpoch,
                       std::string monitor = "val_loss");
  /// Replaces the training step (default: default_train_step). A custom step that calls backward()
  /// should call notify_backward_end() before stepping its optimiser(s) so clipping callbacks run.
  Trial& set_train_step(StepFn step);
  /// Replaces the evaluation step (runs in eval mode under NoGradGuard; default: forward + loss).
  Trial& set_eval_step(StepFn step);
  /// Stores `json_value` (any JSON text) under metadata key `key` in every checkpoint (e.g. the model
  /// name and config, the data seed). Throws fluxion::Error if it is not valid JSON.
  Trial& set_metadata(const std::string& key, const std::string& json_value);
  /// A user metadata value (JSON text) or "" when absent.
  std::string metadata(const std::string& key) const;

  /// Trains for epochs [start_epoch(), epochs) (start_epoch() is 0 unless resumed), validating on
  /// `val` after each epoch. fit, evaluate and predict move each batch (data and target) to the
  /// device of the model's parameters first (asynchronously when the loader pins memory), so a
  /// model moved with `model->to(device)` trains with no other change. Throws fluxion::Error after on_fit_end when a
  /// callback failed the run (e.g. a non-finite loss).
  void fit(const Loader& train, int64_t epochs);
  void fit(const Loader& train, int64_t epochs, const Loader& val);
  /// Metrics of the model over `loader` (eval mode, no gradients); keys get `prefix` ("val_").
  Metrics evaluate(const Loader& loader, const std::string& prefix = "");
  /// The model outputs over `loader`, concatenated along dim 0 (eval mode, no gradients).
  Tensor predict(const Loader& loader);

  /// The current state as checkpoint metadata JSON: epoch, metrics, history, callbacks' states, user
  /// metadata.
  std::string checkpoint_metadata() const;
  /// Saves model, optimiser, scheduler, RNG and checkpoint_metadata() to `path` atomically.
  void save_checkpoint(const std::string& path) const;
  /// Restores a checkpoint written by save_checkpoint into the model, optimiser, scheduler, RNG,
  /// history and callbacks; fit() then continues with the next epoch, reproducing an uninterrupted
  /// run bit for bit. Returns the metadata JSON. Throws fluxion::Error (changing nothing) if the
  /// checkpoint does not fit.
  std::string resume(const std::string& path);

  /// Forward, loss, backward, notify_backward_end, optimiser step.
  StepOutput default_train_step(const Tensor& data, const Tensor& target);
  /// Forward and loss.
  StepOutput default_eval_step(const Tensor& data, const Tensor& target);
  /// Runs the callbacks' on_backward_end.
  void notify_backward_end();
  /// Asks the loop to stop at the end of the current epoch (after the current batch if `now`).
  void stop_training(const std::string& reason, bool now = false);
  /// Stops now and makes fit() throw fluxion::Error(reason) after on_fit_end; the epoch in progress
  /// is neither recorded nor checkpointed.
  void fail(const std::string& reason);

  nn::Module& model() { return model_; }
  const nn::Module& model() const { return model_; }
  /// The optimiser (throws if the Trial has none).
  optim::Optimizer& optimizer() const;
  bool has_optimizer() const { return optimizer_ != nullptr; }
  optim::LRScheduler* scheduler() const { return scheduler_.get(); }
  const LossFn& loss_fn() const { return loss_; }
  TrialState& state() { return state_; }
  const TrialState& state() const { return state_; }
  /// Epochs completed before the next fit() (set by resume() and by fit()).
  int64_t start_epoch() const { return start_epoch_; }
  const std::vector<CallbackPtr>& callbacks() const { return callbacks_; }
  const std::vector<MetricPtr>& metrics() const { return metrics_; }

 protected:
  /// One training step; the default calls the step set by set_train_step or default_train_step.
  virtual StepOutput train_step(const Tensor& data, const Tensor& target);
  /// One evaluation step; the default calls set_eval_step's step or default_eval_step.
  virtual StepOutput eval_step(const Tensor& data, const Tensor& target);

 private:
  void fit_impl(const Loader& train, int64_t epochs, const Loader* val);
  /// Where batches go before a step: the device of the model's first parameter (CPU without any).
  Device data_device() const;
  void reset_metrics();
  Metrics compute_metrics(const std::string& prefix) const;
  template <class F>
  void for_callbacks(F&& f);

  nn::Module model_;
  std::shared_ptr<optim::Optimizer> optimizer_;
  LossFn loss_;
  std::vector<MetricPtr> metrics_;
  std::shared_ptr<RunningMean> loss_metric_;
  std::vector<CallbackPtr> callbacks_;
  std::shared_ptr<optim::LRScheduler> scheduler_;
  StepFn train_step_fn_, eval_step_fn_;
  std::map<std::string, std::string> user_metadata_;
  TrialState state_;
  int64_t start_epoch_ = 0;
  bool now_stop_ = false;
  std::string failure_;
};

/// cross_entropy(output, target) as a Trial loss.
Trial::LossFn cross_entropy_loss();
/// mse_loss(output, target) as a Trial loss.
Trial::LossFn mse_loss();

}  // namespace fluxion::train
