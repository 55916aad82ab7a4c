// Normalisation: golden outputs/gradients/running statistics vs PyTorch, train/eval behaviour of
// the BatchNorm modules (momentum, momentum = None, track_running_stats), derivatives of every
// order, errors and the other normalisation modules.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "fluxion/nn/functional/normalization.h"
#include "fluxion/nn/normalization.h"
#include "nn/nn_conv_test_util.h"

namespace fx = fluxion;
namespace F = fluxion::nn::functional;
using nnconv_test::check_derivatives;
using nnconv_test::leaf;
using nnconv_test::rand64;

TEST(NormGolden, BatchNormTrainEvalAndRunningStats) {
  auto cases = nnconv_test::golden_cases({"batch_norm"});
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    const auto& a = c.attrs;
    fx::Tensor x = leaf(c.at("x"));
    fx::Tensor w = c.has("w") ? leaf(c.at("w")) : fx::Tensor(), b = c.has("b") ? leaf(c.at("b")) : fx::Tensor();
    fx::Tensor rm = c.at("rm").clone(), rv = c.at("rv").clone();
    fx::Tensor y = F::batch_norm(x, rm, rv, w, b, a["training"], a["momentum"], a["eps"]);
    nnconv_test::expect_matches(c, y, nnconv_test::named_inputs(x, w, b), 1e-4, 1e-5);
    if (c.has("rm_after")) {
      EXPECT_TRUE(fxtest::tensors_close(rm, c.at("rm_after"), 1e-5, 1e-6)) << c.name;
      EXPECT_TRUE(fxtest::tensors_close(rv, c.at("rv_after"), 1e-5, 1e-6)) << c.name;
    } else {
      EXPECT_TRUE(fxtest::tensors_equal(rm, c.at("rm"))) << "eval must not touch running stats";
    }
  }
}

TEST(NormGolden, LayerGroupInstanceLocalResponse) {
  auto cases = nnconv_test::golden_cases({"layer_norm", "group_norm", "instance_norm", "local_response_norm"});
  ASSERT_EQ(cases.size(), 6u);
  for (const auto& c : cases) {
    const std::string op = c.attrs["op"];
    const auto& a = c.attrs;
    fx::Tensor x = leaf(c.at("x"));
    fx::Tensor w = c.has("w") ? leaf(c.at("w")) : fx::Tensor(), b = c.has("b") ? leaf(c.at("b")) : fx::Tensor();
    fx::Tensor y, rm, rv;
    if (op == "layer_norm") {
      y = F::layer_norm(x, fx::Shape(a["normalized_shape"].get<std::vector<int64_t>>()), w, b, a["eps"]);
    } else if (op == "group_norm") {
      y = F::group_norm(x, a["num_groups"], w, b, a["eps"]);
    } else if (op == "instance_norm") {
      rm = c.at("rm").clone();
      rv = c.at("rv").clone();
      y = F::instance_norm(x, rm, rv, w, b, true, a["momentum"], a["eps"]);
    } else {
      y = F::local_response_norm(x, a["size"], a["alpha"], a["beta"], a["k"]);
    }
    nnconv_test::expect_matches(c, y, nnconv_test::named_inputs(x, w, b), 1e-4, 1e-5);
    if (rm.defined()) {
      EXPECT_TRUE(fxtest::tensors_close(rm, c.at("rm_after"), 1e-5, 1e-6));
      EXPECT_TRUE(fxtest::tensors_close(rv, c.at("rv_after"), 1e-5, 1e-6));
    }
  }
}

TEST(NormModule, BatchNormMomentumNoneIsCumulativeAverage) {
  auto cases = nnconv_test::golden_cases({"BatchNorm2d_cumulative"});
  ASSERT_EQ(cases.size(), 1u);
  const auto& c = cases[0];
  fx::nn::BatchNorm2d bn(fx::nn::BatchNormOptions(2).momentum(std::nullopt));
  for (const char* k : {"x0", "x1", "x2"}) bn(c.at(k));
  EXPECT_TRUE(fxtest::tensors_close(bn->running_mean, c.at("rm_after"), 1e-5, 1e-6));
  EXPECT_TRUE(fxtest::tensors_close(bn->running_var, c.at("rv_after"), 1e-5, 1e-6));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 3);
  EXPECT_EQ(bn->num_batches_tracked.dtype(), fx::kInt64);
}

TEST(NormModule, BatchNormTrainEvalBehaviour) {
  fx::manual_seed(31);
  fx::nn::BatchNorm2d bn(3);
  auto names = bn->named_buffers().keys();
  EXPECT_EQ(names, (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(bn->state_dict().keys(),
            (std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"}));
  auto x = fx::randn({8, 3, 4, 4}) * 3.0 + 2.0;
  auto y = bn(x);
  // Training: per-channel batch statistics -> mean 0, (biased) variance 1.
  EXPECT_TRUE(fxtest::tensors_close(y.mean({0, 2, 3}), fx::zeros({3}), 0, 1e-5));
  EXPECT_TRUE(fxtest::tensors_close(y.var(fx::DimList{0, 2, 3}, 0), fx::ones({3}), 1e-3, 1e-3));
  // Running stats moved 10% towards the batch statistics (unbiased variance).
  EXPECT_TRUE(fxtest::tensors_close(bn->running_mean, x.mean({0, 2, 3}) * 0.1, 1e-4, 1e-5));
  EXPECT_TRUE(fxtest::tensors_close(bn->running_var, x.var(fx::DimList{0, 2, 3}) * 0.1 + 0.9, 1e-4, 1e-5));
  // Eval: uses the running statistics, does not update them.
  bn->eval();
  auto rm = bn->running_mean.clone();
  auto ye = bn(x);
  EXPECT_TRUE(fxtest::tensors_equal(bn->running_mean, rm));
  auto expect = (x - rm.view({1, 3, 1, 1})) / (bn->running_var.view({1, 3, 1, 1}) + 1e-5).sqrt();
  EXPECT_TRUE(fxtest::tensors_close(ye, expect, 1e-5, 1e-5));
  EXPECT_FALSE(fxtest::tensors_close(ye, y, 1e-2, 1e-2));
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 1);
  // No running stats: batch statistics in eval too.
  fx::nn::BatchNorm2d nostats(fx::nn::BatchNormOptions(3).track_running_stats(false).affine(false));
  EXPECT_TRUE(nostats->named_buffers().size() == 0 && nostats->parameters().empty());
  nostats->eval();
  EXPECT_TRUE(
      fxtest::tensors_close(nostats(x), F::batch_norm(x, fx::Tensor(), fx::Tensor(), {}, {}, true), 1e-6, 1e-6));
  std::ostringstream os;
  bn->pretty_print(os);
  EXPECT_EQ(os.str(), "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=true, track_running_stats=true)");
  fx::nn::BatchNorm1d bn1(4);
  EXPECT_EQ(bn1(fx::randn({5, 4})).sizes(), (fx::Shape{5, 4}));
  EXPECT_EQ(bn1(fx::randn({5, 4, 3})).sizes(), (fx::Shape{5, 4, 3}));
  EXPECT_FX_ERROR(bn1(fx::randn({5, 4, 3, 2})), "expected 2D or 3D input (got 4D input)");
  EXPECT_FX_ERROR(bn(fx::randn({5, 3, 2})), "expected 4D input (got 3D input)");
  bn->train();
  EXPECT_FX_ERROR(bn1(fx::randn({1, 4})), "expected more than 1 value per channel when training");
}

TEST(Norm, DerivativesBatchNorm) {
  fx::manual_seed(32);
  auto rm = fx::randn({3}, fx::kFloat64), rv = fx::rand({3}, fx::kFloat64) + 0.5;
  // Training mode: the statistics depend on x, second derivatives included.
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::batch_norm(t[0], fx::Tensor(), fx::Tensor(), t[1], t[2], true, 0.1, 1e-5)};
      },
      {rand64({4, 3, 2, 2}), rand64({3}), rand64({3})});
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::batch_norm(t[0], fx::Tensor(), fx::Tensor(), {}, {}, true)};
      },
      {rand64({5, 2})});
  // Eval mode.
  check_derivatives(
      [&](const fx::TensorList& t) {
        return fx::TensorList{F::batch_norm(t[0], rm, rv, t[1], t[2], false, 0.1, 1e-3)};
      },
      {rand64({4, 3, 2}), rand64({3}), rand64({3})});
}

TEST(Norm, DerivativesLayerGroupInstanceLrn) {
  fx::manual_seed(33);
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::layer_norm(t[0], {3, 2}, t[1], t[2])};
      },
      {rand64({2, 3, 2}), rand64({3, 2}), rand64({3, 2})});
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::group_norm(t[0], 2, t[1], t[2])}; },
                    {rand64({2, 4, 3}), rand64({4}), rand64({4})});
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::instance_norm(t[0], {}, {}, t[1], t[2])}; },
                    {rand64({2, 3, 4}), rand64({3}), rand64({3})});
  check_derivatives(
      [](const fx::TensorList& t) { return fx::TensorList{F::local_response_norm(t[0], 3, 0.1, 0.75, 2.0)}; },
      {rand64({2, 4, 3})});
}

TEST(Norm, ThreadedMatchesSingleThread) {
  fx::manual_seed(34);
  auto x = fx::randn({32, 16, 12, 12}).requires_grad_(true);
  auto w = fx::randn({16}).requires_grad_(true), b = fx::randn({16}).requires_grad_(true);
  auto run = [&](int th) {
    fx::set_num_threads(th);
    auto y = F::batch_norm(x, {}, {}, w, b, true);
    auto g = fx::autograd::grad({(y * y * y).sum()}, {x, w, b});
    return std::make_tuple(y, g[0], g[1]);
  };
  auto [y1, gx1, gw1] = run(1);
  auto [y2, gx2, gw2] = run(2);
  fx::set_num_threads(2);
  EXPECT_TRUE(fxtest::tensors_equal(y1, y2));
  EXPECT_TRUE(fxtest::tensors_equal(gx1, gx2));
  EXPECT_TRUE(fxtest::tensors_equal(gw1, gw2));
}

TEST(Norm, HalfPrecisionAndNonContiguous) {
  fx::manual_seed(35);
  auto x = fx::randn({4, 3, 5});
  auto ref = F::layer_norm(x, {5});
  auto h = F::layer_norm(x.to(fx::kBFloat16), {5});
  EXPECT_EQ(h.dtype(), fx::kBFloat16);
  EXPECT_TRUE(fxtest::tensors_close(h.to(fx::kFloat32), ref, 5e-2, 5e-2));
  auto xt = fx::randn({5, 3, 4}).transpose(0, 2);  // (4, 3, 5) non-contiguous
  EXPECT_TRUE(fxtest::tensors_close(F::group_norm(xt, 3), F::group_norm(xt.contiguous(), 3), 1e-6, 1e-6));
  EXPECT_TRUE(fxtest::tensors_close(F::batch_norm(xt, {}, {}, {}, {}, true),
                                    F::batch_norm(xt.contiguous(), {}, {}, {}, {}, true), 1e-6, 1e-6));
}

TEST(Norm, Errors) {
  auto x = fx::randn({2, 6, 4});
  EXPECT_FX_ERROR(F::layer_norm(x, {3}), "expected input with shape [*, [3]]");
  EXPECT_FX_ERROR(F::group_norm(x, 4), "divisible by num_groups");
  EXPECT_FX_ERROR(F::batch_norm(x, fx::zeros({5}), fx::ones({5})), "running_mean should contain 6 elements not 5");
  EXPECT_FX_ERROR(F::batch_norm(x, {}, {}), "must be defined in evaluation mode");
  EXPECT_FX_ERROR(F::instance_norm(fx::randn({2, 3, 1})), "more than 1 spatial element");
  EXPECT_FX_ERROR(F::local_response_norm(fx::randn({2, 3}), 2), "3D or higher");
  EXPECT_FX_ERROR(fx::nn::GroupNorm(4, 6), "divisible by num_groups");
}

TEST(NormModule, LayerGroupInstanceLrnModules) {
  fx::manual_seed(36);
  fx::nn::LayerNorm ln(fx::nn::LayerNormOptions({4, 5}));
  EXPECT_TRUE(fxtest::tensors_equal(ln->weight, fx::ones({4, 5})));
  EXPECT_TRUE(fxtest::tensors_equal(ln->bias, fx::zeros({4, 5})));
  auto x = fx::randn({2, 3, 4, 5});
  EXPECT_TRUE(fxtest::tensors_close(ln(x), F::layer_norm(x, {4, 5})));
  std::ostringstream os;
  ln->pretty_print(os);
  EXPECT_EQ(os.str(), "LayerNorm((4, 5), eps=1e-05, elementwise_affine=true)");
  fx::nn::GroupNorm gn(3, 6);
  auto xg = fx::randn({2, 6, 3});
  EXPECT_TRUE(fxtest::tensors_close(gn(xg), F::group_norm(xg, 3)));
  std::ostringstream os2;
  gn->pretty_print(os2);
  EXPECT_EQ(os2.str(), "GroupNorm(3, 6, eps=1e-05, affine=true)");
  fx::nn::InstanceNorm2d in(fx::nn::InstanceNormOptions(3).track_running_stats(true).affine(true));
  EXPECT_EQ(in->named_parameters().keys(), (std::vector<std::string>{"weight", "bias"}));
  auto xi = fx::randn({2, 3, 4, 4});
  auto yi = in(xi);
  EXPECT_TRUE(fxtest::tensors_close(yi.mean({2, 3}), fx::zeros({2, 3}), 0, 1e-5));
  EXPECT_FALSE(fxtest::tensors_close(in->running_mean, fx::zeros({3})));
  in->eval();
  EXPECT_TRUE(fxtest::tensors_close(in(xi), F::batch_norm(xi, in->running_mean, in->running_var, in->weight, in->bias),
                                    1e-5, 1e-5));
  EXPECT_EQ(in(xi[0]).sizes(), (fx::Shape{3, 4, 4}));  // unbatched
  fx::nn::LocalResponseNorm lrn(fx::nn::LocalResponseNormOptions(2));
  std::ostringstream os3;
  lrn->pretty_print(os3);
  EXPECT_EQ(os3.str(), "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)");
  EXPECT_TRUE(fxtest::tensors_close(lrn(xi), F::local_response_norm(xi, 2)));
}
