// nn::init: statistics of every initialiser against its formula, exact fills, orthogonality,
// PyTorch's gain values (golden), and errors.
#include <gtest/gtest.h>

#include <cmath>

#include "fluxion/fluxion.h"
#include "fluxion/nn.h"
#include "nn/nn_core_golden.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace nn = fluxion::nn;
namespace init = fluxion::nn::init;

namespace {
double mean_of(const fx::Tensor& t) { return t.to(fx::kFloat64).mean().item<double>(); }
double std_of(const fx::Tensor& t) { return t.to(fx::kFloat64).std().item<double>(); }
}  // namespace

TEST(Init, CalculateGainGolden) {
  int ran = 0;
  for (const auto& c : nntest::nn_core_cases()) {
    if (c.attrs.value("op", "") != "calculate_gain") continue;
    std::optional<double> param;
    if (!c.attrs["param"].is_null()) param = c.attrs["param"].get<double>();
    EXPECT_NEAR(init::calculate_gain(c.attrs["nonlinearity"].get<std::string>(), param), c.attrs["gain"].get<double>(),
                1e-15)
        << c.name;
    ++ran;
  }
  EXPECT_EQ(ran, 8);
  EXPECT_FX_ERROR(init::calculate_gain("swish"), "unsupported nonlinearity 'swish'");
}

TEST(Init, FansAndErrors) {
  auto [fi, fo] = init::calculate_fan_in_and_fan_out(fx::empty({16, 8, 3, 3}));
  EXPECT_EQ(fi, 8 * 9);
  EXPECT_EQ(fo, 16 * 9);
  EXPECT_FX_ERROR(init::calculate_fan_in_and_fan_out(fx::empty({5})), "fewer than 2 dimensions");
  EXPECT_FX_ERROR(init::kaiming_uniform_(fx::empty({4, 4}), 0.0, "fan_avg"), "mode must be 'fan_in' or 'fan_out'");
  EXPECT_FX_ERROR(init::xavier_normal_(fx::empty({4})), "fewer than 2 dimensions");
  EXPECT_FX_ERROR(init::uniform_(fx::empty({4}, fx::kInt64)), "floating-point tensor");
  EXPECT_FX_ERROR(init::eye_(fx::empty({2, 2, 2})), "only 2-d tensors");
  EXPECT_FX_ERROR(init::orthogonal_(fx::empty({3})), "2 or more dimensions");
}

TEST(Init, UniformNormalConstant) {
  fx::manual_seed(7);
  fx::Tensor t = fx::empty({200, 300});
  init::uniform_(t, -2.0, 3.0);
  EXPECT_GE(t.min().item<float>(), -2.0f);
  EXPECT_LT(t.max().item<float>(), 3.0f);
  EXPECT_NEAR(mean_of(t), 0.5, 0.02);
  EXPECT_NEAR(std_of(t), 5.0 / std::sqrt(12.0), 0.02);
  init::normal_(t, 1.5, 0.5);
  EXPECT_NEAR(mean_of(t), 1.5, 0.005);
  EXPECT_NEAR(std_of(t), 0.5, 0.005);
  init::constant_(t, 0.25);
  EXPECT_TRUE(fxtest::tensors_equal(t, fx::full({200, 300}, 0.25f)));
  init::zeros_(t);
  EXPECT_EQ(t.abs().sum().item<float>(), 0.0f);
  init::ones_(t);
  EXPECT_EQ(t.sum().item<float>(), 60000.0f);
  fx::Tensor e = fx::empty({3, 5}, fx::kFloat64);
  init::eye_(e);
  EXPECT_TRUE(fxtest::tensors_equal(e, fx::eye(3, 5, fx::kFloat64)));
}

TEST(Init, KaimingAndXavierFollowTheirFormulas) {
  fx::manual_seed(11);
  fx::Tensor w = fx::empty({256, 128, 3});  // fan_in = 384, fan_out = 768
  const double fan_in = 384, fan_out = 768;
  init::kaiming_uniform_(w, 0.0, "fan_in", "relu");
  double s = std::sqrt(2.0) / std::sqrt(fan_in);
  EXPECT_NEAR(std_of(w), s, 0.02 * s);
  EXPECT_NEAR(mean_of(w), 0.0, 0.02 * s);
  EXPECT_LE(w.abs().max().item<double>(), std::sqrt(3.0) * s + 1e-6);
  init::kaiming_normal_(w, 0.0, "fan_out", "relu");
  s = std::sqrt(2.0) / std::sqrt(fan_out);
  EXPECT_NEAR(std_of(w), s, 0.02 * s);
  init::kaiming_uniform_(w, std::sqrt(5.0));  // Linear/Conv default: leaky_relu gain with a = sqrt(5)
  s = std::sqrt(2.0 / 6.0) / std::sqrt(fan_in);
  EXPECT_NEAR(std_of(w), s, 0.02 * s);
  EXPECT_LE(w.abs().max().item<double>(), 1.0 / std::sqrt(fan_in) + 1e-6);
  init::xavier_uniform_(w, 2.0);
  s = 2.0 * std::sqrt(2.0 / (fan_in + fan_out));
  EXPECT_NEAR(std_of(w), s, 0.02 * s);
  EXPECT_LE(w.abs().max().item<double>(), std::sqrt(3.0) * s + 1e-6);
  init::xavier_normal_(w);
  s = std::sqrt(2.0 / (fan_in + fan_out));
  EXPECT_NEAR(std_of(w), s, 0.02 * s);
  EXPECT_NEAR(mean_of(w), 0.0, 0.02 * s);
  // Zero-element tensors are left alone.
  fx::Tensor z = fx::empty({0, 4});
  EXPECT_NO_THROW(init::kaiming_uniform_(z));
}

TEST(Init, TruncNormalStaysInBoundsWithTruncatedMoments) {
  fx::manual_seed(13);
  fx::Tensor t = fx::empty({100000}, fx::kFloat64);
  init::trunc_normal_(t, 0.5, 1.0, -0.5, 2.0);
  EXPECT_GE(t.min().item<double>(), -0.5);
  EXPECT_LE(t.max().item<double>(), 2.0);
  // Moments of N(0.5, 1) truncated to [-0.5, 2]: alpha = -1, beta = 1.5.
  auto phi = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); };
  auto Phi = [](double x) { return 0.5 * (1 + std::erf(x / std::sqrt(2.0))); };
  const double a = -1.0, b = 1.5, Z = Phi(b) - Phi(a);
  const double mean = 0.5 + (phi(a) - phi(b)) / Z;
  const double var = 1 + (a * phi(a) - b * phi(b)) / Z - std::pow((phi(a) - phi(b)) / Z, 2);
  EXPECT_NEAR(mean_of(t), mean, 0.01);
  EXPECT_NEAR(std_of(t), std::sqrt(var), 0.01);
  fx::Tensor f = fx::empty({1000});
  init::trunc_normal_(f, 0.0, 0.02, -0.04, 0.04);  // ViT-style
  EXPECT_LE(f.abs().max().item<float>(), 0.04f);
}

TEST(Init, OrthogonalGivesOrthonormalRowsOrColumns) {
  fx::manual_seed(17);
  for (auto shape : {fx::Shape{20, 8}, fx::Shape{8, 20}, fx::Shape{6, 6}, fx::Shape{4, 2, 3, 3}}) {
    SCOPED_TRACE(::testing::PrintToString(std::vector<int64_t>(shape.begin(), shape.end())));
    fx::Tensor w = fx::empty(shape, fx::kFloat64);
    init::orthogonal_(w, 1.5);
    fx::Tensor m = w.reshape({shape[0], -1}) / 1.5;
    const int64_t r = m.size(0), c = m.size(1);
    // Tall: Q^T Q = I (orthonormal columns); wide: Q Q^T = I (orthonormal rows).
    fx::Tensor gram = r >= c ? m.t().matmul(m) : m.matmul(m.t());
    EXPECT_TRUE(fxtest::tensors_close(gram, fx::eye(std::min(r, c), std::nullopt, fx::kFloat64), 1e-10, 1e-12));
  }
  fx::Tensor f = fx::empty({16, 16});
  init::orthogonal_(f);
  EXPECT_TRUE(fxtest::tensors_close(f.t().matmul(f), fx::eye(16), 1e-5, 1e-5));
  // Different draws differ (it is random).
  fx::Tensor g = fx::empty({16, 16});
  init::orthogonal_(g);
  EXPECT_FALSE(fxtest::tensors_close(f, g));
}

TEST(Init, DiracAndSparse) {
  fx::Tensor w = fx::empty({4, 2, 3, 3});
  init::dirac_(w, 2);
  // Convolving with a dirac kernel copies channels: each group's output d sees input channel d.
  EXPECT_EQ(w.sum().item<float>(), 4.0f);
  EXPECT_EQ(w[0][0][1][1].item<float>(), 1.0f);
  EXPECT_EQ(w[1][1][1][1].item<float>(), 1.0f);
  EXPECT_EQ(w[2][0][1][1].item<float>(), 1.0f);
  EXPECT_EQ(w[3][1][1][1].item<float>(), 1.0f);
  fx::Tensor s = fx::empty({10, 6});
  init::sparse_(s, 0.3);
  fx::Tensor zeros_per_col = (s == 0).sum({0});
  EXPECT_TRUE(fxtest::tensors_equal(zeros_per_col, fx::full({6}, int64_t{3})));
}

TEST(Init, WorksOnParametersWithoutRecording) {
  nn::Linear lin(8, 4);
  init::xavier_uniform_(lin->weight);
  init::zeros_(lin->bias);
  EXPECT_TRUE(lin->weight.is_leaf());
  EXPECT_TRUE(lin->weight.requires_grad());
  EXPECT_EQ(lin->bias.abs().sum().item<float>(), 0.0f);
  // The module still trains after re-initialisation.
  lin(fx::ones({2, 8})).sum().backward();
  EXPECT_TRUE(lin->weight.grad().defined());
}
