// var / std / var_mean / std_mean, vector norms and logsumexp: values, numerics, errors, gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

TensorList T1(const Tensor& t) { return TensorList{t}; }

TEST(ReduceVar, ValuesAndCorrection) {
  Tensor x = fx::tensor({1.0, 2.0, 3.0, 4.0});
  EXPECT_DOUBLE_EQ(x.var().item<double>(), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(x.var(std::nullopt, 0).item<double>(), 1.25);
  EXPECT_DOUBLE_EQ(x.std(std::nullopt, 0).item<double>(), std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(x.var(std::nullopt, 2).item<double>(), 2.5);
  auto [v, m] = fx::var_mean(x.view({2, 2}), fx::DimList{1}, 0, true);
  EXPECT_TRUE(tensors_equal(v, fx::tensor({{0.25}, {0.25}})));
  EXPECT_TRUE(tensors_equal(m, fx::tensor({{1.5}, {3.5}})));
  auto [s, m2] = fx::std_mean(x);
  EXPECT_DOUBLE_EQ(s.item<double>(), std::sqrt(5.0 / 3.0));
  EXPECT_DOUBLE_EQ(m2.item<double>(), 2.5);
  EXPECT_TRUE(std::isnan(fx::tensor({3.0}).var().item<double>()));                      // 0 / 0
  EXPECT_TRUE(std::isinf(fx::tensor({1.0, 2.0}).var(std::nullopt, 2).item<double>()));  // m2 / 0
  EXPECT_TRUE(std::isnan(fx::zeros({0}).var().item<float>()));
  EXPECT_FX_ERROR(fx::tensor({1, 2}).var(), "floating point");
  EXPECT_FX_ERROR(fx::zeros({2}).std(fx::DimList{1}), "out of range");
}

// Data with a large mean: the naive E[x^2] - E[x]^2 in float loses every digit here.
TEST(ReduceVar, NoCancellationForLargeMean) {
  const int64_t n = 100000;
  Tensor base = fx::arange(n, fx::TensorOptions(fx::kFloat64)).remainder(2.0);  // 0,1,0,1,...: var 0.25
  Tensor x = (base + 1e4).to(fx::kFloat32);
  const double want = 0.25 * n / (n - 1);
  EXPECT_NEAR(x.var().item<double>(), want, 1e-6);
  EXPECT_NEAR(x.view({100, 1000}).var(fx::DimList{1}).mean().item<double>(), 0.25 * 1000 / 999, 1e-6);
  // Column mode: each column of [20000, 5] alternates 0/1 as well.
  EXPECT_NEAR(x.view({-1, 5}).var(fx::DimList{0}).mean().item<double>(), 0.25 * 20000 / 19999, 1e-6);
  Tensor big = (base + 1e9).view({-1, 5});  // f64 with mean 1e9: x^2 needs more than 53 bits
  EXPECT_TRUE(tensors_close(big.var(fx::DimList{0}, 0), fx::full({5}, 0.25, fx::kFloat64), 1e-12, 1e-12));
  EXPECT_TRUE(tensors_close(big.t().var(fx::DimList{1}, 0), fx::full({5}, 0.25, fx::kFloat64), 1e-12, 1e-12));
}

TEST(ReduceNorm, OrdersAndEdgeCases) {
  Tensor x = fx::tensor({3.0f, -4.0f, 0.0f});
  EXPECT_FLOAT_EQ(x.norm().item<float>(), 5.0f);
  EXPECT_FLOAT_EQ(x.norm(1).item<float>(), 7.0f);
  EXPECT_FLOAT_EQ(x.norm(0).item<float>(), 2.0f);
  EXPECT_FLOAT_EQ(x.norm(INFINITY).item<float>(), 4.0f);
  EXPECT_FLOAT_EQ(x.norm(-INFINITY).item<float>(), 0.0f);
  EXPECT_NEAR(x.norm(3).item<float>(), std::cbrt(91.0), 1e-5);
  EXPECT_NEAR(fx::tensor({1.0, 2.0}).norm(-1).item<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(fx::tensor({1.0, 4.0}).norm(0.5).item<double>(), 9.0, 1e-12);
  EXPECT_TRUE(
      tensors_close(fx::frobenius_norm(fx::tensor({{1.0f, 2.0f}, {3.0f, 4.0f}})), fx::scalar_tensor(std::sqrt(30.0f))));
  EXPECT_TRUE(tensors_close(fx::tensor({{3.0f, 4.0f}, {6.0f, 8.0f}}).norm(2, fx::DimList{1}, true),
                            fx::tensor({{5.0f}, {10.0f}})));
  EXPECT_EQ(fx::zeros({0, 3}).norm().item<float>(), 0.0f);
  EXPECT_TRUE(std::isnan(fx::tensor({0.0f, NAN}).norm(INFINITY).item<float>()));
  EXPECT_FX_ERROR(fx::zeros({0}).norm(INFINITY), "inf norm");
  EXPECT_FX_ERROR(fx::tensor({1, 2}).norm(), "floating point");
  EXPECT_EQ(fx::ones({3}, fx::kBFloat16).norm().dtype(), fx::kBFloat16);
}

TEST(ReduceLogsumexp, StableForLargeInputs) {
  Tensor x = fx::tensor({{1000.0f, 1000.0f}, {-1000.0f, -1000.0f}, {-INFINITY, -INFINITY}});
  Tensor l = x.logsumexp({1});
  EXPECT_NEAR(l[0].item<float>(), 1000.0f + std::log(2.0f), 1e-3);
  EXPECT_NEAR(l[1].item<float>(), -1000.0f + std::log(2.0f), 1e-3);
  EXPECT_EQ(l[2].item<float>(), -INFINITY);
  EXPECT_EQ(fx::tensor({INFINITY, 1.0f}).logsumexp({0}).item<float>(), INFINITY);
  EXPECT_TRUE(std::isnan(fx::tensor({NAN, 1.0f}).logsumexp({0}).item<float>()));
  EXPECT_EQ(fx::tensor({1, 2}).logsumexp({0}).dtype(), fx::kFloat32);  // integers become float
  EXPECT_EQ(fx::zeros({0}).logsumexp({0}).item<float>(), -INFINITY);
  // Many elements across the tree: log(n * e^5) = 5 + log(n).
  Tensor many = fx::full({300000}, 5.0f);
  EXPECT_NEAR(many.logsumexp({0}).item<float>(), 5.0f + std::log(300000.0f), 1e-4);
}

TEST(ReduceStatsGrad, VarStd) {
  Tensor x = fx::randn({3, 5}, fx::kFloat64);
  const std::vector<fx::autograd::CheckedFn> fns = {
      [](const TensorList& in) { return T1(in[0].var()); },
      [](const TensorList& in) { return T1(in[0].var(fx::DimList{1}, 0, true)); },
      [](const TensorList& in) { return T1(in[0].std(fx::DimList{0}, 2)); },
      [](const TensorList& in) { return T1(in[0].std()); },
      [](const TensorList& in) {
        auto [v, m] = fx::var_mean(in[0], fx::DimList{1});
        return TensorList{v, m};
      },
      [](const TensorList& in) {
        auto [s, m] = fx::std_mean(in[0], fx::DimList{0}, 1, true);
        return TensorList{s, m};
      },
  };
  for (size_t k = 0; k < fns.size(); ++k) {
    EXPECT_TRUE(fx::autograd::gradcheck(fns[k], {x})) << k;
    EXPECT_TRUE(fx::autograd::gradgradcheck(fns[k], {x})) << k;
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(fns[k], {x})) << k;
  }
  // std of constant data has a zero gradient (not nan), as PyTorch.
  Tensor c = fx::full({4}, 2.0, fx::TensorOptions(fx::kFloat64)).requires_grad_();
  c.std().backward();
  EXPECT_TRUE(tensors_equal(c.grad(), fx::zeros({4}, fx::kFloat64)));
}

TEST(ReduceStatsGrad, Norms) {
  Tensor x = fx::randn({3, 4}, fx::kFloat64) + 0.1;  // no exact zeros
  for (double p : std::vector<double>{2.0, 1.0, 3.0, 1.5, 0.5, -1.0, INFINITY, -INFINITY}) {
    auto f = [p](const TensorList& in) { return T1(in[0].norm(p)); };
    auto g = [p](const TensorList& in) { return T1(in[0].norm(p, fx::DimList{1}, true)); };
    EXPECT_TRUE(fx::autograd::gradcheck(f, {x})) << p;
    EXPECT_TRUE(fx::autograd::gradcheck(g, {x})) << p;
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(g, {x})) << p;
    if (std::isfinite(p) && p != 1.0) {
      EXPECT_TRUE(fx::autograd::gradgradcheck(g, {x})) << p;
    }
  }
  // The gradient of the 2-norm at 0 is 0 (not nan), as PyTorch.
  Tensor z = fx::zeros({3}, fx::kFloat64).requires_grad_();
  z.norm().backward();
  EXPECT_TRUE(tensors_equal(z.grad(), fx::zeros({3}, fx::kFloat64)));
  Tensor z2 = fx::tensor({0.0, 2.0}).requires_grad_();
  z2.norm(0.5).backward();
  EXPECT_FALSE(std::isnan(z2.grad()[0].item<double>()));
  // The inf norm splits the gradient among ties.
  Tensor t = fx::tensor({-3.0, 3.0, 1.0}).requires_grad_();
  t.norm(INFINITY).backward();
  EXPECT_TRUE(tensors_equal(t.grad(), fx::tensor({-0.5, 0.5, 0.0})));
}

TEST(ReduceStatsGrad, Logsumexp) {
  Tensor x = fx::randn({3, 4}, fx::kFloat64);
  for (bool kd : {false, true}) {
    auto f = [kd](const TensorList& in) { return T1(in[0].logsumexp({1}, kd)); };
    EXPECT_TRUE(fx::autograd::gradcheck(f, {x}));
    EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x}));
    EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x}));
  }
  auto all = [](const TensorList& in) { return T1(in[0].logsumexp({0, 1})); };
  EXPECT_TRUE(fx::autograd::gradcheck(all, {x}));
  // The gradient is softmax, finite even for huge inputs.
  Tensor big = fx::tensor({1000.0f, 1000.0f}).requires_grad_();
  big.logsumexp({0}).backward();
  EXPECT_TRUE(tensors_close(big.grad(), fx::tensor({0.5f, 0.5f}), 1e-4, 1e-4));  // float ulp at 1000: 6e-5
}

}  // namespace
