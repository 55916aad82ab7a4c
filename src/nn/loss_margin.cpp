// Margin and embedding losses: margin_ranking, hinge_embedding, multi_margin (SVM hinge),
// triplet_margin, cosine_embedding, soft_margin; and the distance helpers they use.
#include "fluxion/autograd.h"
#include "fluxion/nn/functional/loss.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "nn/loss_util.h"

namespace fluxion::nn::functional {

using detail::check_defined;
using detail::check_floating;
using detail::check_reduction;
using detail::reduce;

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  check_defined(x1, "pairwise_distance", "x1");
  check_defined(x2, "pairwise_distance", "x2");
  FX_CHECK(x1.dim() >= 1 || x2.dim() >= 1, "pairwise_distance: inputs must not both be 0-d");
  return norm(x1 - x2 + eps, p, DimList{-1}, keepdim);
}

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  check_defined(x1, "cosine_similarity", "x1");
  check_defined(x2, "cosine_similarity", "x2");
  auto b = broadcast_tensors({x1, x2});
  // Normalise each side separately (what PyTorch computes; more robust than dividing the product).
  Tensor n1 = norm(b[0], 2.0, DimList{dim}, true).clamp_min(eps);
  Tensor n2 = norm(b[1], 2.0, DimList{dim}, true).clamp_min(eps);
  return ((b[0] / n1) * (b[1] / n2)).sum(dim);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           const std::string& reduction) {
  const char* op = "margin_ranking_loss";
  check_reduction(reduction, op);
  check_defined(input1, op, "input1");
  check_defined(input2, op, "input2");
  check_defined(target, op, "target");
  FX_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(), op,
           ": all input tensors should have the same number of dimensions, got sizes ", input1.sizes(), ", ",
           input2.sizes(), " and ", target.sizes());
  return reduce((-target * (input1 - input2) + margin).clamp_min(0.0), reduction);
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin, const std::string& reduction) {
  const char* op = "hinge_embedding_loss";
  check_reduction(reduction, op);
  detail::check_same_sizes(input, target, op);
  check_floating(input, op, "input");
  Tensor zeros = zeros_like(input);
  Tensor margin_clamp = (margin - input).clamp_min(0.0);
  Tensor out = where(target != 1, margin_clamp, zeros) + where(target != -1, input, zeros);
  return reduce(out, reduction);
}

Tensor multi_margin_loss(const Tensor& input, const Tensor& target, int64_t p, double margin, const Tensor& weight,
                         const std::string& reduction) {
  const char* op = "multi_margin_loss";
  check_reduction(reduction, op);
  check_defined(input, op, "input");
  check_defined(target, op, "target");
  check_floating(input, op, "input");
  FX_CHECK(p == 1 || p == 2, op, ": only p = 1 and p = 2 are supported, got p = ", p);
  FX_CHECK(input.dim() == 1 || input.dim() == 2, op, ": expected input of sizes (N, C) or (C), got ", input.sizes());
  detail::check_integer_target(target, op);
  const bool unbatched = input.dim() == 1;
  Tensor x = unbatched ? input.unsqueeze(0) : input;  // (N, C)
  const int64_t N = x.size(0), C = x.size(1);
  FX_CHECK((unbatched && target.dim() == 0) || (!unbatched && target.dim() == 1 && target.size(0) == N) ||
               (unbatched && target.dim() == 1 && target.size(0) == 1),
           op, ": expected target of sizes ", (unbatched ? "() or (1)" : "(N)"), " with N = ", N, " for input sizes ",
           input.sizes(), ", got ", target.sizes());
  Tensor y = target.to(kInt64).reshape({N});
  {
    const Tensor yc = y.to(kCPU).contiguous();
    const int64_t* yp = yc.data_ptr<int64_t>();
    for (int64_t i = 0; i < N; ++i)
      FX_CHECK(yp[i] >= 0 && yp[i] < C, op, ": target ", yp[i], " is out of bounds for ", C, " classes");
  }
  if (weight.defined())
    FX_CHECK(weight.dim() == 1 && weight.size(0) == C, op, ": weight of sizes ", weight.sizes(),
             " must have one entry per class (", C, ")");
  Tensor xy = x.gather(1, y.unsqueeze(1));            // (N, 1)
  Tensor z = relu(x - xy + margin);                   // margin violations; 0 gradient at exactly 0
  Tensor others = 1.0 - one_hot(y, C).to(x.dtype());  // excludes i == y
  Tensor h = p == 1 ? z * others : square(z) * others;
  if (weight.defined()) h = h * weight.to(x.dtype()).index_select(0, y).unsqueeze(1);
  Tensor loss = h.sum(1) / static_cast<double>(C);  // (N)
  if (unbatched && reduction == "none") loss = loss.squeeze(0);
  return reduce(loss, reduction);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin,
                           double p, double eps, bool swap, const std::string& reduction) {
  const char* op = "triplet_margin_loss";
  check_reduction(reduction, op);
  check_defined(anchor, op, "anchor");
  check_defined(positive, op, "positive");
  check_defined(negative, op, "negative");
  FX_CHECK(anchor.dim() == positive.dim() && anchor.dim() == negative.dim(), op,
           ": the anchor, positive, and negative tensors are expected to have the same number of dimensions, got "
           "sizes ",
           anchor.sizes(), ", ", positive.sizes(), " and ", negative.sizes());
  FX_CHECK(anchor.dim() == 1 || anchor.dim() == 2, op, ": expected 1-d (D) or 2-d (N, D) inputs, got ", anchor.sizes());
  FX_CHECK(margin > 0, op, ": margin must be greater than 0, got ", margin);
  Tensor d_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor d_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) d_neg = minimum(d_neg, pairwise_distance(positive, negative, p, eps));
  return reduce((d_pos - d_neg + margin).clamp_min(0.0), reduction);
}

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             const std::string& reduction) {
  const char* op = "cosine_embedding_loss";
  check_reduction(reduction, op);
  check_defined(input1, op, "input1");
  check_defined(input2, op, "input2");
  check_defined(target, op, "target");
  FX_CHECK(input1.sizes() == input2.sizes(), op, ": input1 and input2 must have the same sizes, got ", input1.sizes(),
           " and ", input2.sizes());
  FX_CHECK((input1.dim() == 2 && target.dim() == 1 && target.size(0) == input1.size(0)) ||
               (input1.dim() == 1 && target.dim() == 0),
           op, ": expected inputs (N, D) with target (N), or (D) with a 0-d target; got inputs ", input1.sizes(),
           " and target ", target.sizes());
  // PyTorch's formulation: EPS inside each squared magnitude.
  const double kEps = 1e-12;
  const int64_t d = input1.dim() - 1;
  Tensor prod = (input1 * input2).sum(d);
  Tensor m1 = (input1 * input1).sum(d) + kEps;
  Tensor m2 = (input2 * input2).sum(d) + kEps;
  Tensor cos = prod / sqrt(m1 * m2);
  Tensor zeros = zeros_like(cos);
  Tensor out = where(target == 1, 1.0 - cos, zeros) + where(target == -1, (cos - margin).clamp_min(0.0), zeros);
  return reduce(out, reduction);
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  const char* op = "soft_margin_loss";
  check_reduction(reduction, op);
  detail::check_same_sizes(input, target, op);
  check_floating(input, op, "input");
  return reduce(softplus(-target * input), reduction);
}

}  // namespace fluxion::nn::functional
