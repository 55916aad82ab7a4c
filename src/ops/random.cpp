// Random sampling ops. Each op checks its arguments, reserves counters from the generator and
// calls a kernel through the kernel table (see Note [Random stream layout] in
// kernels/random_functors.h). Samples are constants for autograd, except normal(mean, std),
// which is written as mean + std * eps so its gradient is the reparameterisation gradient.
#include <cmath>
#include <limits>

#include "core/vmap_state.h"
#include "fluxion/autograd.h"
#include "fluxion/ops/creation.h"
#include "fluxion/ops/reduce.h"
#include "fluxion/ops/view.h"
#include "fluxion/random.h"
#include "kernels/random_functors.h"
#include "kernels/random_kernels.h"

namespace fluxion {

namespace {

Generator& gen_or_default(Generator* g) { return g ? *g : default_generator(); }

// Whether a draw of values for `dt` uses the 64-bit layout.
bool wide_float(DType dt) { return dt == kFloat64; }

void check_floating(DType dt, const char* op) {
  FX_CHECK(is_floating_point(dt), op, ": expected a floating-point dtype but got ", dtype_name(dt));
}

// Smallest and largest integers `dt` holds exactly (the range randint / random_ may use).
std::pair<double, double> integer_bounds(DType dt) {
  switch (dt) {
    case DType::Bool: return {0, 1};
    case DType::Int8: return {-128, 127};
    case DType::UInt8: return {0, 255};
    case DType::Int32: return {-2147483648.0, 2147483647.0};
    case DType::Int64: return {-9223372036854775808.0, 9223372036854775807.0};
    case DType::Float16: return {-2048, 2048};
    case DType::BFloat16: return {-256, 256};
    case DType::Float32: return {-16777216.0, 16777216.0};
    case DType::Float64: return {-9007199254740992.0, 9007199254740992.0};
  }
  return {0, 0};
}

void check_int_range(int64_t low, int64_t high, DType dt, const char* op) {
  FX_CHECK(low < high, op, ": expected low < high, but got low=", low, " >= high=", high);
  auto [lo, hi] = integer_bounds(dt);
  FX_CHECK(static_cast<double>(low) >= lo && static_cast<double>(high - 1) <= hi, op, ": range [", low, ", ", high,
           ") does not fit dtype ", dtype_name(dt), " (values must lie in [", lo, ", ", hi, "])");
}

// Applies an in-place random fill `write(contiguous_out)` to `t`. Under autograd the samples
// are constants: the op records a zero gradient, as PyTorch's uniform_/normal_ do.
template <class Write>
Tensor& fill_inplace(Tensor& t, const char* op, const Write& write) {
  FX_CHECK(t.defined(), op, ": tensor is undefined");
  if (autograd::needs_record({&t})) {
    autograd::check_inplace(t, op);
    Tensor r = empty(t.sizes(), t.options());
    write(r);
    autograd::record(
        op, {t}, {r}, [](const autograd::BackwardArgs& a) { return TensorList{zeros_like(a.grad())}; },
        [](const TensorList& tan) { return TensorList{zeros_like(tan[0])}; });
    autograd::rebase_inplace(t, r);
    return t;
  }
  if (t.is_contiguous()) {
    write(t);
    if (!is_inference_mode()) t.impl()->storage()->bump_version();
  } else {
    Tensor r = empty(t.sizes(), t.options());
    write(r);
    t.copy_(r);  // bumps the version
  }
  return t;
}

// Inside vmap a random op would see one example and give every example the same numbers; the
// per-example loop instead draws fresh numbers for each, as a loop in the user's code would.
auto draw_counters(Generator* gen, uint64_t n) {
  if (vmap_state::current_level() != 0) vmap_state::no_rule("random number generation");
  return gen_or_default(gen).draw(n);
}

Tensor finish(Tensor t, const TensorOptions& opts) {
  if (opts.requires_grad()) t.requires_grad_(true);
  return t;
}

}  // namespace

// ---- in-place fills ----------------------------------------------------------------------

Tensor& uniform_(Tensor& t, double from, double to, Generator* gen) {
  FX_CHECK(t.defined(), "uniform_: tensor is undefined");
  check_floating(t.dtype(), "uniform_");
  FX_CHECK(std::isfinite(from) && std::isfinite(to) && from <= to,
           "uniform_: expected finite from <= to, got from=", from, " to=", to);
  return fill_inplace(t, "uniform_", [&](const Tensor& out) {
    auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(out.numel(), wide_float(out.dtype())));
    kernels::uniform_kernel.get(out.device().type(), out.dtype())(out, seed, off, from, to);
  });
}

Tensor& normal_(Tensor& t, double mean, double std, Generator* gen) {
  FX_CHECK(t.defined(), "normal_: tensor is undefined");
  check_floating(t.dtype(), "normal_");
  FX_CHECK(std::isfinite(mean) && std::isfinite(std) && std >= 0,
           "normal_: expected finite mean and std >= 0, got mean=", mean, " std=", std);
  return fill_inplace(t, "normal_", [&](const Tensor& out) {
    auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(out.numel(), wide_float(out.dtype())));
    kernels::normal_kernel.get(out.device().type(), out.dtype())(out, seed, off, mean, std);
  });
}

Tensor& exponential_(Tensor& t, double lambd, Generator* gen) {
  FX_CHECK(t.defined(), "exponential_: tensor is undefined");
  check_floating(t.dtype(), "exponential_");
  FX_CHECK(lambd > 0 && std::isfinite(lambd), "exponential_: expected lambd > 0, got ", lambd);
  return fill_inplace(t, "exponential_", [&](const Tensor& out) {
    auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(out.numel(), wide_float(out.dtype())));
    kernels::exponential_kernel.get(out.device().type(), out.dtype())(out, seed, off, lambd);
  });
}

Tensor& bernoulli_(Tensor& t, double p, Generator* gen) {
  FX_CHECK(t.defined(), "bernoulli_: tensor is undefined");
  FX_CHECK(p >= 0 && p <= 1, "bernoulli_: expected 0 <= p <= 1, got p=", p);
  return fill_inplace(t, "bernoulli_", [&](const Tensor& out) {
    auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(out.numel(), true));
    kernels::bernoulli_scalar_kernel.get(out.device().type(), out.dtype())(out, seed, off, p);
  });
}

Tensor& random_(Tensor& t, int64_t low, int64_t high, Generator* gen) {
  FX_CHECK(t.defined(), "random_: tensor is undefined");
  check_int_range(low, high, t.dtype(), "random_");
  uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return fill_inplace(t, "random_", [&](const Tensor& out) {
    auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(out.numel(), range > (uint64_t{1} << 32)));
    kernels::random_int_kernel.get(out.device().type(), out.dtype())(out, seed, off, low, range);
  });
}

// ---- factories ---------------------------------------------------------------------------

Tensor rand(const Shape& sizes, const TensorOptions& opts, Generator* gen) {
  check_floating(opts.dtype(), "rand");
  Tensor t = empty(sizes, opts.requires_grad(false));
  uniform_(t, 0.0, 1.0, gen);
  return finish(t, opts);
}

Tensor randn(const Shape& sizes, const TensorOptions& opts, Generator* gen) {
  check_floating(opts.dtype(), "randn");
  Tensor t = empty(sizes, opts.requires_grad(false));
  normal_(t, 0.0, 1.0, gen);
  return finish(t, opts);
}

Tensor randint(int64_t low, int64_t high, const Shape& sizes, const TensorOptions& opts, Generator* gen) {
  TensorOptions o = opts.has_dtype() ? opts : opts.dtype(kInt64);
  FX_CHECK(!(o.requires_grad() && !is_floating_point(o.dtype())),
           "randint: only floating-point tensors can require "
           "grad, got dtype ",
           dtype_name(o.dtype()));
  check_int_range(low, high, o.dtype(), "randint");
  Tensor t = empty(sizes, o.requires_grad(false));
  random_(t, low, high, gen);
  return finish(t, o);
}

Tensor randint(int64_t high, const Shape& sizes, const TensorOptions& opts, Generator* gen) {
  return randint(0, high, sizes, opts, gen);
}

Tensor randperm(int64_t n, const TensorOptions& opts, Generator* gen) {
  FX_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  TensorOptions o = opts.has_dtype() ? opts : opts.dtype(kInt64);
  FX_CHECK(o.dtype() != kBool, "randperm: dtype bool is not supported");
  FX_CHECK(n == 0 || static_cast<double>(n - 1) <= integer_bounds(o.dtype()).second, "randperm: n=", n,
           " is too large for dtype ", dtype_name(o.dtype()));
  Tensor t = empty({n}, o.requires_grad(false));
  auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(n, true));
  kernels::randperm_kernel.get(t.device().type(), t.dtype())(t, seed, off);
  return finish(t, o);
}

Tensor rand_like(const Tensor& t, Generator* gen) {
  FX_CHECK(t.defined(), "rand_like: tensor is undefined");
  return rand(t.sizes(), t.options(), gen);
}

Tensor randn_like(const Tensor& t, Generator* gen) {
  FX_CHECK(t.defined(), "randn_like: tensor is undefined");
  return randn(t.sizes(), t.options(), gen);
}

Tensor normal(double mean, double std, const Shape& sizes, const TensorOptions& opts, Generator* gen) {
  check_floating(opts.dtype(), "normal");
  FX_CHECK(std >= 0, "normal: expected std >= 0, got ", std);
  Tensor t = empty(sizes, opts.requires_grad(false));
  normal_(t, mean, std, gen);
  return finish(t, opts);
}

Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen) {
  FX_CHECK(mean.defined() && std.defined(), "normal: tensor is undefined");
  FX_CHECK(mean.device() == std.device(), "normal: mean is on ", mean.device().str(), " but std is on ",
           std.device().str());
  DType dt = promote_types(mean.dtype(), std.dtype());
  check_floating(dt, "normal");
  {
    NoGradGuard ng;
    Tensor s = std.to(kCPU).to(kFloat64).contiguous();
    const double* p = s.data_ptr<double>();
    for (int64_t i = 0; i < s.numel(); ++i)
      FX_CHECK(p[i] >= 0, "normal: expected all elements of std >= 0, got ", p[i], " at flat index ", i);
  }
  Shape sizes = broadcast_shapes(mean.sizes(), std.sizes());
  Tensor eps = randn(sizes, TensorOptions(dt).device(mean.device()), gen);
  return mean.to(dt) + std.to(dt) * eps;  // differentiable in mean and std (reparameterisation)
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  FX_CHECK(p.defined(), "bernoulli: tensor is undefined");
  check_floating(p.dtype(), "bernoulli");
  NoGradGuard ng;
  Tensor pd = p.to(kFloat64).contiguous();
  const double* pp = pd.is_cpu() ? pd.data_ptr<double>() : nullptr;
  if (pp) {
    for (int64_t i = 0; i < pd.numel(); ++i)
      FX_CHECK(pp[i] >= 0 && pp[i] <= 1, "bernoulli: expected all probabilities in [0, 1], got ", pp[i],
               " at flat index ", i);
  } else if (pd.numel() > 0) {  // on a device: two reductions instead of a copy to the host
    const double lo = amin(pd).item<double>(), hi = amax(pd).item<double>();
    FX_CHECK(lo >= 0 && hi <= 1, "bernoulli: expected all probabilities in [0, 1], got values in [", lo, ", ", hi, "]");
  }
  Tensor out = empty(p.sizes(), p.options());
  auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(out.numel(), true));
  kernels::bernoulli_tensor_kernel.get(out.device().type(), out.dtype())(out, pd, seed, off);
  return out;
}

Tensor bernoulli(const Tensor& like, double p, Generator* gen) {
  FX_CHECK(like.defined(), "bernoulli: tensor is undefined");
  Tensor out = empty(like.sizes(), like.options());
  bernoulli_(out, p, gen);
  return out;
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, Generator* gen) {
  FX_CHECK(probs.defined(), "multinomial: tensor is undefined");
  FX_CHECK(probs.dim() == 1 || probs.dim() == 2, "multinomial: expected a 1-d or 2-d probability tensor, got sizes ",
           probs.sizes());
  check_floating(probs.dtype(), "multinomial");
  FX_CHECK(num_samples > 0, "multinomial: num_samples must be positive, got ", num_samples);
  const int64_t n = probs.size(-1);
  FX_CHECK(n > 0, "multinomial: the probability tensor has no categories (sizes ", probs.sizes(), ")");
  FX_CHECK(replacement || num_samples <= n, "multinomial: cannot sample ", num_samples, " > ", n,
           " categories without replacement");
  NoGradGuard ng;
  Tensor w = probs.to(kCPU).to(kFloat64).contiguous();
  if (w.dim() == 1) w = w.unsqueeze(0);
  const int64_t rows = w.size(0);
  const double* p = w.data_ptr<double>();
  for (int64_t r = 0; r < rows; ++r) {
    double total = 0;
    int64_t positive = 0;
    for (int64_t j = 0; j < n; ++j) {
      double v = p[r * n + j];
      FX_CHECK(std::isfinite(v) && v >= 0, "multinomial: probabilities must be finite and non-negative, got ", v,
               " in row ", r, " column ", j);
      total += v;
      positive += v > 0;
    }
    FX_CHECK(total > 0, "multinomial: row ", r, " of the probability tensor sums to zero");
    FX_CHECK(replacement || positive >= num_samples, "multinomial: row ", r, " has only ", positive,
             " non-zero categories; cannot draw ", num_samples, " samples without replacement");
  }
  Tensor out = empty({rows, num_samples}, TensorOptions(kInt64));
  auto [seed, off] = draw_counters(gen, kernels::rnd::counters_for(rows * std::max(n, num_samples), true));
  kernels::multinomial_kernel.get(DeviceType::CPU, kFloat64)(out, w, replacement, seed, off);
  if (probs.dim() == 1) out = out.squeeze(0);
  return probs.is_cpu() ? out : out.to(probs.device());
}

}  // namespace fluxion
