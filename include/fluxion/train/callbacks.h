// The standard callbacks of fluxion::train::Trial: progress bar, CSV and TensorBoard logging,
// checkpoints (every epoch and best model), early stopping, LR scheduling, gradient clipping,
// non-finite loss detection and the training-curve plot.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <iosfwd>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "fluxion/train/tensorboard.h"
#include "fluxion/train/trial.h"

namespace fluxion::train {

/// Whether a monitored metric improves when it goes down or up. kAuto: down for names containing
/// "loss", "mse", "mae" or "err", up otherwise.
enum class MonitorMode { kAuto, kMin, kMax };

/// Training progress. On a terminal (isatty) a live bar with ETA, samples/s and the running metrics,
/// refreshed at most 10 times a second; otherwise one line per epoch.
class ProgressBar : public Callback {
 public:
  /// `out` defaults to std::cout; `tty` defaults to isatty(stdout) when out is std::cout, else false.
  explicit ProgressBar(std::ostream* out = nullptr, std::optional<bool> tty = std::nullopt);
  std::string name() const override { return "progress"; }
  int order() const override { return 50; }
  void on_epoch_begin(Trial& t) override;
  void on_batch_end(Trial& t) override;
  void on_epoch_end(Trial& t) override;
  void on_fit_end(Trial& t) override;

 private:
  void draw(Trial& t, bool final);
  std::ostream* out_;
  bool tty_;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point epoch_start_, last_draw_, last_batch_;
};

/// Appends one row per epoch (the history entry: epoch, lr, epoch_time and every metric) to a CSV
/// file. On fit begin the file is rewritten from the trial's history, so a resumed run's log holds
/// each epoch exactly once.
class CSVLogger : public Callback {
 public:
  explicit CSVLogger(std::string path) : path_(std::move(path)) {}
  std::string name() const override { return "csv"; }
  void on_fit_begin(Trial& t) override;
  void on_epoch_end(Trial& t) override;

 private:
  void write_row(std::ostream& os, const Metrics& m) const;
  std::string path_;
  std::vector<std::string> columns_;
};

/// Writes the epoch metrics as TensorBoard scalars (one events file in `log_dir`, step = epoch),
/// rewritten from the history on fit begin. With `per_batch`, also "batch/loss" every batch.
class TensorBoardLogger : public Callback {
 public:
  explicit TensorBoardLogger(std::string log_dir, bool per_batch = false);
  ~TensorBoardLogger() override;
  std::string name() const override { return "tensorboard"; }
  void on_fit_begin(Trial& t) override;
  void on_batch_end(Trial& t) override;
  void on_epoch_end(Trial& t) override;
  void on_fit_end(Trial& t) override;
  /// The events file ("<log_dir>/events.out.tfevents.0.fluxion").
  std::string path() const;

 private:
  std::string log_dir_;
  bool per_batch_;
  std::unique_ptr<EventWriter> writer_;
};

/// Saves a full checkpoint (model, optimiser, scheduler, RNG, metadata) to `path` atomically at the
/// end of every `every`-th epoch (and of the last epoch).
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(std::string path, int64_t every = 1) : path_(std::move(path)), every_(every) {}
  std::string name() const override { return "checkpoint"; }
  int order() const override { return 100; }
  void on_epoch_end(Trial& t) override;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int64_t every_;
};

/// Saves a full checkpoint to `path` whenever `monitor` improves on the best value so far.
class BestModelCheckpoint : public Callback {
 public:
  explicit BestModelCheckpoint(std::string path, std::string monitor = "val_loss",
                               MonitorMode mode = MonitorMode::kAuto, double min_delta = 0.0);
  std::string name() const override { return "best_checkpoint"; }
  int order() const override { return 90; }
  void on_epoch_end(Trial& t) override;
  std::string state_json() const override;
  void load_state_json(const std::string& json) override;
  double best() const { return best_; }
  int64_t best_epoch() const { return best_epoch_; }

 private:
  std::string path_, monitor_;
  bool maximize_;
  double min_delta_, best_;
  int64_t best_epoch_ = 0;
};

/// Stops training when `monitor` has not improved by more than `min_delta` for `patience` epochs.
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(std::string monitor = "val_loss", int64_t patience = 5, double min_delta = 0.0,
                         MonitorMode mode = MonitorMode::kAuto);
  std::string name() const override { return "early_stopping"; }
  void on_epoch_end(Trial& t) override;
  std::string state_json() const override;
  void load_state_json(const std::string& json) override;
  int64_t wait() const { return wait_; }
  double best() const { return best_; }

 private:
  std::string monitor_;
  int64_t patience_;
  double min_delta_;
  bool maximize_;
  double best_;
  int64_t wait_ = 0;
};

/// Steps an LR scheduler per epoch or per batch (what Trial::set_scheduler installs).
class LRSchedulerCallback : public Callback {
 public:
  LRSchedulerCallback(std::shared_ptr<optim::LRScheduler> scheduler, SchedulerStep every, std::string monitor);
  std::string name() const override { return "lr_scheduler"; }
  void on_batch_end(Trial& t) override;
  void on_epoch_end(Trial& t) override;

 private:
  void step(Trial& t);
  std::shared_ptr<optim::LRScheduler> scheduler_;
  SchedulerStep every_;
  std::string monitor_;
};

/// Clips the gradient norm of the model's parameters to `max_norm` (clip_grad_norm_) after backward;
/// with `by_value`, clamps each gradient element to [-max_norm, max_norm] instead.
class GradientClipping : public Callback {
 public:
  explicit GradientClipping(double max_norm, double norm_type = 2.0, bool by_value = false)
      : max_norm_(max_norm), norm_type_(norm_type), by_value_(by_value) {}
  std::string name() const override { return "gradient_clipping"; }
  void on_backward_end(Trial& t) override;

 private:
  double max_norm_, norm_type_;
  bool by_value_;
};

/// Fails the run (Trial::fail) at the first batch whose loss is NaN or infinite, naming the epoch and
/// batch; the epoch is not checkpointed, so the last checkpoint stays the last good one.
class TerminateOnNaN : public Callback {
 public:
  /// `checkpoint_path`, when given, is named in the message as the last good checkpoint.
  explicit TerminateOnNaN(std::string checkpoint_path = "") : checkpoint_path_(std::move(checkpoint_path)) {}
  std::string name() const override { return "terminate_on_nan"; }
  int order() const override { return -100; }
  void on_batch_end(Trial& t) override;

 private:
  std::string checkpoint_path_;
};

/// Writes the training curves (loss and every other metric per epoch, training and validation) as
/// `<prefix>.svg` and `<prefix>.png` after each epoch.
class CurvePlotter : public Callback {
 public:
  explicit CurvePlotter(std::string path_prefix) : prefix_(std::move(path_prefix)) {}
  std::string name() const override { return "plot"; }
  void on_epoch_end(Trial& t) override;

 private:
  std::string prefix_;
};

/// Calls a function at the end of each epoch (quick custom hooks).
class LambdaCallback : public Callback {
 public:
  explicit LambdaCallback(std::function<void(Trial&)> on_epoch_end) : fn_(std::move(on_epoch_end)) {}
  std::string name() const override { return "lambda"; }
  void on_epoch_end(Trial& t) override { fn_(t); }

 private:
  std::function<void(Trial&)> fn_;
};

}  // namespace fluxion::train
