// Loss modules (wrappers over nn::functional losses), LibTorch-style options:
//   nn::CrossEntropyLoss ce(nn::CrossEntropyLossOptions().label_smoothing(0.1).ignore_index(0));
//   auto loss = ce(logits, labels);
// Reduction-only losses also take the reduction directly: nn::MSELoss("sum").
#pragma once

#include <string>

#include "fluxion/nn/functional/loss.h"
#include "fluxion/nn/module.h"

namespace fluxion::nn {

/// Options of losses that only have a reduction ("none", "mean", "sum").
struct ReductionOptions {
  ReductionOptions(const char* reduction = "mean") : reduction_(reduction) {}    // NOLINT
  ReductionOptions(std::string reduction) : reduction_(std::move(reduction)) {}  // NOLINT
  FX_ARG(std::string, reduction);
};
using MSELossOptions = ReductionOptions;
using L1LossOptions = ReductionOptions;
using SoftMarginLossOptions = ReductionOptions;

/// Base of every loss module: a name and the two-argument forward signature.
class LossImpl : public ModuleImpl {
 public:
  explicit LossImpl(std::string name) : name_(std::move(name)) {}
  std::string name() const override { return name_; }

 private:
  std::string name_;
};

#define FX_NN_REDUCTION_LOSS(Name, fn)                                                               \
  class Name##Impl : public LossImpl {                                                               \
   public:                                                                                           \
    explicit Name##Impl(const ReductionOptions& options = {}) : LossImpl(#Name), options(options) {} \
    void pretty_print(std::ostream& os) const override;                                              \
    Tensor forward(const Tensor& input, const Tensor& target) {                                      \
      return functional::fn(input, target, options.reduction());                                     \
    }                                                                                                \
    ReductionOptions options;                                                                        \
  };                                                                                                 \
  FX_MODULE(Name)

FX_NN_REDUCTION_LOSS(MSELoss, mse_loss);
FX_NN_REDUCTION_LOSS(L1Loss, l1_loss);
FX_NN_REDUCTION_LOSS(SoftMarginLoss, soft_margin_loss);
#undef FX_NN_REDUCTION_LOSS

struct SmoothL1LossOptions {
  SmoothL1LossOptions(const char* reduction = "mean") : reduction_(reduction) {}  // NOLINT
  FX_ARG(std::string, reduction);
  FX_ARG(double, beta) = 1.0;
};
class SmoothL1LossImpl : public LossImpl {
 public:
  explicit SmoothL1LossImpl(const SmoothL1LossOptions& options = {}) : LossImpl("SmoothL1Loss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  SmoothL1LossOptions options;
};
FX_MODULE(SmoothL1Loss);

struct HuberLossOptions {
  HuberLossOptions(const char* reduction = "mean") : reduction_(reduction) {}  // NOLINT
  FX_ARG(std::string, reduction);
  FX_ARG(double, delta) = 1.0;
};
class HuberLossImpl : public LossImpl {
 public:
  explicit HuberLossImpl(const HuberLossOptions& options = {}) : LossImpl("HuberLoss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  HuberLossOptions options;
};
FX_MODULE(HuberLoss);

struct CrossEntropyLossOptions {
  CrossEntropyLossOptions() = default;
  FX_ARG(Tensor, weight);
  FX_ARG(int64_t, ignore_index) = -100;
  FX_ARG(std::string, reduction) = "mean";
  FX_ARG(double, label_smoothing) = 0.0;
};
/// log_softmax + nll over class dim 1; targets are class indices or class probabilities.
class CrossEntropyLossImpl : public LossImpl {
 public:
  explicit CrossEntropyLossImpl(const CrossEntropyLossOptions& options = {});
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  CrossEntropyLossOptions options;
  Tensor weight;  // registered as a buffer when given (moves with .to())
};
FX_MODULE(CrossEntropyLoss);

struct NLLLossOptions {
  NLLLossOptions() = default;
  FX_ARG(Tensor, weight);
  FX_ARG(int64_t, ignore_index) = -100;
  FX_ARG(std::string, reduction) = "mean";
};
class NLLLossImpl : public LossImpl {
 public:
  explicit NLLLossImpl(const NLLLossOptions& options = {});
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  NLLLossOptions options;
  Tensor weight;
};
FX_MODULE(NLLLoss);

struct BCELossOptions {
  BCELossOptions() = default;
  FX_ARG(Tensor, weight);
  FX_ARG(std::string, reduction) = "mean";
};
class BCELossImpl : public LossImpl {
 public:
  explicit BCELossImpl(const BCELossOptions& options = {});
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  BCELossOptions options;
  Tensor weight;
};
FX_MODULE(BCELoss);

struct BCEWithLogitsLossOptions {
  BCEWithLogitsLossOptions() = default;
  FX_ARG(Tensor, weight);
  FX_ARG(std::string, reduction) = "mean";
  FX_ARG(Tensor, pos_weight);
};
class BCEWithLogitsLossImpl : public LossImpl {
 public:
  explicit BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options = {});
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  BCEWithLogitsLossOptions options;
  Tensor weight, pos_weight;
};
FX_MODULE(BCEWithLogitsLoss);

struct KLDivLossOptions {
  KLDivLossOptions(const char* reduction = "mean") : reduction_(reduction) {}  // NOLINT
  /// "none", "mean", "sum" or "batchmean" (the mathematically correct KL divergence per sample).
  FX_ARG(std::string, reduction);
  FX_ARG(bool, log_target) = false;
};
class KLDivLossImpl : public LossImpl {
 public:
  explicit KLDivLossImpl(const KLDivLossOptions& options = {}) : LossImpl("KLDivLoss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  KLDivLossOptions options;
};
FX_MODULE(KLDivLoss);

struct MarginRankingLossOptions {
  MarginRankingLossOptions() = default;
  FX_ARG(double, margin) = 0.0;
  FX_ARG(std::string, reduction) = "mean";
};
class MarginRankingLossImpl : public LossImpl {
 public:
  explicit MarginRankingLossImpl(const MarginRankingLossOptions& options = {})
      : LossImpl("MarginRankingLoss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target);
  MarginRankingLossOptions options;
};
FX_MODULE(MarginRankingLoss);

struct HingeEmbeddingLossOptions {
  HingeEmbeddingLossOptions() = default;
  FX_ARG(double, margin) = 1.0;
  FX_ARG(std::string, reduction) = "mean";
};
class HingeEmbeddingLossImpl : public LossImpl {
 public:
  explicit HingeEmbeddingLossImpl(const HingeEmbeddingLossOptions& options = {})
      : LossImpl("HingeEmbeddingLoss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  HingeEmbeddingLossOptions options;
};
FX_MODULE(HingeEmbeddingLoss);

struct MultiMarginLossOptions {
  MultiMarginLossOptions() = default;
  FX_ARG(int64_t, p) = 1;
  FX_ARG(double, margin) = 1.0;
  FX_ARG(Tensor, weight);
  FX_ARG(std::string, reduction) = "mean";
};
/// Multi-class SVM hinge loss.
class MultiMarginLossImpl : public LossImpl {
 public:
  explicit MultiMarginLossImpl(const MultiMarginLossOptions& options = {});
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input, const Tensor& target);
  MultiMarginLossOptions options;
  Tensor weight;
};
FX_MODULE(MultiMarginLoss);

struct TripletMarginLossOptions {
  TripletMarginLossOptions() = default;
  FX_ARG(double, margin) = 1.0;
  FX_ARG(double, p) = 2.0;
  FX_ARG(double, eps) = 1e-6;
  FX_ARG(bool, swap) = false;
  FX_ARG(std::string, reduction) = "mean";
};
class TripletMarginLossImpl : public LossImpl {
 public:
  explicit TripletMarginLossImpl(const TripletMarginLossOptions& options = {})
      : LossImpl("TripletMarginLoss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative);
  TripletMarginLossOptions options;
};
FX_MODULE(TripletMarginLoss);

struct CosineEmbeddingLossOptions {
  CosineEmbeddingLossOptions() = default;
  FX_ARG(double, margin) = 0.0;
  FX_ARG(std::string, reduction) = "mean";
};
class CosineEmbeddingLossImpl : public LossImpl {
 public:
  explicit CosineEmbeddingLossImpl(const CosineEmbeddingLossOptions& options = {})
      : LossImpl("CosineEmbeddingLoss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target);
  CosineEmbeddingLossOptions options;
};
FX_MODULE(CosineEmbeddingLoss);

struct PoissonNLLLossOptions {
  PoissonNLLLossOptions() = default;
  FX_ARG(bool, log_input) = true;
  FX_ARG(bool, full) = false;
  FX_ARG(double, eps) = 1e-8;
  FX_ARG(std::string, reduction) = "mean";
};
class PoissonNLLLossImpl : public LossImpl {
 public:
  explicit PoissonNLLLossImpl(const PoissonNLLLossOptions& options = {})
      : LossImpl("PoissonNLLLoss"), options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target);
  PoissonNLLLossOptions options;
};
FX_MODULE(PoissonNLLLoss);

struct GaussianNLLLossOptions {
  GaussianNLLLossOptions() = default;
  FX_ARG(bool, full) = false;
  FX_ARG(double, eps) = 1e-6;
  FX_ARG(std::string, reduction) = "mean";
};
class GaussianNLLLossImpl : public LossImpl {
 public:
  explicit GaussianNLLLossImpl(const GaussianNLLLossOptions& options = {})
      : LossImpl("GaussianNLLLoss"), options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target, const Tensor& var);
  GaussianNLLLossOptions options;
};
FX_MODULE(GaussianNLLLoss);

struct CTCLossOptions {
  CTCLossOptions() = default;
  FX_ARG(int64_t, blank) = 0;
  FX_ARG(std::string, reduction) = "mean";
  FX_ARG(bool, zero_infinity) = false;
};
class CTCLossImpl : public LossImpl {
 public:
  explicit CTCLossImpl(const CTCLossOptions& options = {}) : LossImpl("CTCLoss"), options(options) {}
  void pretty_print(std::ostream& os) const override;
  Tensor forward(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                 const Tensor& target_lengths);
  CTCLossOptions options;
};
FX_MODULE(CTCLoss);

}  // namespace fluxion::nn
