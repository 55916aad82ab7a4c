// Metrics for fluxion::train::Trial: each accumulates over an epoch (update per batch, compute at any
// time) and reports one or more named numbers. Trial prefixes validation values with "val_".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fluxion/tensor.h"

namespace fluxion::train {

/// Named numbers: {"loss": 0.31, "acc": 0.89, "val_loss": ...}.
using Metrics = std::map<std::string, double>;

/// An epoch-aggregated metric. `output` is the model's (detached) output for a batch, `target` the
/// batch's targets; classification metrics take logits/probabilities (B, C) and int64 class targets (B).
class Metric {
 public:
  virtual ~Metric() = default;
  /// The metric's name ("acc"); compute() keys usually equal it or start with it.
  virtual std::string name() const = 0;
  /// Forgets everything accumulated (called at the start of each epoch and evaluation).
  virtual void reset() = 0;
  /// Accumulates one batch.
  virtual void update(const Tensor& output, const Tensor& target) = 0;
  /// The values so far (empty before any update).
  virtual Metrics compute() const = 0;
};

using MetricPtr = std::shared_ptr<Metric>;

/// Fraction of samples whose argmax over dim 1 equals the target ("acc"). A (B) or (B, 1) output is a
/// binary logit: predicted class = output > 0.
class Accuracy : public Metric {
 public:
  std::string name() const override { return "acc"; }
  void reset() override { correct_ = total_ = 0; }
  void update(const Tensor& output, const Tensor& target) override;
  Metrics compute() const override;

 private:
  int64_t correct_ = 0, total_ = 0;
};

/// Fraction of samples whose target is among the k largest outputs ("top<k>_acc").
class TopKAccuracy : public Metric {
 public:
  explicit TopKAccuracy(int64_t k);
  std::string name() const override { return "top" + std::to_string(k_) + "_acc"; }
  void reset() override { correct_ = total_ = 0; }
  void update(const Tensor& output, const Tensor& target) override;
  Metrics compute() const override;

 private:
  int64_t k_, correct_ = 0, total_ = 0;
};

/// Counts (target, prediction) pairs; the number of classes is fixed by the first batch (or given).
class ConfusionMatrix : public Metric {
 public:
  explicit ConfusionMatrix(int64_t num_classes = 0) : num_classes_(num_classes) {}
  std::string name() const override { return "confusion"; }
  void reset() override;
  void update(const Tensor& output, const Tensor& target) override;
  /// No scalar values; read matrix().
  Metrics compute() const override { return {}; }
  /// int64 (C, C): rows are true classes, columns predicted classes.
  Tensor matrix() const;
  int64_t num_classes() const { return num_classes_; }
  /// counts()[t * C + p].
  const std::vector<int64_t>& counts() const { return counts_; }

 protected:
  int64_t num_classes_;
  std::vector<int64_t> counts_;
};

/// Macro-averaged precision, recall and F1 over the classes ("precision", "recall", "f1"). A class
/// never predicted has precision 0; a class absent from the targets is left out of the averages
/// (as scikit-learn's labels=present classes).
class PrecisionRecallF1 : public ConfusionMatrix {
 public:
  explicit PrecisionRecallF1(int64_t num_classes = 0) : ConfusionMatrix(num_classes) {}
  std::string name() const override { return "f1"; }
  Metrics compute() const override;
};

/// Mean squared error over all elements ("mse").
class MeanSquaredError : public Metric {
 public:
  std::string name() const override { return "mse"; }
  void reset() override {
    sum_ = 0;
    count_ = 0;
  }
  void update(const Tensor& output, const Tensor& target) override;
  Metrics compute() const override;

 private:
  double sum_ = 0;
  int64_t count_ = 0;
};

/// Mean absolute error over all elements ("mae").
class MeanAbsoluteError : public Metric {
 public:
  std::string name() const override { return "mae"; }
  void reset() override {
    sum_ = 0;
    count_ = 0;
  }
  void update(const Tensor& output, const Tensor& target) override;
  Metrics compute() const override;

 private:
  double sum_ = 0;
  int64_t count_ = 0;
};

/// The running mean of a per-batch value weighted by batch size. Trial uses one for "loss" (fed by
/// add()); as a user metric, `fn(output, target)` gives the batch value.
class RunningMean : public Metric {
 public:
  using Fn = std::function<double(const Tensor& output, const Tensor& target)>;
  explicit RunningMean(std::string name, Fn fn = nullptr) : name_(std::move(name)), fn_(std::move(fn)) {}
  std::string name() const override { return name_; }
  void reset() override {
    sum_ = 0;
    count_ = 0;
  }
  void update(const Tensor& output, const Tensor& target) override;
  /// Adds a batch value `v` computed elsewhere, weighted by `n`.
  void add(double v, int64_t n) {
    sum_ += v * static_cast<double>(n);
    count_ += n;
  }
  Metrics compute() const override;

 private:
  std::string name_;
  Fn fn_;
  double sum_ = 0;
  int64_t count_ = 0;
};

/// A metric by name: "acc"/"accuracy", "top<k>" / "top<k>_acc" (e.g. "top5"), "precision"/"recall"/"f1"
/// (one PrecisionRecallF1), "confusion", "mse", "mae". Throws fluxion::Error listing the names.
MetricPtr make_metric(const std::string& name);
/// make_metric for each name.
std::vector<MetricPtr> make_metrics(const std::vector<std::string>& names);

}  // namespace fluxion::train
