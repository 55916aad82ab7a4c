// Metrics of fluxion::train: counts and sums accumulated on the host per batch.
#include "fluxion/train/metrics.h"

#include <cmath>

#include "fluxion/autograd.h"
#include "fluxion/error.h"
#include "fluxion/ops/creation.h"

namespace fluxion::train {
namespace {

/// Predicted classes (B) as int64: argmax over dim 1, or output > 0 for a binary (B) / (B, 1) logit.
Tensor predictions(const Tensor& output, const char* metric) {
  FX_CHECK(output.dim() >= 1, metric, ": output must have a batch dimension, got sizes ", output.sizes());
  if (output.dim() == 1 || (output.dim() == 2 && output.size(1) == 1))
    return output.reshape({output.size(0)}).gt(0).to(kInt64);
  FX_CHECK(output.dim() == 2, metric, ": expected output (B, C) or (B), got sizes ", output.sizes());
  return output.argmax(1);
}

Tensor class_targets(const Tensor& target, int64_t batch, const char* metric) {
  FX_CHECK(target.numel() == batch, metric, ": expected ", batch, " class targets, got sizes ", target.sizes());
  FX_CHECK(!target.is_floating_point(), metric, ": targets must be integer class indices, got ", target.dtype());
  return target.reshape({batch}).to(kInt64).contiguous();
}

double ratio(int64_t a, int64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); }

}  // namespace

void Accuracy::update(const Tensor& output, const Tensor& target) {
  NoGradGuard g;
  Tensor pred = predictions(output, "acc");
  Tensor t = class_targets(target, pred.size(0), "acc");
  correct_ += pred.eq(t).sum().item<int64_t>();
  total_ += pred.size(0);
}

Metrics Accuracy::compute() const {
  if (total_ == 0) return {};
  return {{"acc", ratio(correct_, total_)}};
}

TopKAccuracy::TopKAccuracy(int64_t k) : k_(k) { FX_CHECK(k >= 1, "TopKAccuracy: k must be >= 1, got ", k); }

void TopKAccuracy::update(const Tensor& output, const Tensor& target) {
  NoGradGuard g;
  FX_CHECK(output.dim() == 2, name(), ": expected output (B, C), got sizes ", output.sizes());
  const int64_t k = std::min(k_, output.size(1));
  Tensor t = class_targets(target, output.size(0), "topk");
  auto [values, idx] = output.topk(k, 1);
  (void)values;
  correct_ += idx.eq(t.unsqueeze(1)).any(1).sum().item<int64_t>();
  total_ += output.size(0);
}

Metrics TopKAccuracy::compute() const {
  if (total_ == 0) return {};
  return {{name(), ratio(correct_, total_)}};
}

void ConfusionMatrix::reset() { std::fill(counts_.begin(), counts_.end(), 0); }

void ConfusionMatrix::update(const Tensor& output, const Tensor& target) {
  NoGradGuard g;
  // Counted on the host: the predictions and targets of a CUDA model come back first.
  Tensor pred = predictions(output, "confusion").to(kCPU).contiguous();
  Tensor t = class_targets(target, pred.size(0), "confusion").to(kCPU);
  if (num_classes_ == 0) num_classes_ = (output.dim() == 2 && output.size(1) > 1) ? output.size(1) : 2;
  const int64_t C = num_classes_;
  if (static_cast<int64_t>(counts_.size()) != C * C) counts_.assign(static_cast<size_t>(C * C), 0);
  const int64_t* p = pred.data_ptr<int64_t>();
  const int64_t* y = t.data_ptr<int64_t>();
  for (int64_t i = 0; i < pred.size(0); ++i)  // validate the whole batch before counting any of it
    FX_CHECK(y[i] >= 0 && y[i] < C && p[i] >= 0 && p[i] < C, name(), ": class index out of range [0, ", C, "): target ",
             y[i], ", prediction ", p[i]);
  for (int64_t i = 0; i < pred.size(0); ++i) ++counts_[static_cast<size_t>(y[i] * C + p[i])];
}

Tensor ConfusionMatrix::matrix() const {
  const int64_t C = num_classes_;
  if (counts_.empty()) return zeros({C, C}, TensorOptions(kInt64));
  return tensor(counts_, Shape{C, C}, TensorOptions(kInt64));
}

Metrics PrecisionRecallF1::compute() const {
  const int64_t C = num_classes_;
  if (counts_.empty()) return {};
  double p_sum = 0, r_sum = 0, f_sum = 0;
  int64_t present = 0;
  for (int64_t c = 0; c < C; ++c) {
    int64_t tp = counts_[static_cast<size_t>(c * C + c)], actual = 0, predicted = 0;
    for (int64_t j = 0; j < C; ++j) {
      actual += counts_[static_cast<size_t>(c * C + j)];
      predicted += counts_[static_cast<size_t>(j * C + c)];
    }
    if (actual == 0) continue;  // class absent from the targets: left out of the macro average
    ++present;
    const double p = ratio(tp, predicted), r = ratio(tp, actual);
    p_sum += p;
    r_sum += r;
    f_sum += (p + r) > 0 ? 2 * p * r / (p + r) : 0.0;
  }
  if (present == 0) return {};
  const double n = static_cast<double>(present);
  return {{"precision", p_sum / n}, {"recall", r_sum / n}, {"f1", f_sum / n}};
}

namespace {
Tensor regression_diff(const Tensor& output, const Tensor& target, const char* metric) {
  FX_CHECK(output.numel() == target.numel(), metric, ": output ", output.sizes(), " and target ", target.sizes(),
           " differ in size");
  return output.detach().to(kFloat64).reshape({-1}) - target.detach().to(kFloat64).reshape({-1});
}
}  // namespace

void MeanSquaredError::update(const Tensor& output, const Tensor& target) {
  NoGradGuard g;
  Tensor d = regression_diff(output, target, "mse");
  sum_ += (d * d).sum().item<double>();
  count_ += d.numel();
}

Metrics MeanSquaredError::compute() const {
  if (count_ == 0) return {};
  return {{"mse", sum_ / static_cast<double>(count_)}};
}

void MeanAbsoluteError::update(const Tensor& output, const Tensor& target) {
  NoGradGuard g;
  Tensor d = regression_diff(output, target, "mae");
  sum_ += d.abs().sum().item<double>();
  count_ += d.numel();
}

Metrics MeanAbsoluteError::compute() const {
  if (count_ == 0) return {};
  return {{"mae", sum_ / static_cast<double>(count_)}};
}

void RunningMean::update(const Tensor& output, const Tensor& target) {
  if (!fn_) return;
  NoGradGuard g;
  add(fn_(output, target), output.dim() > 0 ? output.size(0) : 1);
}

Metrics RunningMean::compute() const {
  if (count_ == 0) return {};
  return {{name_, sum_ / static_cast<double>(count_)}};
}

MetricPtr make_metric(const std::string& name) {
  if (name == "acc" || name == "accuracy") return std::make_shared<Accuracy>();
  if (name == "precision" || name == "recall" || name == "f1") return std::make_shared<PrecisionRecallF1>();
  if (name == "confusion") return std::make_shared<ConfusionMatrix>();
  if (name == "mse") return std::make_shared<MeanSquaredError>();
  if (name == "mae") return std::make_shared<MeanAbsoluteError>();
  if (name.size() > 3 && name.rfind("top", 0) == 0) {
    std::string digits = name.substr(3);
    if (digits.size() > 4 && digits.substr(digits.size() - 4) == "_acc") digits.resize(digits.size() - 4);
    if (!digits.empty() && digits.size() < 6 && digits.find_first_not_of("0123456789") == std::string::npos)
      return std::make_shared<TopKAccuracy>(std::stoll(digits));
  }
  FX_FAIL("make_metric: unknown metric '", name,
          "'; known: acc, top<k> (e.g. top5), precision, recall, f1, confusion, mse, mae");
}

std::vector<MetricPtr> make_metrics(const std::vector<std::string>& names) {
  std::vector<MetricPtr> out;
  bool prf = false;
  for (const auto& n : names) {
    if (n == "precision" || n == "recall" || n == "f1") {
      if (prf) continue;  // one PrecisionRecallF1 reports all three
      prf = true;
    }
    out.push_back(make_metric(n));
  }
  return out;
}

}  // namespace fluxion::train
