// Pooling: golden outputs/indices/gradients vs PyTorch, derivatives of every order, NaN
// propagation, threading, errors and the pooling modules.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "fluxion/fluxion.h"
#include "fluxion/nn/functional/pooling.h"
#include "fluxion/nn/pooling.h"
#include "nn/nn_conv_test_util.h"

namespace fx = fluxion;
namespace F = fluxion::nn::functional;
using nnconv_test::check_derivatives;
using nnconv_test::ints;
using nnconv_test::leaf;
using nnconv_test::rand64;

TEST(PoolingGolden, MatchesPyTorch) {
  auto cases = nnconv_test::golden_cases({"max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
                                          "adaptive_max_pool2d", "adaptive_avg_pool1d", "max_unpool2d"});
  ASSERT_EQ(cases.size(), 15u);
  for (const auto& c : cases) {
    const std::string op = c.attrs["op"];
    const auto& a = c.attrs;
    fx::Tensor x = leaf(c.at("x"));
    fx::Tensor y, idx;
    if (op == "max_pool2d" || op == "max_pool1d") {
      auto f = op == "max_pool2d" ? F::max_pool2d_with_indices : F::max_pool1d_with_indices;
      std::tie(y, idx) =
          f(x, ints(a["kernel_size"]), ints(a["stride"]), ints(a["padding"]), ints(a["dilation"]), a["ceil_mode"]);
    } else if (op == "avg_pool2d") {
      std::optional<int64_t> div;
      if (a.contains("divisor_override")) div = a["divisor_override"].get<int64_t>();
      y = F::avg_pool2d(x, ints(a["kernel_size"]), ints(a["stride"]), ints(a["padding"]), a["ceil_mode"],
                        a["count_include_pad"], div);
    } else if (op == "avg_pool1d") {
      y = F::avg_pool1d(x, ints(a["kernel_size"]), ints(a["stride"]), ints(a["padding"]), a["ceil_mode"],
                        a["count_include_pad"]);
    } else if (op == "adaptive_avg_pool2d") {
      y = F::adaptive_avg_pool2d(x, ints(a["output_size"]));
    } else if (op == "adaptive_avg_pool1d") {
      y = F::adaptive_avg_pool1d(x, ints(a["output_size"]));
    } else if (op == "adaptive_max_pool2d") {
      std::tie(y, idx) = F::adaptive_max_pool2d_with_indices(x, ints(a["output_size"]));
    } else if (op == "max_unpool2d") {
      y = F::max_unpool2d(x, c.at("idx"), ints(a["kernel_size"]), ints(a["stride"]), ints(a["padding"]),
                          ints(a["output_size"]));
    }
    ASSERT_TRUE(y.defined()) << c.name;
    if (c.has("indices")) {
      ASSERT_TRUE(idx.defined()) << c.name;
      EXPECT_TRUE(fxtest::tensors_equal(idx, c.at("indices"))) << c.name;
    }
    nnconv_test::expect_matches(c, y, {{"x", x}}, 1e-5, 1e-6);
  }
}

TEST(Pooling, DerivativesMaxPool) {
  fx::manual_seed(21);
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::max_pool2d(t[0], 3, 2, 1, 1, true)}; },
                    {rand64({2, 2, 6, 7})});
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::max_pool2d(t[0], {2, 3}, {1, 2}, {1, 1}, {2, 2})};
      },
      {rand64({1, 2, 6, 7})});
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::max_pool1d(t[0], 3, 2, 1)}; },
                    {rand64({2, 3, 9})});
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::adaptive_max_pool2d(t[0], {3, 2})};
      },
      {rand64({2, 2, 5, 7})});
}

TEST(Pooling, DerivativesAvgPool) {
  fx::manual_seed(22);
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::avg_pool2d(t[0], 3, 2, 1, true, false)}; },
                    {rand64({2, 2, 6, 7})});
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::avg_pool2d(t[0], {2, 3}, {2, 1}, {1, 0}, false, true, 4)};
      },
      {rand64({1, 2, 5, 6})});
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::avg_pool1d(t[0], 4, 3, 2, true)}; },
                    {rand64({2, 2, 10})});
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::adaptive_avg_pool2d(t[0], {3, 4})};
      },
      {rand64({2, 2, 5, 7})});
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::adaptive_avg_pool1d(t[0], 4)}; },
                    {rand64({2, 2, 9})});
}

TEST(Pooling, MaxUnpoolInvertsMaxPoolAndIsDifferentiable) {
  fx::manual_seed(23);
  auto x = fx::randn({2, 3, 6, 6}, fx::kFloat64);
  auto [y, idx] = F::max_pool2d_with_indices(x, 2, 2);
  auto up = F::max_unpool2d(y, idx, 2, 2);
  EXPECT_EQ(up.sizes(), x.sizes());
  // Every pooled maximum lands at its position; everything else is zero.
  EXPECT_TRUE(fxtest::tensors_equal(up.flatten(2).gather(2, idx.flatten(2)).view_as(y), y));
  EXPECT_EQ(up.ne(0).sum().item<int64_t>(), y.numel());
  EXPECT_NEAR(up.sum().item<double>(), y.sum().item<double>(), 1e-12);
  check_derivatives(
      [idx = idx](const fx::TensorList& t) {
        return fx::TensorList{F::max_unpool2d(t[0], idx, 2, 2, 0, {7, 6})};
      },
      {rand64({2, 3, 3, 3})});
  auto bad = idx.clone();
  bad.view({-1})[0].fill_(int64_t{99});
  EXPECT_FX_ERROR(F::max_unpool2d(y, bad, 2, 2), "out of bounds");
  // 1-d.
  auto x1 = fx::randn({1, 2, 8});
  auto [y1, i1] = F::max_pool1d_with_indices(x1, 2);
  auto up1 = F::max_unpool1d(y1, i1, 2);
  EXPECT_EQ(up1.sizes(), x1.sizes());
  EXPECT_TRUE(fxtest::tensors_equal(up1.gather(2, i1), y1));
}

TEST(Pooling, NaNPropagatesAndIndicesPointAtIt) {
  auto x = fx::tensor({1.0f, 5.0f, NAN, 2.0f, -1.0f, 3.0f, 0.0f, 7.0f}).reshape({1, 1, 2, 4});
  auto [y, idx] = F::max_pool2d_with_indices(x, 2, 2);
  EXPECT_TRUE(std::isnan(y.view({-1})[1].item<float>()));
  EXPECT_EQ(idx.view({-1})[1].item<int64_t>(), 2);
  EXPECT_EQ(y.view({-1})[0].item<float>(), 5.0f);
  EXPECT_EQ(idx.view({-1})[0].item<int64_t>(), 1);
  // -inf everywhere: the index is the window's first element.
  auto ninf = fx::full({1, 1, 2, 2}, -std::numeric_limits<float>::infinity());
  auto [y2, idx2] = F::max_pool2d_with_indices(ninf, 2);
  EXPECT_EQ(idx2.item<int64_t>(), 0);
}

TEST(Pooling, ThreadedMatchesSingleThreadAndNonContiguous) {
  fx::manual_seed(24);
  auto x = fx::randn({16, 8, 30, 30});
  fx::set_num_threads(1);
  auto [m1, i1] = F::max_pool2d_with_indices(x, 3, 2, 1);
  auto a1 = F::avg_pool2d(x, 3, 2, 1);
  fx::set_num_threads(2);
  auto [m2, i2] = F::max_pool2d_with_indices(x, 3, 2, 1);
  auto a2 = F::avg_pool2d(x, 3, 2, 1);
  EXPECT_TRUE(fxtest::tensors_equal(m1, m2));
  EXPECT_TRUE(fxtest::tensors_equal(i1, i2));
  EXPECT_TRUE(fxtest::tensors_equal(a1, a2));
  auto xt = x.transpose(2, 3);
  EXPECT_TRUE(fxtest::tensors_equal(F::avg_pool2d(xt, 2), F::avg_pool2d(xt.contiguous(), 2)));
  // Unbatched input and half precision.
  auto u = fx::randn({3, 6, 6});
  EXPECT_TRUE(fxtest::tensors_equal(F::max_pool2d(u, 2), F::max_pool2d(u.unsqueeze(0), 2).squeeze(0)));
  auto h = F::avg_pool2d(u.to(fx::kBFloat16), 2);
  EXPECT_EQ(h.dtype(), fx::kBFloat16);
  EXPECT_TRUE(
      fxtest::tensors_close(h.to(fx::kFloat32), F::avg_pool2d(u.to(fx::kBFloat16).to(fx::kFloat32), 2), 1e-2, 1e-2));
}

TEST(Pooling, Errors) {
  auto x = fx::randn({1, 2, 4, 4});
  EXPECT_FX_ERROR(F::max_pool2d(x, 3, 1, 2), "pad should be at most half of effective kernel size");
  EXPECT_FX_ERROR(F::avg_pool2d(x, 2, 1, 2), "pad should be at most half of kernel size");
  EXPECT_FX_ERROR(F::max_pool2d(x, 5), "Output size is too small");
  EXPECT_FX_ERROR(F::max_pool2d(fx::randn({4, 4}), 2), "3-d (unbatched) or 4-d (batched) input");
  EXPECT_FX_ERROR(F::max_pool2d(x, 0), "kernel_size must be greater than zero");
  EXPECT_FX_ERROR(F::max_pool2d(x, {2, 2, 2}), "list of 2 integers");
  EXPECT_FX_ERROR(F::avg_pool2d(x, 2, {}, 0, false, true, 0), "divisor must be not zero");
  EXPECT_FX_ERROR(F::max_pool2d(fx::randn({1, 0, 4, 4}), 2), "non-zero sizes");
  EXPECT_FX_ERROR(F::max_unpool2d(x, fx::zeros({1, 2, 4, 4}), 2), "int64 indices");
}

TEST(PoolingModule, ModulesAndRepr) {
  fx::manual_seed(25);
  auto x = fx::randn({2, 3, 8, 8});
  fx::nn::MaxPool2d mp(fx::nn::MaxPool2dOptions(3).stride(2).padding(1));
  EXPECT_TRUE(fxtest::tensors_equal(mp(x), F::max_pool2d(x, 3, 2, 1)));
  std::ostringstream os;
  mp->pretty_print(os);
  EXPECT_EQ(os.str(), "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=false)");
  fx::nn::MaxPool2d mp2(2);
  auto [y, idx] = mp2->forward_with_indices(x);
  fx::nn::MaxUnpool2d unpool(2);
  EXPECT_EQ(unpool(y, idx).sizes(), x.sizes());
  fx::nn::AvgPool2d ap(fx::nn::AvgPool2dOptions({2, 3}).count_include_pad(false).padding({1, 1}));
  EXPECT_TRUE(fxtest::tensors_equal(ap(x), F::avg_pool2d(x, {2, 3}, {}, {1, 1}, false, false)));
  std::ostringstream os2;
  ap->pretty_print(os2);
  EXPECT_EQ(os2.str(), "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=(1, 1), count_include_pad=false)");
  fx::nn::AdaptiveAvgPool2d gap(1);
  EXPECT_TRUE(fxtest::tensors_close(gap(x).flatten(1), x.mean({2, 3}), 1e-5, 1e-6));
  fx::nn::AdaptiveAvgPool2d keep_w(fx::DimList{2, -1});
  EXPECT_EQ(keep_w(x).sizes(), (fx::Shape{2, 3, 2, 8}));
  fx::nn::AdaptiveMaxPool2d amp(fx::DimList{1, 1});
  EXPECT_TRUE(fxtest::tensors_equal(amp(x).flatten(1), x.amax({2, 3})));
  fx::nn::MaxPool1d m1(2);
  fx::nn::AvgPool1d a1(2);
  auto x1 = fx::randn({2, 3, 8});
  EXPECT_EQ(m1(x1).sizes(), (fx::Shape{2, 3, 4}));
  EXPECT_TRUE(fxtest::tensors_close(a1(x1), F::avg_pool1d(x1, 2)));
  fx::nn::AdaptiveAvgPool1d aa1(3);
  fx::nn::AdaptiveMaxPool1d am1(3);
  EXPECT_EQ(aa1(x1).sizes(), (fx::Shape{2, 3, 3}));
  EXPECT_EQ(am1(x1).sizes(), (fx::Shape{2, 3, 3}));
}

// The 2x2 / stride-2 fast path against a reference built from views: windows as a last dim of 4,
// values from a small integer range so ties are common (the first maximum must win).
TEST(Pooling, TwoByTwoFastPathMatchesWindowReference) {
  fx::manual_seed(5);
  auto x = fx::randint(0, 4, {3, 2, 6, 10}).to(fx::kFloat32);
  auto [y, idx] = F::max_pool2d_with_indices(x, 2);
  auto win = x.reshape({3, 2, 3, 2, 5, 2}).permute({0, 1, 2, 4, 3, 5}).reshape({3, 2, 3, 5, 4});
  auto [ref, k] = win.max(-1);  // first maximum of the row-major window
  EXPECT_TRUE(fxtest::tensors_equal(y, ref));
  auto oh = fx::arange(3, fx::kInt64).reshape({3, 1}), ow = fx::arange(5, fx::kInt64).reshape({1, 5});
  auto ref_idx = (2 * oh + k.div(2, "floor")) * 10 + 2 * ow + k.remainder(2);
  EXPECT_TRUE(fxtest::tensors_equal(idx, ref_idx));
}
