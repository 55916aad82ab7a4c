// Loss functions (torch.nn.functional). `reduction` is "none", "mean" or "sum" (kl_div also takes
// "batchmean"). Inputs are checked: a wrong target dtype or shape, or a class index out of range,
// throws fluxion::Error naming the loss and the sizes involved.
#pragma once

#include <optional>
#include <string>

#include "fluxion/tensor.h"

namespace fluxion::nn::functional {

/// (input - target)^2.
Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
/// |input - target|.
Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
/// 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (beta = 0 gives l1_loss).
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                      double beta = 1.0);
/// 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta).
Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean", double delta = 1.0);

/// Negative log-likelihood of log-probabilities `input` (N, C), (C) or (N, C, d1, ...) at integer
/// class targets (N), () or (N, d1, ...). weight (C) rescales classes; targets equal to
/// ignore_index contribute nothing. "mean" divides by the sum of the weights of counted targets.
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(), int64_t ignore_index = -100,
                const std::string& reduction = "mean");
/// log_softmax over the class dim (1, or 0 for a 1-d input) followed by nll_loss. `target` holds
/// class indices (integer, shape of input without the class dim) or class probabilities (floating,
/// same shape as input). label_smoothing in [0, 1] mixes the target with the uniform distribution.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                     int64_t ignore_index = -100, const std::string& reduction = "mean", double label_smoothing = 0.0);

/// -w [t log x + (1 - t) log(1 - x)] for probabilities x in [0, 1]; each log is clamped at -100.
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                            const std::string& reduction = "mean");
/// binary_cross_entropy(sigmoid(input), target) computed stably from logits; pos_weight (broadcast
/// over the last dim) weighs the positive term.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight = Tensor(),
                                        const std::string& reduction = "mean", const Tensor& pos_weight = Tensor());
/// KL(target || exp(input)) pointwise: target (log target - input); input holds log-probabilities.
/// reduction "batchmean" divides the sum by the batch size (input.size(0)).
Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
              bool log_target = false);

/// max(0, -y (x1 - x2) + margin), y in {1, -1}.
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                           const std::string& reduction = "mean");
/// x where y = 1, max(0, margin - x) where y = -1.
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin = 1.0,
                            const std::string& reduction = "mean");
/// Multi-class SVM hinge: sum_{i != y} w_y max(0, margin - x_y + x_i)^p / C for input (N, C) or (C).
Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p = 1, double margin = 1.0,
                         const Tensor& weight = Tensor(), const std::string& reduction = "mean");
/// max(d(a, p) - d(a, n) + margin, 0) with d the pairwise p-norm distance; swap uses
/// min(d(a, n), d(p, n)).
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin = 1.0,
                           double p = 2.0, double eps = 1e-6, bool swap = false, const std::string& reduction = "mean");
/// 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0.0,
                             const std::string& reduction = "mean");
/// log(1 + exp(-y x)), y in {1, -1}.
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");
/// Poisson negative log-likelihood: exp(input) - target * input (log_input) or input - target log(input + eps);
/// full adds Stirling's term for target > 1.
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input = true, bool full = false,
                        double eps = 1e-8, const std::string& reduction = "mean");
/// Gaussian negative log-likelihood with predicted variance `var` (clamped at eps).
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full = false,
                         double eps = 1e-6, const std::string& reduction = "mean");

/// Connectionist temporal classification. log_probs (T, N, C) or (T, C) (log_softmax outputs),
/// targets (N, S) padded or 1-d concatenated, input_lengths and target_lengths (N) integer tensors.
/// "mean" divides each loss by its target length, then averages over the batch. zero_infinity
/// replaces infinite losses (impossible alignments) and their gradients by zero.
Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank = 0, const std::string& reduction = "mean",
                bool zero_infinity = false);

/// ||x1 - x2 + eps||_p over the last dim.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2.0, double eps = 1e-6, bool keepdim = false);
/// x1 . x2 / max(||x1|| ||x2||, eps) over `dim`.
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);

}  // namespace fluxion::nn::functional
