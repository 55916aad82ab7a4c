// Derivatives of every differentiable elementwise op: gradcheck (finite differences, f64),
// gradgradcheck (second derivatives through the VJP) and jvp_vjp_check (forward mode against
// reverse mode), plus broadcasting/promotion of gradients and in-place ops under autograd.
#include <gtest/gtest.h>

#include <functional>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;

namespace {

using Fn = std::function<TensorList(const TensorList&)>;

// gradcheck perturbs the inputs in place between forward passes; feeding the op a clone (whose
// gradient is the identity) keeps the op's saved inputs unmodified.
Fn via_clone(const Fn& f) {
  return [f](const TensorList& in) {
    TensorList c;
    for (const Tensor& t : in) c.push_back(t.defined() && t.is_floating_point() ? t.clone() : t);
    return f(c);
  };
}

// Inputs in (lo, hi) away from 0 by at least `gap` (kinks of relu/abs/... sit at 0 or +-bounds).
Tensor uniform(const fx::Shape& s, double lo, double hi, uint64_t seed) {
  fx::Generator g(seed);
  return (fx::rand(s, fx::TensorOptions(fx::kFloat64), &g) * (hi - lo) + lo).requires_grad_();
}
Tensor away_from(const fx::Shape& s, double gap, double span, uint64_t seed) {
  fx::Generator g(seed);
  Tensor u = fx::rand(s, fx::TensorOptions(fx::kFloat64), &g) * span + gap;
  fx::Generator g2(seed + 100);
  Tensor sign = fx::rand(s, fx::TensorOptions(fx::kFloat64), &g2) > 0.5;
  return fx::where(sign, u, -u).detach().requires_grad_();
}

// Second derivatives: gradcheck of (x, v) -> v^T J(x), built like autograd::gradgradcheck but
// on clones of x and v (fx::autograd::gradgradcheck hands its perturbed-in-place cotangents
// straight to the VJP, whose ops save them, so it reports a version-counter error instead).
bool gradgrad(const Fn& f, const TensorList& in) {
  TensorList outs = f(in);
  fx::Generator gen(99);
  TensorList args = in;
  for (const Tensor& o : outs) args.push_back(fx::randn(o.sizes(), fx::TensorOptions(o.dtype()), &gen));
  const size_t n = in.size();
  Fn vjp = [f, n](const TensorList& a) {
    fx::EnableGradGuard eg;  // gradcheck evaluates finite differences under no_grad
    TensorList ins, cot;
    for (size_t i = 0; i < a.size(); ++i) (i < n ? ins : cot).push_back(a[i].clone());
    TensorList os = f(ins);
    TensorList g = fx::autograd::grad(os, ins, cot, true, /*create_graph=*/true, /*allow_unused=*/true);
    TensorList r;
    for (const Tensor& t : g)
      if (t.defined()) r.push_back(t);
    return r;
  };
  return fx::autograd::gradcheck(vjp, args, 1e-6, 1e-5, 1e-3, /*check_noncontiguous=*/false);
}

void check_all(const Fn& f, const TensorList& in, bool second = true) {
  const Fn g = via_clone(f);
  EXPECT_TRUE(fx::autograd::gradcheck(g, in));
  if (second) {
    EXPECT_TRUE(gradgrad(g, in));
  }
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(g, in));
}

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> f;
  double lo, hi;  // input range (kinked ops use away_from instead when lo > hi)
};

}  // namespace

TEST(PointwiseGrad, UnaryMath) {
  const std::vector<UnaryCase> cases = {
      {"neg", [](const Tensor& x) { return -x; }, -2, 2},
      {"abs", [](const Tensor& x) { return x.abs(); }, 1, 0},
      {"exp", [](const Tensor& x) { return x.exp(); }, -2, 2},
      {"exp2", [](const Tensor& x) { return x.exp2(); }, -2, 2},
      {"log", [](const Tensor& x) { return x.log(); }, 0.2, 3},
      {"log2", [](const Tensor& x) { return x.log2(); }, 0.2, 3},
      {"log10", [](const Tensor& x) { return x.log10(); }, 0.2, 3},
      {"log1p", [](const Tensor& x) { return x.log1p(); }, -0.5, 3},
      {"expm1", [](const Tensor& x) { return x.expm1(); }, -2, 2},
      {"sqrt", [](const Tensor& x) { return x.sqrt(); }, 0.2, 3},
      {"rsqrt", [](const Tensor& x) { return x.rsqrt(); }, 0.2, 3},
      {"reciprocal", [](const Tensor& x) { return x.reciprocal(); }, 0.3, 3},
      {"square", [](const Tensor& x) { return x.square(); }, -2, 2},
      {"sin", [](const Tensor& x) { return x.sin(); }, -3, 3},
      {"cos", [](const Tensor& x) { return x.cos(); }, -3, 3},
      {"tan", [](const Tensor& x) { return x.tan(); }, -1.2, 1.2},
      {"asin", [](const Tensor& x) { return x.asin(); }, -0.9, 0.9},
      {"acos", [](const Tensor& x) { return x.acos(); }, -0.9, 0.9},
      {"atan", [](const Tensor& x) { return x.atan(); }, -3, 3},
      {"sinh", [](const Tensor& x) { return x.sinh(); }, -2, 2},
      {"cosh", [](const Tensor& x) { return x.cosh(); }, -2, 2},
      {"tanh", [](const Tensor& x) { return x.tanh(); }, -2, 2},
      {"sigmoid", [](const Tensor& x) { return x.sigmoid(); }, -3, 3},
      {"relu", [](const Tensor& x) { return x.relu(); }, 1, 0},
      {"silu", [](const Tensor& x) { return x.silu(); }, -3, 3},
      {"erf", [](const Tensor& x) { return x.erf(); }, -2, 2},
      {"erfc", [](const Tensor& x) { return x.erfc(); }, -2, 2},
      {"frac", [](const Tensor& x) { return x.frac(); }, 0.1, 0.9},
      {"pow_scalar", [](const Tensor& x) { return x.pow(2.5); }, 0.2, 2},
      {"pow_two", [](const Tensor& x) { return x.pow(2); }, -2, 2},
      {"logit", [](const Tensor& x) { return x.logit(); }, 0.1, 0.9},
      {"logit_eps", [](const Tensor& x) { return x.logit(0.05); }, 0.1, 0.9},
      {"clamp", [](const Tensor& x) { return x.clamp(-0.5, 0.7); }, 1, 0},
      {"clamp_min", [](const Tensor& x) { return x.clamp_min(0.3); }, 1, 0},
      {"nan_to_num", [](const Tensor& x) { return x.nan_to_num(); }, -2, 2},
  };
  uint64_t seed = 1;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Tensor x = c.lo < c.hi ? uniform({2, 3}, c.lo, c.hi, seed) : away_from({2, 3}, 0.1, 1.5, seed);
    ++seed;
    auto f = c.f;
    check_all([f](const TensorList& in) { return TensorList{f(in[0])}; }, {x});
  }
}

TEST(PointwiseGrad, Activations) {
  const std::vector<UnaryCase> cases = {
      {"leaky_relu", [](const Tensor& x) { return fx::leaky_relu(x, 0.2); }, 1, 0},
      {"elu", [](const Tensor& x) { return fx::elu(x, 1.3, 1.1, 0.9); }, 1, 0},
      {"selu", [](const Tensor& x) { return fx::selu(x); }, 1, 0},
      {"celu", [](const Tensor& x) { return fx::celu(x, 0.7); }, 1, 0},
      {"gelu", [](const Tensor& x) { return fx::gelu(x); }, -3, 3},
      {"gelu_tanh", [](const Tensor& x) { return fx::gelu(x, "tanh"); }, -3, 3},
      {"softplus", [](const Tensor& x) { return fx::softplus(x, 1.5, 20); }, -3, 3},
      {"mish", [](const Tensor& x) { return fx::mish(x); }, -3, 3},
      {"hardtanh", [](const Tensor& x) { return fx::hardtanh(x, -0.5, 0.8); }, 1, 0},
      {"hardsigmoid", [](const Tensor& x) { return fx::hardsigmoid(x * 4); }, 1, 0},
      {"hardswish", [](const Tensor& x) { return fx::hardswish(x * 4); }, 1, 0},
      {"softsign", [](const Tensor& x) { return fx::softsign(x); }, 1, 0},
      {"tanhshrink", [](const Tensor& x) { return fx::tanhshrink(x); }, -2, 2},
      {"logsigmoid", [](const Tensor& x) { return fx::logsigmoid(x); }, -3, 3},
      {"relu6", [](const Tensor& x) { return fx::relu6(x * 5); }, 1, 0},
  };
  uint64_t seed = 50;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Tensor x = c.lo < c.hi ? uniform({2, 3}, c.lo, c.hi, seed) : away_from({2, 3}, 0.1, 1.5, seed);
    ++seed;
    auto f = c.f;
    check_all([f](const TensorList& in) { return TensorList{f(in[0])}; }, {x});
  }
}

TEST(PointwiseGrad, BinaryWithBroadcasting) {
  struct BinCase {
    const char* name;
    std::function<Tensor(const Tensor&, const Tensor&)> f;
    double lo, hi;
  };
  const std::vector<BinCase> cases = {
      {"add", [](const Tensor& a, const Tensor& b) { return fx::add(a, b, 2.5); }, -2, 2},
      {"sub", [](const Tensor& a, const Tensor& b) { return fx::sub(a, b, 0.5); }, -2, 2},
      {"mul", [](const Tensor& a, const Tensor& b) { return a * b; }, -2, 2},
      {"div", [](const Tensor& a, const Tensor& b) { return a / b; }, 0.5, 2},
      {"pow", [](const Tensor& a, const Tensor& b) { return fx::pow(a, b); }, 0.5, 2},
      {"atan2", [](const Tensor& a, const Tensor& b) { return fx::atan2(a, b); }, 0.3, 2},
      {"maximum", [](const Tensor& a, const Tensor& b) { return fx::maximum(a, b); }, -2, 2},
      {"minimum", [](const Tensor& a, const Tensor& b) { return fx::minimum(a, b); }, -2, 2},
      // Quotients between 0 and 3, so the divisor's gradient (-trunc/floor(a / b)) is not all zero.
      {"fmod", [](const Tensor& a, const Tensor& b) { return fx::fmod(a * 5, b + 1); }, 0.3, 0.9},
      {"remainder", [](const Tensor& a, const Tensor& b) { return fx::remainder(a * -5, b + 1); }, 0.3, 0.9},
      {"lerp_scalar",
       [](const Tensor& a, const Tensor& b) {
         return fx::lerp(a, b.expand({2, 3}), 0.3);
       },
       -2, 2},
      {"where", [](const Tensor& a, const Tensor& b) { return fx::where(a > 0, a, b); }, -2, 2},
  };
  uint64_t seed = 100;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Tensor a = uniform({2, 3}, c.lo, c.hi, seed), b = uniform({3}, c.lo, c.hi, seed + 1);
    seed += 2;
    auto f = c.f;
    check_all([f](const TensorList& in) { return TensorList{f(in[0], in[1])}; }, {a, b});
  }
}

TEST(PointwiseGrad, NumberOperandsBothWaysRound) {
  Tensor x = uniform({2, 3}, 0.5, 2, 7);
  check_all([](const TensorList& in) { return TensorList{2.0 - in[0] * 3 + in[0] / 4}; }, {x});
  check_all([](const TensorList& in) { return TensorList{1.5 / in[0]}; }, {x});
  check_all([](const TensorList& in) { return TensorList{fx::pow(2.0, in[0])}; }, {x});
  check_all([](const TensorList& in) { return TensorList{fx::rsub(in[0], 1.0, 2.0)}; }, {x});
  check_all([](const TensorList& in) { return TensorList{fx::where(in[0] > 1, in[0], 0.5)}; }, {x});
  check_all([](const TensorList& in) { return TensorList{fx::where(in[0] > 1, -1.0, in[0])}; }, {x});
}

TEST(PointwiseGrad, TernaryOps) {
  Tensor s = uniform({2, 3}, -1, 1, 11), t1 = uniform({3}, -1, 1, 12), t2 = uniform({2, 1}, 0.5, 2, 13);
  check_all([](const TensorList& in) { return TensorList{fx::addcmul(in[0], in[1], in[2], 0.7)}; }, {s, t1, t2});
  check_all([](const TensorList& in) { return TensorList{fx::addcdiv(in[0], in[1], in[2], -1.5)}; }, {s, t1, t2});
  Tensor w = uniform({2, 3}, 0, 1, 14);
  check_all([](const TensorList& in) { return TensorList{fx::lerp(in[0], in[1].expand({2, 3}), in[2])}; }, {s, t1, w});
  // clamp with tensor bounds, away from the bounds (x in [-1, 1], bounds +-0.1.. and 1.2+).
  Tensor x = away_from({2, 3}, 0.3, 1.5, 15);
  Tensor lo = uniform({3}, -0.2, -0.1, 16), hi = uniform({2, 1}, 0.1, 0.2, 17);
  check_all([](const TensorList& in) { return TensorList{fx::clamp(in[0], in[1], in[2])}; }, {x, lo, hi});
  check_all([](const TensorList& in) { return TensorList{fx::clamp(in[0], in[1], Tensor())}; }, {x, lo});
  Tensor v = fx::scalar_tensor(0.5, fx::kFloat64).requires_grad_();
  Tensor mask = fx::tensor({true, false, true, false, false, true}).view({2, 3});
  check_all([mask](const TensorList& in) { return TensorList{in[0].masked_fill(mask, in[1])}; }, {x, v});
}

TEST(PointwiseGrad, GradientsUndoBroadcastAndPromotion) {
  Tensor a = fx::ones({3}, fx::TensorOptions(fx::kFloat32).requires_grad(true));
  Tensor b = fx::full({2, 3}, 2.0, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  Tensor y = a * b;  // float64 (2, 3)
  EXPECT_EQ(y.dtype(), fx::kFloat64);
  y.sum().backward();
  EXPECT_EQ(a.grad().dtype(), fx::kFloat32);
  EXPECT_EQ(a.grad().sizes(), fx::Shape({3}));
  EXPECT_TRUE(fxtest::tensors_close(a.grad(), fx::full({3}, 4.0)));
  EXPECT_TRUE(fxtest::tensors_close(b.grad(), fx::ones({2, 3}, fx::kFloat64)));
  // Integer operands never receive gradients.
  Tensor x = fx::ones({2}, fx::TensorOptions().requires_grad(true));
  Tensor n = fx::tensor({2, 3});
  (x * n).sum().backward();
  EXPECT_TRUE(fxtest::tensors_close(x.grad(), fx::tensor({2.0f, 3.0f})));
}

TEST(PointwiseGrad, ZeroGradientOps) {
  Tensor x = fx::tensor({0.3, 1.7, -2.4}, fx::TensorOptions().requires_grad(true));
  Tensor y = x.floor() + x.ceil() + x.round() + x.trunc() + x.sign() + fx::div(x, 2.0, "floor");
  y.sum().backward();
  EXPECT_TRUE(fxtest::tensors_equal(x.grad(), fx::zeros({3}, fx::kFloat64)));
}

TEST(PointwiseGrad, InPlaceOpsRecordAndCheckLeaves) {
  Tensor leaf = fx::tensor({1.0, 2.0, 3.0}, fx::TensorOptions().requires_grad(true));
  EXPECT_FX_ERROR(leaf.exp_(), "");
  EXPECT_FX_ERROR(leaf.add_(1.0), "");
  Tensor y = leaf * 2;
  y.exp_();
  y.mul_(leaf);
  y.add_(1.0, 2.0);
  y.sum().backward();
  // d/dx [exp(2x) * x] = exp(2x) (2x + 1)
  Tensor expect = (leaf.detach() * 2).exp() * (leaf.detach() * 2 + 1);
  EXPECT_TRUE(fxtest::tensors_close(leaf.grad(), expect, 1e-12, 1e-12));
  // A saved input modified in place is detected in backward.
  Tensor a = fx::tensor({0.5, 1.5}, fx::TensorOptions().requires_grad(true));
  Tensor b = a * 1;
  Tensor z = b.sin();
  b.add_(1.0);
  EXPECT_FX_ERROR(z.sum().backward(), "modified by an inplace operation");
}

TEST(PointwiseGrad, ForwardModeDualNumbers) {
  namespace fad = fx::autograd::forward_ad;
  fad::dual_level level;
  Tensor x = fx::tensor({0.5, -1.0, 2.0});
  Tensor t = fx::tensor({1.0, 2.0, -1.0});
  Tensor d = fad::make_dual(x, t);
  Tensor y = fx::gelu(d) * d.sin() + fx::maximum(d, fx::zeros({3}, fx::kFloat64));
  auto [p, tan] = fad::unpack_dual(y);
  ASSERT_TRUE(tan.defined());
  // Central differences of the same function.
  auto f = [](const Tensor& v) { return fx::gelu(v) * v.sin() + fx::maximum(v, fx::zeros({3}, fx::kFloat64)); };
  const double h = 1e-6;
  Tensor fd = (f(x + t * h) - f(x - t * h)) / (2 * h);
  EXPECT_TRUE(fxtest::tensors_close(tan, fd, 1e-6, 1e-8));
}
