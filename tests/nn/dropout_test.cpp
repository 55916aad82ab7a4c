// Dropout variants: train vs eval behaviour, statistics, gradients, errors.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace F = fluxion::nn::functional;

TEST(Dropout, EvalIsIdentityTrainDropsAndScales) {
  fx::manual_seed(1);
  nn::Dropout drop(0.3);
  fx::Tensor x = fx::ones({200, 100});
  drop->eval();
  EXPECT_TRUE(drop(x).is_same(x));
  drop->train();
  fx::Tensor y = drop(x);
  double zero_frac = (y == 0).to(fx::kFloat64).mean().item<double>();
  EXPECT_NEAR(zero_frac, 0.3, 0.01);  // 20000 Bernoulli(0.3) draws: sd 0.003
  // Survivors are scaled by 1 / (1 - p), so the mean is preserved.
  fx::Tensor kept = y.masked_select(y != 0);
  EXPECT_TRUE(fxtest::tensors_close(kept, fx::full_like(kept, 1.0 / 0.7)));
  EXPECT_NEAR(y.mean().item<double>(), 1.0, 0.02);
  // Two calls draw different masks; reseeding reproduces them.
  EXPECT_FALSE(fxtest::tensors_equal(drop(x), drop(x)));
  fx::manual_seed(42);
  fx::Tensor a = drop(x);
  fx::manual_seed(42);
  EXPECT_TRUE(fxtest::tensors_equal(drop(x), a));
}

TEST(Dropout, GradientIsTheScaledMask) {
  fx::manual_seed(2);
  fx::Tensor x = fx::randn({50, 40}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  fx::Tensor y = F::dropout(x, 0.5, true);
  y.sum().backward();
  fx::Tensor expected = (y != 0).to(fx::kFloat64) * 2.0;
  EXPECT_TRUE(fxtest::tensors_close(x.grad(), expected));
  // p = 0 and p = 1 edge cases.
  fx::Tensor z = fx::randn({10});
  EXPECT_TRUE(F::dropout(z, 0.0, true).is_same(z));
  EXPECT_EQ(F::dropout(z, 1.0, true).abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(F::dropout(z, 0.9, false).is_same(z));
}

TEST(Dropout, InplaceWritesIntoInput) {
  fx::manual_seed(3);
  fx::Tensor x = fx::ones({1000});
  nn::Dropout drop(nn::DropoutOptions(0.5).inplace(true));
  fx::Tensor y = drop(x);
  EXPECT_EQ(y.data_ptr(), x.data_ptr());
  EXPECT_GT((x == 0).sum().item<int64_t>(), 400);
  std::ostringstream os;
  os << *drop;
  EXPECT_EQ(os.str(), "Dropout(p=0.5, inplace=true)");
}

TEST(Dropout, ChannelVariantsZeroWholeChannels) {
  fx::manual_seed(4);
  fx::Tensor x = fx::ones({8, 16, 5, 5});
  fx::Tensor y = nn::Dropout2d(0.5)(x);
  // Each (n, c) plane is all zeros or all 2.
  fx::Tensor plane_max = y.amax({2, 3}), plane_min = y.amin({2, 3});
  EXPECT_TRUE(fxtest::tensors_equal(plane_max, plane_min));
  double frac = (plane_max == 0).to(fx::kFloat64).mean().item<double>();
  EXPECT_GT(frac, 0.3);
  EXPECT_LT(frac, 0.7);
  EXPECT_TRUE(((plane_max == 0) | (plane_max == 2)).all().item<bool>());
  fx::Tensor x1 = fx::ones({4, 6, 10});
  fx::Tensor y1 = nn::Dropout1d(0.5)(x1);
  EXPECT_TRUE(fxtest::tensors_equal(y1.amax({2}), y1.amin({2})));
  fx::Tensor y1u = F::dropout1d(fx::ones({6, 10}), 0.5);  // unbatched (C, L)
  EXPECT_TRUE(fxtest::tensors_equal(y1u.amax({1}), y1u.amin({1})));
  fx::Tensor x3 = fx::ones({2, 4, 3, 3, 3});
  fx::Tensor y3 = nn::Dropout3d(0.5)(x3);
  EXPECT_TRUE(fxtest::tensors_equal(y3.amax({2, 3, 4}), y3.amin({2, 3, 4})));
  nn::Dropout2d d2(0.5);
  d2->eval();
  EXPECT_TRUE(d2(x).is_same(x));
  EXPECT_FX_ERROR(F::dropout2d(fx::ones({4, 4}), 0.5), "expected a 3-d or 4-d");
  EXPECT_FX_ERROR(F::dropout1d(fx::ones({4}), 0.5), "expected a 2-d (C, L) or 3-d (N, C, L) input");
}

TEST(Dropout, AlphaDropoutKeepsSeluStatistics) {
  fx::manual_seed(5);
  fx::Tensor x = fx::randn({400, 250}, fx::kFloat64);
  fx::Tensor y = F::alpha_dropout(x, 0.2, true);
  EXPECT_NEAR(y.mean().item<double>(), 0.0, 0.02);
  EXPECT_NEAR(y.std().item<double>(), 1.0, 0.02);
  // Dropped entries all take the same value a * (-alpha') + b.
  const double alpha = 1.7580993408473766, p = 0.2;
  const double a = 1.0 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
  const double dropped = -alpha * a + alpha * a * p;
  double frac = (fx::abs(y - dropped) < 1e-12).to(fx::kFloat64).mean().item<double>();
  EXPECT_NEAR(frac, 0.2, 0.01);
  nn::AlphaDropout ad(0.2);
  ad->eval();
  EXPECT_TRUE(ad(x).is_same(x));
  ad->train();
  EXPECT_FALSE(fxtest::tensors_close(ad(x), x));
  fx::Tensor fy = nn::FeatureAlphaDropout(0.5)(fx::zeros({4, 8, 3}));
  EXPECT_TRUE(fxtest::tensors_equal(fy.amax({2}), fy.amin({2})));
  // Gradient: d y / d x = a * keep.
  fx::Tensor xg = fx::randn({30, 30}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  fx::Tensor yg = F::alpha_dropout(xg, 0.2, true);
  yg.sum().backward();
  fx::Tensor kept = (fx::abs(yg.detach() - dropped) > 1e-12).to(fx::kFloat64);
  EXPECT_TRUE(fxtest::tensors_close(xg.grad(), kept * a));
}

TEST(Dropout, BadProbabilityIsAnError) {
  EXPECT_FX_ERROR(nn::Dropout(1.5), "dropout probability has to be between 0 and 1, but got 1.5");
  EXPECT_FX_ERROR(F::dropout(fx::ones({2}), -0.1), "between 0 and 1");
  EXPECT_FX_ERROR(F::dropout(fx::ones({2}, fx::kInt64), 0.5), "floating-point input");
}

TEST(Dropout, ParentEvalTurnsChildrenOff) {
  nn::Sequential net(nn::Linear(4, 4), nn::Dropout(0.5), nn::ReLU());
  fx::Tensor x = fx::randn({3, 4});
  net->eval();
  fx::Tensor a = net(x), b = net(x);
  EXPECT_TRUE(fxtest::tensors_equal(a, b));
  net->train();
  fx::manual_seed(9);
  fx::Tensor big = fx::randn({64, 4}).abs() + 1;
  EXPECT_FALSE(fxtest::tensors_equal(net(big), net(big)));
}
