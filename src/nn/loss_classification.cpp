// Classification losses: nll_loss, cross_entropy (indices and probabilities, label smoothing),
// binary_cross_entropy (recorded op with PyTorch's clamped gradient) and its logits form.
#include <vector>

#include "core/batched.h"
#include "fluxion/autograd.h"
#include "fluxion/nn/functional/loss.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/index.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "nn/loss_util.h"

namespace fluxion::nn::functional {

using detail::check_floating;
using detail::check_reduction;
using detail::check_same_sizes;
using detail::reduce;

namespace {

int64_t class_dim_of(const Tensor& input) { return input.dim() == 1 ? 0 : 1; }

/// Checks class-index targets against input (N, C, d...) / (C): dtype, sizes, range. Returns int64 targets.
Tensor checked_class_target(const Tensor& input, const Tensor& target, int64_t ignore_index, const char* op) {
  detail::check_defined(input, op, "input");
  detail::check_defined(target, op, "target");
  check_floating(input, op, "input");
  FX_CHECK(input.dim() >= 1, op, ": input must have a class dimension, got a 0-d tensor");
  detail::check_integer_target(target, op);
  const int64_t cdim = class_dim_of(input);
  const int64_t C = input.size(cdim);
  Shape expected;
  for (int64_t d = 0; d < input.dim(); ++d)
    if (d != cdim) expected.push_back(input.size(d));
  FX_CHECK(target.sizes() == expected, op, ": expected target of sizes ", expected, " for input of sizes ",
           input.sizes(), " (the input without its class dim ", cdim, "), got target sizes ", target.sizes());
  Tensor t = target.to(kInt64);
  // Range check on the host; under vmap over every example (Note [Batched tensors]).
  const Tensor host = batched::plain(t).to(kCPU).contiguous();
  const int64_t* p = host.data_ptr<int64_t>();
  for (int64_t i = 0; i < host.numel(); ++i)
    FX_CHECK(p[i] == ignore_index || (p[i] >= 0 && p[i] < C), op, ": target ", p[i], " is out of bounds for ", C,
             " classes (input sizes ", input.sizes(), ", valid targets are 0..", C - 1, " or ignore_index ",
             ignore_index, ")");
  return t;
}

void check_class_weight(const Tensor& weight, int64_t C, const char* op) {
  if (!weight.defined()) return;
  FX_CHECK(weight.dim() == 1 && weight.size(0) == C, op, ": weight of sizes ", weight.sizes(),
           " must be a 1-d tensor with one entry per class (", C, ")");
  check_floating(weight, op, "weight");
}

/// Weight sizes for broadcasting along the class dim.
Shape class_broadcast_shape(const Tensor& input, int64_t C) {
  Shape s(static_cast<size_t>(input.dim()), 1);
  s[class_dim_of(input)] = C;
  return s;
}

/// nll_loss on checked int64 targets.
Tensor nll_impl(const Tensor& logp, const Tensor& t, const Tensor& weight, int64_t ignore_index,
                const std::string& reduction) {
  const bool unbatched = logp.dim() == 1;
  Tensor lp = unbatched ? logp.unsqueeze(0) : logp;  // (N, C, d...)
  Tensor tg = unbatched ? t.unsqueeze(0) : t;        // (N, d...)
  Tensor valid = tg != ignore_index;
  Tensor safe = tg.masked_fill(valid.logical_not(), 0);
  Tensor picked = lp.gather(1, safe.unsqueeze(1)).squeeze(1);  // (N, d...)
  Tensor w = weight.defined() ? weight.to(lp.dtype()).index_select(0, safe.reshape({-1})).reshape(safe.sizes())
                              : ones_like(picked);
  w = w * valid.to(w.dtype());
  Tensor loss = -picked * w;
  if (reduction == "none") return unbatched ? loss.squeeze(0) : loss;
  if (reduction == "sum") return loss.sum();
  return loss.sum() / w.sum();
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                const std::string& reduction) {
  check_reduction(reduction, "nll_loss");
  Tensor t = checked_class_target(input, target, ignore_index, "nll_loss");
  check_class_weight(weight, input.size(class_dim_of(input)), "nll_loss");
  return nll_impl(input, t, weight, ignore_index, reduction);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight, int64_t ignore_index,
                     const std::string& reduction, double label_smoothing) {
  const char* op = "cross_entropy";
  check_reduction(reduction, op);
  detail::check_defined(input, op, "input");
  detail::check_defined(target, op, "target");
  check_floating(input, op, "input");
  FX_CHECK(input.dim() >= 1, op, ": input must have a class dimension, got a 0-d tensor");
  FX_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, op, ": label_smoothing must be in [0, 1], got ",
           label_smoothing);
  const int64_t cdim = class_dim_of(input);
  const int64_t C = input.size(cdim);
  check_class_weight(weight, C, op);
  Tensor logp = log_softmax(input, cdim);
  Tensor wb = weight.defined() ? weight.to(input.dtype()).reshape(class_broadcast_shape(input, C)) : Tensor();

  if (target.is_floating_point()) {
    // Class probabilities.
    FX_CHECK(target.sizes() == input.sizes(), op, ": probability targets (floating dtype ", target.dtype(),
             ") must have the input's sizes ", input.sizes(), ", got ", target.sizes(),
             "; for class indices use an integer (int64) target");
    Tensor tp =
        label_smoothing > 0 ? target * (1.0 - label_smoothing) + label_smoothing / static_cast<double>(C) : target;
    Tensor prod = logp * tp;
    if (wb.defined()) prod = prod * wb;
    Tensor loss = -prod.sum(cdim);
    if (reduction == "none") return loss;
    if (reduction == "sum") return loss.sum();
    return loss.sum() / static_cast<double>(C > 0 ? input.numel() / C : 0);
  }

  Tensor t = checked_class_target(input, target, ignore_index, op);
  Tensor nll = nll_impl(logp, t, weight, ignore_index, reduction);
  if (label_smoothing == 0.0) return nll;
  // PyTorch's label smoothing: (1 - ls) * nll + ls / C * (-sum_c w_c log p_c), with the same
  // ignore mask and (for "mean") the same weight normaliser as nll_loss.
  Tensor ignore = t == ignore_index;
  Tensor smooth = wb.defined() ? -(logp * wb).sum(cdim) : -logp.sum(cdim);
  smooth = smooth.masked_fill(ignore, 0.0);
  Tensor ret;
  if (reduction == "none") {
    ret = smooth;
  } else if (reduction == "sum") {
    ret = smooth.sum();
  } else if (weight.defined()) {
    Tensor kept = t.masked_select(ignore.logical_not());
    ret = smooth.sum() / weight.to(input.dtype()).index_select(0, kept).sum();
  } else {
    ret = smooth.sum() / ignore.logical_not().sum().to(input.dtype());
  }
  return nll * (1.0 - label_smoothing) + ret * (label_smoothing / static_cast<double>(C));
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                            const std::string& reduction) {
  const char* op = "binary_cross_entropy";
  check_reduction(reduction, op);
  check_same_sizes(input, target, op);
  check_floating(input, op, "input");
  check_floating(target, op, "target");
  if (input.numel() > 0) {
    NoGradGuard g;
    FX_CHECK(((input >= 0) & (input <= 1)).all().item<bool>(), op,
             ": all elements of input should be between 0 and 1 (probabilities; use "
             "binary_cross_entropy_with_logits for logits), input sizes ",
             input.sizes());
  }
  Tensor x = input, t = target.to(input.dtype());
  // Forward on detached values (no graph, no tangents); the recorded op supplies both.
  Tensor xd = x.detach(), td = t.detach();
  Tensor loss = (td - 1.0) * log1p(-xd).clamp_min(-100.0) - td * log(xd).clamp_min(-100.0);
  if (autograd::needs_record({&x, &t})) {
    // d/dx uses PyTorch's clamped form (x - t) / max(x (1 - x), eps), finite at x = 0 and 1. PyTorch's
    // eps is the float literal 1e-12f in every dtype; we use the same value so saturated gradients agree.
    const double eps = static_cast<double>(1e-12f);
    auto dx = [eps](const Tensor& xv, const Tensor& tv) { return (xv - tv) / ((1.0 - xv) * xv).clamp_min(eps); };
    auto dt = [](const Tensor& xv) { return log1p(-xv).clamp_min(-100.0) - log(xv).clamp_min(-100.0); };
    autograd::record(
        "BinaryCrossEntropyBackward0", {x, t}, {loss}, {x, t},
        [dx, dt](const autograd::BackwardArgs& a, const autograd::SavedList& s) {
          const Tensor& g = a.grad();
          return TensorList{a.needs(0) ? g * dx(s[0], s[1]) : Tensor(), a.needs(1) ? g * dt(s[0]) : Tensor()};
        },
        [&](const TensorList& tan) { return TensorList{tan[0] * dx(x, t) + tan[1] * dt(x)}; });
  }
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const Tensor& weight,
                                        const std::string& reduction, const Tensor& pos_weight) {
  const char* op = "binary_cross_entropy_with_logits";
  check_reduction(reduction, op);
  check_same_sizes(input, target, op);
  check_floating(input, op, "input");
  check_floating(target, op, "target");
  // (1 - t) x - log(sigmoid(x)) is exact and stable: logsigmoid never overflows.
  Tensor ls = logsigmoid(input);
  Tensor loss;
  if (pos_weight.defined()) {
    FX_CHECK(
        pos_weight.dim() == 0 || (input.dim() >= 1 && pos_weight.size(-1) == input.size(-1)) || pos_weight.numel() == 1,
        op, ": pos_weight of sizes ", pos_weight.sizes(), " must broadcast over the last dim of input sizes ",
        input.sizes());
    Tensor lw = (pos_weight - 1.0) * target + 1.0;
    loss = (1.0 - target) * input - lw * ls;
  } else {
    loss = (1.0 - target) * input - ls;
  }
  if (weight.defined()) loss = loss * weight;
  return reduce(loss, reduction);
}

}  // namespace fluxion::nn::functional
