// Function transforms: grad, vjp, jvp, jacobians, hessian, hvp, vmap, and their composition.
#include <gtest/gtest.h>

#include <cmath>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fxtest::tensors_close;

TEST(Func, GradMatchesClosedForm) {
  auto df = fx::func::grad([](const fx::Tensor& x) { return (x * x.sin()).sum(); });
  auto x = fx::tensor({0.3, -1.2, 2.0}, fx::kFloat64);
  auto expected = x.sin() + x * x.cos();
  EXPECT_TRUE(tensors_close(df(x), expected, 1e-12, 1e-12));
}

TEST(Func, GradOfGrad) {
  auto f = [](const fx::Tensor& x) { return (x * x * x).sum(); };
  auto d2f = fx::func::grad([f](const fx::Tensor& x) { return fx::func::grad(f)(x).sum(); });
  auto x = fx::tensor({0.5, 2.0}, fx::kFloat64);
  EXPECT_TRUE(tensors_close(d2f(x), fx::tensor({3.0, 12.0}, fx::kFloat64)));
}

TEST(Func, GradArgnumsAndAux) {
  fx::func::Fn f = [](const fx::TensorList& xs) { return fx::TensorList{(xs[0] * xs[1]).sum()}; };
  auto a = fx::tensor({1.0, 2.0}, fx::kFloat64), b = fx::tensor({3.0, 4.0}, fx::kFloat64);
  auto gs = fx::func::grad(f, {0, 1})({a, b});
  EXPECT_TRUE(tensors_close(gs[0], b));
  EXPECT_TRUE(tensors_close(gs[1], a));
  auto ga = fx::func::grad_with_aux(
      [](const fx::TensorList& xs) { return std::make_pair((xs[0] * xs[0]).sum(), fx::TensorList{xs[0] * 10}); })({a});
  EXPECT_TRUE(tensors_close(ga[0], a * 2));
  EXPECT_TRUE(tensors_close(ga[1], a * 10));
  auto [g, v] = fx::func::grad_and_value([](const fx::Tensor& x) { return (x * x).sum(); })(a);
  EXPECT_NEAR(v.item<double>(), 5.0, 1e-12);
  EXPECT_TRUE(tensors_close(g, a * 2));
}

TEST(Func, JvpAndVjpAgree) {
  auto f = [](const fx::Tensor& x) { return x.exp() * x.sum(); };
  auto x = fx::tensor({0.1, 0.2, 0.3}, fx::kFloat64);
  auto u = fx::tensor({1.0, -2.0, 0.5}, fx::kFloat64);
  auto v = fx::tensor({0.3, 0.1, -1.0}, fx::kFloat64);
  auto [y, ju] = fx::func::jvp(f, x, u);
  auto [y2, pb] = fx::func::vjp(f, x);
  EXPECT_TRUE(tensors_close(y, y2));
  double lhs = (ju * v).sum().item<double>();
  double rhs = (pb(v) * u).sum().item<double>();
  EXPECT_NEAR(lhs, rhs, 1e-12);
}

TEST(Func, JacobiansForwardAndReverseAgree) {
  auto f = [](const fx::Tensor& x) { return (x * x).cumsum(0); };
  auto x = fx::tensor({1.0, 2.0, 3.0}, fx::kFloat64);
  auto jr = fx::func::jacrev(f)(x);
  auto jf = fx::func::jacfwd(f)(x);
  auto expected = fx::tensor({{2.0, 0.0, 0.0}, {2.0, 4.0, 0.0}, {2.0, 4.0, 6.0}}, fx::kFloat64);
  EXPECT_TRUE(tensors_close(jr, expected));
  EXPECT_TRUE(tensors_close(jf, expected));
  auto jj = fx::func::jacfwd(fx::func::jacrev([](const fx::Tensor& t) { return (t * t * t).sum(); }))(x);
  EXPECT_TRUE(tensors_close(jj, fx::tensor({{6.0, 0.0, 0.0}, {0.0, 12.0, 0.0}, {0.0, 0.0, 18.0}}, fx::kFloat64)));
}

TEST(Func, RosenbrockHessian) {
  // f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 at (1, 1): H = [[802, -400], [-400, 200]]
  auto f = [](const fx::Tensor& p) {
    auto x = p.select(0, 0), y = p.select(0, 1);
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
  };
  auto H = fx::func::hessian(f)(fx::tensor({1.0, 1.0}, fx::kFloat64));
  EXPECT_TRUE(tensors_close(H, fx::tensor({{802.0, -400.0}, {-400.0, 200.0}}, fx::kFloat64)));
}

TEST(Func, VmapPerSampleGradients) {
  auto w = fx::tensor({0.5, -1.0}, fx::kFloat64);
  auto xs = fx::tensor({{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}}, fx::kFloat64);
  auto per_sample = fx::func::vmap(fx::func::grad([&](const fx::Tensor& x) { return (x * w).sum().tanh(); }));
  int64_t before = fx::func::vmap_fallback_count();
  auto g = per_sample(xs);
  EXPECT_EQ(fx::func::vmap_fallback_count(), before);  // batched: no per-example loop
  ASSERT_EQ(g.sizes(), fx::Shape({3, 2}));
  for (int i = 0; i < 3; ++i) {
    double s = (xs[i] * w).sum().item<double>();
    double d = 1 - std::tanh(s) * std::tanh(s);
    EXPECT_TRUE(tensors_close(g[i], w * d));
  }
}

// Forward-over-reverse must not leak: exp's JVP (t * y) reads exp's own output before y gets its
// node; if the tangent's graph held y by handle, y -> tangent -> node -> y would be a cycle that
// keeps every intermediate alive. All memory of the computation must be returned afterwards.
TEST(Func, HessianOfOutputReadingJvpFreesEverything) {
  auto f = [](const fx::Tensor& x) { return (x * x).exp().sum(); };
  auto x = fx::tensor({0.1, -0.4, 0.3}, fx::kFloat64);
  auto fwd_over_rev = fx::func::jacfwd(fx::func::jacrev(f));
  fwd_over_rev(x);  // warm-up: fills the allocator's cache
  const size_t before = fx::cpu_memory_stats().allocated;
  {
    fx::Tensor h = fwd_over_rev(x);
    // f = sum_i exp(x_i^2): the Hessian is diagonal, exp(x^2) (2 + 4 x^2).
    auto expected = fx::eye(3, std::nullopt, fx::kFloat64) * ((x * x).exp() * (2.0 + 4.0 * x * x)).unsqueeze(0);
    EXPECT_TRUE(tensors_close(h, expected, 1e-10, 1e-10));
  }
  EXPECT_EQ(fx::cpu_memory_stats().allocated, before);
}
