// Loss modules: option plumbing and descriptions; the math is in loss_*.cpp (functional).
#include <ostream>

#include "fluxion/nn/loss.h"

namespace fluxion::nn {

namespace {
// Registers an optional class-weight tensor as a (persistent) buffer, as PyTorch's _WeightedLoss.
Tensor weight_buffer(ModuleImpl& m, const char* name, const Tensor& w) {
  if (!w.defined()) return Tensor();
  return m.register_buffer(name, w.detach());
}
}  // namespace

void MSELossImpl::pretty_print(std::ostream& os) const { os << "MSELoss(reduction=" << options.reduction() << ")"; }
void L1LossImpl::pretty_print(std::ostream& os) const { os << "L1Loss(reduction=" << options.reduction() << ")"; }
void SoftMarginLossImpl::pretty_print(std::ostream& os) const {
  os << "SoftMarginLoss(reduction=" << options.reduction() << ")";
}

void SmoothL1LossImpl::pretty_print(std::ostream& os) const {
  os << "SmoothL1Loss(reduction=" << options.reduction() << ", beta=" << options.beta() << ")";
}
Tensor SmoothL1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::smooth_l1_loss(input, target, options.reduction(), options.beta());
}

void HuberLossImpl::pretty_print(std::ostream& os) const {
  os << "HuberLoss(reduction=" << options.reduction() << ", delta=" << options.delta() << ")";
}
Tensor HuberLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::huber_loss(input, target, options.reduction(), options.delta());
}

CrossEntropyLossImpl::CrossEntropyLossImpl(const CrossEntropyLossOptions& opts)
    : LossImpl("CrossEntropyLoss"), options(opts) {
  weight = weight_buffer(*this, "weight", opts.weight());
}
void CrossEntropyLossImpl::pretty_print(std::ostream& os) const {
  os << "CrossEntropyLoss(reduction=" << options.reduction() << ", ignore_index=" << options.ignore_index()
     << ", label_smoothing=" << options.label_smoothing() << (weight.defined() ? ", weight" : "") << ")";
}
Tensor CrossEntropyLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::cross_entropy(input, target, weight, options.ignore_index(), options.reduction(),
                                   options.label_smoothing());
}

NLLLossImpl::NLLLossImpl(const NLLLossOptions& opts) : LossImpl("NLLLoss"), options(opts) {
  weight = weight_buffer(*this, "weight", opts.weight());
}
void NLLLossImpl::pretty_print(std::ostream& os) const {
  os << "NLLLoss(reduction=" << options.reduction() << ", ignore_index=" << options.ignore_index()
     << (weight.defined() ? ", weight" : "") << ")";
}
Tensor NLLLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::nll_loss(input, target, weight, options.ignore_index(), options.reduction());
}

BCELossImpl::BCELossImpl(const BCELossOptions& opts) : LossImpl("BCELoss"), options(opts) {
  weight = weight_buffer(*this, "weight", opts.weight());
}
void BCELossImpl::pretty_print(std::ostream& os) const { os << "BCELoss(reduction=" << options.reduction() << ")"; }
Tensor BCELossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::binary_cross_entropy(input, target, weight, options.reduction());
}

BCEWithLogitsLossImpl::BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& opts)
    : LossImpl("BCEWithLogitsLoss"), options(opts) {
  weight = weight_buffer(*this, "weight", opts.weight());
  pos_weight = weight_buffer(*this, "pos_weight", opts.pos_weight());
}
void BCEWithLogitsLossImpl::pretty_print(std::ostream& os) const {
  os << "BCEWithLogitsLoss(reduction=" << options.reduction() << (pos_weight.defined() ? ", pos_weight" : "") << ")";
}
Tensor BCEWithLogitsLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::binary_cross_entropy_with_logits(input, target, weight, options.reduction(), pos_weight);
}

void KLDivLossImpl::pretty_print(std::ostream& os) const {
  os << "KLDivLoss(reduction=" << options.reduction() << ", log_target=" << (options.log_target() ? "true" : "false")
     << ")";
}
Tensor KLDivLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::kl_div(input, target, options.reduction(), options.log_target());
}

void MarginRankingLossImpl::pretty_print(std::ostream& os) const {
  os << "MarginRankingLoss(margin=" << options.margin() << ", reduction=" << options.reduction() << ")";
}
Tensor MarginRankingLossImpl::forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  return functional::margin_ranking_loss(input1, input2, target, options.margin(), options.reduction());
}

void HingeEmbeddingLossImpl::pretty_print(std::ostream& os) const {
  os << "HingeEmbeddingLoss(margin=" << options.margin() << ", reduction=" << options.reduction() << ")";
}
Tensor HingeEmbeddingLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::hinge_embedding_loss(input, target, options.margin(), options.reduction());
}

MultiMarginLossImpl::MultiMarginLossImpl(const MultiMarginLossOptions& opts)
    : LossImpl("MultiMarginLoss"), options(opts) {
  FX_CHECK(opts.p() == 1 || opts.p() == 2, "MultiMarginLoss: only p = 1 and p = 2 are supported, got ", opts.p());
  weight = weight_buffer(*this, "weight", opts.weight());
}
void MultiMarginLossImpl::pretty_print(std::ostream& os) const {
  os << "MultiMarginLoss(p=" << options.p() << ", margin=" << options.margin() << ", reduction=" << options.reduction()
     << ")";
}
Tensor MultiMarginLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::multi_margin_loss(input, target, options.p(), options.margin(), weight, options.reduction());
}

void TripletMarginLossImpl::pretty_print(std::ostream& os) const {
  os << "TripletMarginLoss(margin=" << options.margin() << ", p=" << options.p()
     << ", swap=" << (options.swap() ? "true" : "false") << ", reduction=" << options.reduction() << ")";
}
Tensor TripletMarginLossImpl::forward(const Tensor& anchor, const Tensor& positive, const Tensor& negative) {
  return functional::triplet_margin_loss(anchor, positive, negative, options.margin(), options.p(), options.eps(),
                                         options.swap(), options.reduction());
}

void CosineEmbeddingLossImpl::pretty_print(std::ostream& os) const {
  os << "CosineEmbeddingLoss(margin=" << options.margin() << ", reduction=" << options.reduction() << ")";
}
Tensor CosineEmbeddingLossImpl::forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  return functional::cosine_embedding_loss(input1, input2, target, options.margin(), options.reduction());
}

Tensor PoissonNLLLossImpl::forward(const Tensor& input, const Tensor& target) {
  return functional::poisson_nll_loss(input, target, options.log_input(), options.full(), options.eps(),
                                      options.reduction());
}

Tensor GaussianNLLLossImpl::forward(const Tensor& input, const Tensor& target, const Tensor& var) {
  return functional::gaussian_nll_loss(input, target, var, options.full(), options.eps(), options.reduction());
}

void CTCLossImpl::pretty_print(std::ostream& os) const {
  os << "CTCLoss(blank=" << options.blank() << ", reduction=" << options.reduction()
     << ", zero_infinity=" << (options.zero_infinity() ? "true" : "false") << ")";
}
Tensor CTCLossImpl::forward(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                            const Tensor& target_lengths) {
  return functional::ctc_loss(log_probs, targets, input_lengths, target_lengths, options.blank(), options.reduction(),
                              options.zero_infinity());
}

}  // namespace fluxion::nn
