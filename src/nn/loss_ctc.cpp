// CTC loss (Graves et al. 2006): the forward-backward recursions in log space over the
// blank-extended label sequence, in float64 on the CPU. The exact gradient with respect to the
// log-probabilities is computed with the loss and recorded as the op's (first-order) VJP:
//   d(-log p) / d lp[t, c] = -exp(logsumexp_{s: l'_s = c}(alpha_t(s) + beta_t(s)) - lp[t, c] + nll).
// (PyTorch returns this plus exp(lp), which only agrees after a log_softmax; ours is the true
// gradient, so gradcheck applies to log_probs directly.) No second derivative, as in PyTorch.
#include <cmath>
#include <limits>
#include <vector>

#include "fluxion/autograd.h"
#include "fluxion/nn/functional/loss.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/pointwise.h"
#include "fluxion/ops/reduce.h"
#include "nn/loss_util.h"

namespace fluxion::nn::functional {

namespace {
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double log_add(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::fabs(a - b)));
}

std::vector<int64_t> to_int_vector(const Tensor& t, const char* op, const char* what) {
  FX_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32, op, ": ", what, " must be an int64 or int32 tensor, got ",
           t.dtype());
  Tensor c = t.to(kCPU, kInt64).contiguous();  // read on the host (lengths and labels may be on a GPU)
  return std::vector<int64_t>(c.data_ptr<int64_t>(), c.data_ptr<int64_t>() + c.numel());
}

/// Loss and d loss / d lp for one sequence. lp: (T, C) row-major doubles for this batch element.
double ctc_one(const double* lp, int64_t C, int64_t Tn, const int64_t* labels, int64_t L, int64_t blank,
               std::vector<double>& grad /* (T, C), filled for t < Tn */) {
  const int64_t S = 2 * L + 1;
  auto lab = [&](int64_t s) { return (s % 2 == 0) ? blank : labels[s / 2]; };
  if (Tn == 0) return L == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  std::vector<double> alpha(static_cast<size_t>(Tn * S), kNegInf), beta(static_cast<size_t>(Tn * S), kNegInf);
  alpha[0] = lp[blank];
  if (S > 1) alpha[1] = lp[lab(1)];
  for (int64_t t = 1; t < Tn; ++t) {
    for (int64_t s = 0; s < S; ++s) {
      double a = alpha[(t - 1) * S + s];
      if (s >= 1) a = log_add(a, alpha[(t - 1) * S + s - 1]);
      if (s >= 2 && lab(s) != blank && lab(s) != lab(s - 2)) a = log_add(a, alpha[(t - 1) * S + s - 2]);
      alpha[t * S + s] = a == kNegInf ? kNegInf : a + lp[t * C + lab(s)];
    }
  }
  double ll = alpha[(Tn - 1) * S + S - 1];
  if (S > 1) ll = log_add(ll, alpha[(Tn - 1) * S + S - 2]);
  const double nll = -ll;
  if (!std::isfinite(nll)) return nll;

  beta[(Tn - 1) * S + S - 1] = lp[(Tn - 1) * C + lab(S - 1)];
  if (S > 1) beta[(Tn - 1) * S + S - 2] = lp[(Tn - 1) * C + lab(S - 2)];
  for (int64_t t = Tn - 2; t >= 0; --t) {
    for (int64_t s = 0; s < S; ++s) {
      double b = beta[(t + 1) * S + s];
      if (s + 1 < S) b = log_add(b, beta[(t + 1) * S + s + 1]);
      if (s + 2 < S && lab(s) != blank && lab(s) != lab(s + 2)) b = log_add(b, beta[(t + 1) * S + s + 2]);
      beta[t * S + s] = b == kNegInf ? kNegInf : b + lp[t * C + lab(s)];
    }
  }
  std::vector<double> lcab(static_cast<size_t>(C));
  for (int64_t t = 0; t < Tn; ++t) {
    std::fill(lcab.begin(), lcab.end(), kNegInf);
    for (int64_t s = 0; s < S; ++s) lcab[lab(s)] = log_add(lcab[lab(s)], alpha[t * S + s] + beta[t * S + s]);
    for (int64_t c = 0; c < C; ++c)
      grad[t * C + c] = lcab[c] == kNegInf ? 0.0 : -std::exp(lcab[c] - lp[t * C + c] + nll);
  }
  return nll;
}
}  // namespace

Tensor ctc_loss(const Tensor& log_probs, const Tensor& targets, const Tensor& input_lengths,
                const Tensor& target_lengths, int64_t blank, const std::string& reduction, bool zero_infinity) {
  const char* op = "ctc_loss";
  detail::check_reduction(reduction, op);
  detail::check_defined(log_probs, op, "log_probs");
  detail::check_defined(targets, op, "targets");
  detail::check_defined(input_lengths, op, "input_lengths");
  detail::check_defined(target_lengths, op, "target_lengths");
  detail::check_floating(log_probs, op, "log_probs");
  FX_CHECK(log_probs.dim() == 3 || log_probs.dim() == 2, op, ": log_probs must be (T, N, C) or (T, C), got ",
           log_probs.sizes());
  const bool unbatched = log_probs.dim() == 2;
  Tensor lp_in = unbatched ? log_probs.unsqueeze(1) : log_probs;  // (T, N, C)
  const int64_t T = lp_in.size(0), N = lp_in.size(1), C = lp_in.size(2);
  FX_CHECK(blank >= 0 && blank < C, op, ": blank ", blank, " must be in [0, ", C, ")");
  std::vector<int64_t> in_len = to_int_vector(input_lengths, op, "input_lengths");
  std::vector<int64_t> tg_len = to_int_vector(target_lengths, op, "target_lengths");
  FX_CHECK(static_cast<int64_t>(in_len.size()) == N && static_cast<int64_t>(tg_len.size()) == N, op,
           ": input_lengths (", in_len.size(), " values) and target_lengths (", tg_len.size(),
           " values) must have one entry per batch element (N = ", N, ")");
  std::vector<int64_t> tg = to_int_vector(targets, op, "targets");
  const bool padded = !unbatched && targets.dim() == 2;
  if (padded)
    FX_CHECK(targets.size(0) == N, op, ": padded targets of sizes ", targets.sizes(), " must have N = ", N, " rows");
  else
    FX_CHECK(targets.dim() == 1, op, ": targets must be (N, S) padded or 1-d concatenated, got ", targets.sizes());
  const int64_t S_max = padded ? targets.size(1) : 0;
  std::vector<int64_t> start(static_cast<size_t>(N));
  int64_t total = 0;
  for (int64_t n = 0; n < N; ++n) {
    FX_CHECK(in_len[n] >= 0 && in_len[n] <= T, op, ": input_lengths[", n, "] = ", in_len[n], " must be in [0, ", T,
             "]");
    FX_CHECK(tg_len[n] >= 0, op, ": target_lengths[", n, "] = ", tg_len[n], " must be non-negative");
    if (padded) {
      FX_CHECK(tg_len[n] <= S_max, op, ": target_lengths[", n, "] = ", tg_len[n], " exceeds the padded target length ",
               S_max);
      start[n] = n * S_max;
    } else {
      start[n] = total;
    }
    total += tg_len[n];
  }
  if (!padded)
    FX_CHECK(total <= static_cast<int64_t>(tg.size()), op, ": target_lengths sum to ", total, " but targets hold only ",
             tg.size(), " labels");
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < tg_len[n]; ++i) {
      int64_t v = tg[start[n] + i];
      FX_CHECK(v >= 0 && v < C && v != blank, op, ": target label ", v, " (batch ", n, ", position ", i,
               ") must be in [0, ", C, ") and differ from blank = ", blank);
    }

  // The recursions run on the host; a CUDA input is copied back and the loss and its gradient
  // table go to its device.
  const Device dev = log_probs.device();
  Tensor lp64 = lp_in.detach().to(kCPU, kFloat64).permute({1, 0, 2}).contiguous();  // (N, T, C)
  const double* lpp = lp64.data_ptr<double>();
  std::vector<double> losses(static_cast<size_t>(N));
  std::vector<double> grad(static_cast<size_t>(N * T * C), 0.0);  // (N, T, C)
  std::vector<double> g1(static_cast<size_t>(T * C));
  for (int64_t n = 0; n < N; ++n) {
    std::fill(g1.begin(), g1.end(), 0.0);
    double nll = ctc_one(lpp + n * T * C, C, in_len[n], tg.data() + start[n], tg_len[n], blank, g1);
    if (std::isinf(nll)) {
      if (zero_infinity) nll = 0.0;
      std::fill(g1.begin(), g1.end(), 0.0);
    }
    losses[n] = nll;
    std::copy(g1.begin(), g1.end(), grad.begin() + n * T * C);
  }
  const DType dt = log_probs.dtype();
  Tensor loss = tensor(losses, Shape{N}, TensorOptions(kFloat64)).to(dev, dt);
  if (autograd::needs_record({&lp_in})) {
    Tensor table = tensor(grad, Shape{N, T, C}, TensorOptions(kFloat64)).to(dev, dt).permute({1, 0, 2});  // (T, N, C)
    autograd::record(
        "CtcLossBackward0", {lp_in}, {loss},
        [table, N](const autograd::BackwardArgs& a) {
          return TensorList{table * a.grad().reshape({1, N, 1})};
        },
        [&](const TensorList& t) {
          return TensorList{(table * t[0]).sum({0, 2})};
        });
  }
  Tensor out;
  if (reduction == "none") {
    out = loss;
  } else if (reduction == "sum") {
    out = loss.sum();
  } else {
    std::vector<double> len(static_cast<size_t>(N));
    for (int64_t n = 0; n < N; ++n) len[n] = static_cast<double>(std::max<int64_t>(tg_len[n], 1));
    out = (loss / tensor(len, Shape{N}, TensorOptions(kFloat64)).to(dev, dt)).mean();
  }
  return unbatched && reduction == "none" ? out.squeeze(0) : out;
}

}  // namespace fluxion::nn::functional
