// Convolutions: golden outputs/gradients vs PyTorch, a naive reference, derivatives of every
// order, threading, layouts, dtypes, errors, the Conv/ConvTranspose modules and a tiny CNN that
// overfits a batch.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "fluxion/nn/conv.h"
#include "fluxion/nn/functional/conv.h"
#include "fluxion/nn/functional/pooling.h"
#include "fluxion/nn/pooling.h"
#include "nn/nn_conv_test_util.h"

namespace fx = fluxion;
namespace F = fluxion::nn::functional;
using nnconv_test::check_derivatives;
using nnconv_test::ints;
using nnconv_test::leaf;
using nnconv_test::rand64;

namespace {

// Direct 2-d convolution in double loops: the test oracle.
fx::Tensor naive_conv2d(const fx::Tensor& x, const fx::Tensor& w, const fx::Tensor& b, int64_t sh, int64_t sw,
                        int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
  fx::Tensor xc = x.to(fx::kFloat64).contiguous(), wc = w.to(fx::kFloat64).contiguous();
  const int64_t N = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  const int64_t K = w.size(0), Cg = w.size(1), KH = w.size(2), KW = w.size(3), Kg = K / groups;
  const int64_t OH = (H + 2 * ph - dh * (KH - 1) - 1) / sh + 1, OW = (W + 2 * pw - dw * (KW - 1) - 1) / sw + 1;
  std::vector<double> out(static_cast<size_t>(N * K * OH * OW), 0.0);
  const double* xp = xc.data_ptr<double>();
  const double* wp = wc.data_ptr<double>();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          double s = b.defined() ? b.to(fx::kFloat64)[k].item<double>() : 0.0;
          const int64_t g = k / Kg;
          for (int64_t c = 0; c < Cg; ++c)
            for (int64_t i = 0; i < KH; ++i)
              for (int64_t j = 0; j < KW; ++j) {
                const int64_t ih = oh * sh - ph + i * dh, iw = ow * sw - pw + j * dw;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += xp[((n * C + g * Cg + c) * H + ih) * W + iw] * wp[((k * Cg + c) * KH + i) * KW + j];
              }
          out[static_cast<size_t>(((n * K + k) * OH + oh) * OW + ow)] = s;
        }
  (void)C;
  return fx::tensor(out, {N, K, OH, OW}, fx::TensorOptions(fx::kFloat64));
}

}  // namespace

TEST(ConvGolden, FunctionalMatchesPyTorch) {
  auto cases = nnconv_test::golden_cases({"conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d"});
  ASSERT_GE(cases.size(), 14u);
  for (const auto& c : cases) {
    const std::string op = c.attrs["op"];
    fx::Tensor x = leaf(c.at("x")), w = leaf(c.at("w"));
    fx::Tensor b = c.has("b") ? leaf(c.at("b")) : fx::Tensor();
    const auto& a = c.attrs;
    fx::Tensor y;
    if (op.rfind("conv_transpose", 0) == 0) {
      auto f = op == "conv_transpose1d" ? F::conv_transpose1d : F::conv_transpose2d;
      y = f(x, w, b, ints(a["stride"]), ints(a["padding"]), ints(a["output_padding"]), a["groups"],
            ints(a["dilation"]));
    } else {
      F::ConvPadding pad = a["padding"].is_string() ? F::ConvPadding(a["padding"].get<std::string>())
                                                    : F::ConvPadding(ints(a["padding"]));
      auto f = op == "conv1d" ? F::conv1d : op == "conv2d" ? F::conv2d : F::conv3d;
      y = f(x, w, b, ints(a["stride"]), pad, ints(a["dilation"]), a["groups"]);
    }
    nnconv_test::expect_matches(c, y, nnconv_test::named_inputs(x, w, b), 1e-4, 1e-4);
  }
}

TEST(ConvGolden, ModulePaddingModesMatchPyTorch) {
  auto cases = nnconv_test::golden_cases({"Conv2d"});
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    fx::nn::Conv2d m(fx::nn::Conv2dOptions(2, 3, 3)
                         .padding(ints(c.attrs["padding"]))
                         .padding_mode(c.attrs["padding_mode"].get<std::string>()));
    {
      fx::NoGradGuard ng;
      m->weight.copy_(c.at("w"));
      m->bias.copy_(c.at("b"));
    }
    fx::Tensor x = leaf(c.at("x"));
    fx::Tensor y = m(x);
    nnconv_test::expect_matches(c, y, {{"x", x}, {"w", m->weight}, {"b", m->bias}}, 1e-4, 1e-4);
  }
}

TEST(Conv, MatchesNaiveReference) {
  fx::manual_seed(3);
  struct Cfg {
    int64_t N, C, K, H, W, KH, KW, sh, sw, ph, pw, dh, dw, g;
  };
  for (const Cfg& c : {Cfg{2, 4, 6, 9, 8, 3, 2, 2, 1, 1, 0, 1, 2, 2}, Cfg{3, 3, 3, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 3},
                       Cfg{1, 2, 4, 5, 6, 1, 1, 1, 1, 0, 0, 1, 1, 1}, Cfg{4, 1, 6, 12, 12, 5, 5, 1, 1, 0, 0, 1, 1, 1},
                       Cfg{2, 8, 4, 6, 6, 3, 3, 3, 2, 2, 1, 2, 1, 4}}) {
    fx::Tensor x = fx::randn({c.N, c.C, c.H, c.W}), w = fx::randn({c.K, c.C / c.g, c.KH, c.KW}), b = fx::randn({c.K});
    fx::Tensor y = F::conv2d(x, w, b, {c.sh, c.sw}, F::ConvPadding({c.ph, c.pw}), {c.dh, c.dw}, c.g);
    fx::Tensor ref = naive_conv2d(x, w, b, c.sh, c.sw, c.ph, c.pw, c.dh, c.dw, c.g);
    EXPECT_TRUE(fxtest::tensors_close(y.to(fx::kFloat64), ref, 1e-4, 1e-4));
    fx::Tensor y64 = F::conv2d(x.to(fx::kFloat64), w.to(fx::kFloat64), b.to(fx::kFloat64), {c.sh, c.sw},
                               F::ConvPadding({c.ph, c.pw}), {c.dh, c.dw}, c.g);
    EXPECT_TRUE(fxtest::tensors_close(y64, ref, 1e-12, 1e-12));
  }
}

TEST(Conv, DerivativesConv2d) {
  fx::manual_seed(4);
  auto x = rand64({1, 4, 5, 4}), w = rand64({4, 2, 3, 2}), b = rand64({4});
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::conv2d(t[0], t[1], t[2], {2, 1}, F::ConvPadding({1, 1}), {1, 2}, 2)};
      },
      {x, w, b});
}

TEST(Conv, DerivativesConv1dConv3d) {
  fx::manual_seed(5);
  check_derivatives([](const fx::TensorList& t) { return fx::TensorList{F::conv1d(t[0], t[1], t[2], 2, 1, 2)}; },
                    {rand64({2, 3, 9}), rand64({2, 3, 3}), rand64({2})});
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::conv3d(t[0], t[1], fx::Tensor(), {1, 2, 1}, F::ConvPadding({1, 0, 1}))};
      },
      {rand64({1, 2, 3, 4, 3}), rand64({2, 2, 2, 2, 2})});
}

TEST(Conv, DerivativesSamePaddingAndDepthwise) {
  fx::manual_seed(6);
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::conv2d(t[0], t[1], t[2], 1, "same", {2, 1})};
      },
      {rand64({1, 2, 5, 4}), rand64({3, 2, 2, 3}), rand64({3})});
  check_derivatives(
      [](const fx::TensorList& t) { return fx::TensorList{F::conv2d(t[0], t[1], fx::Tensor(), 2, 1, 1, 3)}; },
      {rand64({1, 3, 5, 5}), rand64({3, 1, 3, 3})});
}

TEST(Conv, DerivativesConvTranspose) {
  fx::manual_seed(7);
  check_derivatives(
      [](const fx::TensorList& t) {
        return fx::TensorList{F::conv_transpose2d(t[0], t[1], t[2], 2, 1, 1, 2, {1, 2})};
      },
      {rand64({1, 4, 3, 3}), rand64({4, 1, 3, 2}), rand64({2})});
  check_derivatives(
      [](const fx::TensorList& t) { return fx::TensorList{F::conv_transpose1d(t[0], t[1], fx::Tensor(), 3, 1, 2)}; },
      {rand64({1, 2, 4}), rand64({2, 3, 4})});
}

TEST(Conv, GradientConvolutionsMatchAutogradAndAreDifferentiable) {
  fx::manual_seed(8);
  auto x = rand64({2, 3, 6, 5}), w = rand64({4, 3, 3, 3});
  auto y = F::conv2d(x, w, fx::Tensor(), 2, 1);
  auto gy = fx::randn(y.sizes(), fx::kFloat64);
  auto g = fx::autograd::grad({y}, {x, w}, {gy});
  EXPECT_TRUE(fxtest::tensors_close(F::conv_input_grad(x.sizes(), w, gy, 2, 1), g[0], 1e-12, 1e-12));
  EXPECT_TRUE(fxtest::tensors_close(F::conv_weight_grad(x, w.sizes(), gy, 2, 1), g[1], 1e-12, 1e-12));
  check_derivatives(
      [&](const fx::TensorList& t) {
        return fx::TensorList{F::conv_input_grad({1, 2, 5, 4}, t[0], t[1], 2, 1)};
      },
      {rand64({3, 2, 3, 3}), rand64({1, 3, 3, 2})});
  check_derivatives(
      [&](const fx::TensorList& t) {
        return fx::TensorList{F::conv_weight_grad(t[0], {3, 2, 3, 3}, t[1], 2, 1)};
      },
      {rand64({1, 2, 5, 4}), rand64({1, 3, 3, 2})});
  EXPECT_FX_ERROR(F::conv_input_grad({2, 3, 7, 5}, w, gy, 1, 1), "grad_output has size");
}

TEST(Conv, ThreadedMatchesSingleThread) {
  fx::manual_seed(9);
  auto x = fx::randn({8, 3, 20, 20}).requires_grad_(true), w = fx::randn({5, 3, 3, 3}).requires_grad_(true);
  auto b = fx::randn({5}).requires_grad_(true);
  auto run = [&](int threads) {
    fx::set_num_threads(threads);
    auto y = F::conv2d(x, w, b, 1, 1);
    auto g = fx::autograd::grad({y.square().sum()}, {x, w, b});
    return std::make_tuple(y, g[0], g[1], g[2]);
  };
  auto [y1, gx1, gw1, gb1] = run(1);
  auto [y2, gx2, gw2, gb2] = run(2);
  fx::set_num_threads(2);
  EXPECT_TRUE(fxtest::tensors_equal(y1, y2));
  EXPECT_TRUE(fxtest::tensors_equal(gx1, gx2));
  EXPECT_TRUE(fxtest::tensors_close(gw1, gw2, 1e-5, 1e-4));  // per-thread partial sums: different rounding
  EXPECT_TRUE(fxtest::tensors_close(gb1, gb2, 1e-5, 1e-4));
}

TEST(Conv, NonContiguousUnbatchedAndEmpty) {
  fx::manual_seed(10);
  auto base = fx::randn({2, 3, 7, 6});
  auto xt = base.transpose(2, 3);  // (2, 3, 6, 7), non-contiguous
  ASSERT_FALSE(xt.is_contiguous());
  auto w = fx::randn({4, 3, 3, 3}).transpose(2, 3);
  EXPECT_TRUE(fxtest::tensors_close(F::conv2d(xt, w, fx::Tensor(), 1, 1),
                                    F::conv2d(xt.contiguous(), w.contiguous(), fx::Tensor(), 1, 1), 1e-6, 1e-6));
  // Unbatched (C, H, W) input.
  auto x1 = fx::randn({3, 6, 6});
  auto w1 = fx::randn({2, 3, 3, 3});
  auto y1 = F::conv2d(x1, w1);
  EXPECT_EQ(y1.sizes(), (fx::Shape{2, 4, 4}));
  EXPECT_TRUE(fxtest::tensors_close(y1, F::conv2d(x1.unsqueeze(0), w1).squeeze(0)));
  // Empty batch.
  auto x0 = fx::randn({0, 3, 6, 6}).requires_grad_(true);
  auto w0 = fx::randn({2, 3, 3, 3}).requires_grad_(true);
  auto y0 = F::conv2d(x0, w0);
  EXPECT_EQ(y0.sizes(), (fx::Shape{0, 2, 4, 4}));
  auto g0 = fx::autograd::grad({y0.sum()}, {x0, w0});
  EXPECT_EQ(g0[0].sizes(), x0.sizes());
  EXPECT_EQ(g0[1].abs().sum().item<float>(), 0.0f);
}

TEST(Conv, HalfPrecisionComputesThroughFloat) {
  fx::manual_seed(11);
  auto x = fx::randn({2, 2, 5, 5}), w = fx::randn({3, 2, 3, 3}), b = fx::randn({3});
  auto ref = F::conv2d(x, w, b, 1, 1);
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    auto y = F::conv2d(x.to(dt), w.to(dt), b.to(dt), 1, 1);
    EXPECT_EQ(y.dtype(), dt);
    EXPECT_TRUE(fxtest::tensors_close(y.to(fx::kFloat32), ref, 5e-2, 1e-1));
  }
}

TEST(Conv, ShapeAndArgumentErrors) {
  auto x = fx::randn({2, 3, 8, 8});
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 2, 3, 3})), "to have 2 channels, but got 3 channels");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 9, 3})), "Kernel size can't be greater than actual input size");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 1, 3, 3}), fx::Tensor(), 1, 0, 1, 2),
                  "given groups=2, weight of size [4, 1, 3, 3], expected input[2, 3, 8, 8] to have 2 channels");
  EXPECT_FX_ERROR(F::conv2d(fx::randn({2, 6, 8, 8}), fx::randn({3, 3, 3, 3}), fx::Tensor(), 1, 0, 1, 2),
                  "out_channels (weight.size(0) = 3) must be divisible by groups (2)");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3, 3}), fx::Tensor(), 1, 0, 1, 0), "groups must be a positive");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3, 3}), fx::Tensor(), 0), "stride must be positive");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3, 3}), fx::randn({5})), "expected bias of size [4]");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3})), "expected a 4-d weight");
  EXPECT_FX_ERROR(F::conv2d(fx::randn({8, 8}), fx::randn({4, 3, 3, 3})), "-d (batched) input");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3, 3}, fx::kFloat64)), "should be the same");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3, 3}), fx::Tensor(), 2, "same"), "not supported for strided");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3, 3}), fx::Tensor(), 1, "full"), "invalid padding string");
  EXPECT_FX_ERROR(F::conv2d(x, fx::randn({4, 3, 3, 3}), fx::Tensor(), {1, 1, 1}), "list of 2 integers");
  EXPECT_FX_ERROR(F::conv_transpose2d(x, fx::randn({3, 2, 3, 3}), fx::Tensor(), 1, 0, 2),
                  "output padding must be smaller");
  EXPECT_FX_ERROR(F::conv_transpose2d(x, fx::randn({4, 2, 3, 3})), "to have 4 channels, but got 3");
  EXPECT_FX_ERROR(fx::nn::Conv2d(fx::nn::Conv2dOptions(3, 5, 3).groups(2)), "divisible by groups");
  EXPECT_FX_ERROR(fx::nn::Conv2d(fx::nn::Conv2dOptions(3, 6, 3).padding_mode("mirror")), "padding_mode must be");
}

TEST(ConvModule, ParametersInitialisationAndRepr) {
  fx::manual_seed(12);
  fx::nn::Conv2d conv(fx::nn::Conv2dOptions(4, 8, {3, 5}).stride(2).padding({1, 2}).groups(2));
  EXPECT_EQ(conv->weight.sizes(), (fx::Shape{8, 2, 3, 5}));
  EXPECT_EQ(conv->bias.sizes(), (fx::Shape{8}));
  auto names = conv->named_parameters().keys();
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "bias"}));
  // PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for both, fan_in = 2 * 3 * 5 = 30.
  const double bound = 1.0 / std::sqrt(30.0);
  EXPECT_LE(conv->weight.abs().max().item<double>(), bound + 1e-7);
  EXPECT_GT(conv->weight.abs().max().item<double>(), 0.8 * bound);
  EXPECT_LE(conv->bias.abs().max().item<double>(), bound + 1e-7);
  std::ostringstream os;
  conv->pretty_print(os);
  EXPECT_EQ(os.str(), "Conv2d(4, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), groups=2)");
  fx::nn::Conv1d c1(fx::nn::Conv1dOptions(2, 3, 3).bias(false).padding("same").padding_mode("circular"));
  std::ostringstream os1;
  c1->pretty_print(os1);
  EXPECT_EQ(os1.str(), "Conv1d(2, 3, kernel_size=(3,), stride=(1,), padding=same, bias=false, padding_mode=circular)");
  EXPECT_FALSE(c1->bias.defined());
  auto y = c1(fx::randn({2, 2, 7}));
  EXPECT_EQ(y.sizes(), (fx::Shape{2, 3, 7}));
  fx::nn::Conv3d c3(fx::nn::Conv3dOptions(1, 2, 2));
  EXPECT_EQ(c3(fx::randn({1, 1, 3, 4, 5})).sizes(), (fx::Shape{1, 2, 2, 3, 4}));
}

TEST(ConvModule, TransposeModuleAndOutputSize) {
  fx::manual_seed(13);
  fx::nn::ConvTranspose2d up(fx::nn::ConvTranspose2dOptions(4, 2, 3).stride(2).padding(1));
  EXPECT_EQ(up->weight.sizes(), (fx::Shape{4, 2, 3, 3}));
  auto x = fx::randn({1, 4, 5, 5});
  EXPECT_EQ(up(x).sizes(), (fx::Shape{1, 2, 9, 9}));
  EXPECT_EQ(up->forward(x, {10, 10}).sizes(), (fx::Shape{1, 2, 10, 10}));
  EXPECT_FX_ERROR(up->forward(x, {12, 12}), "valid sizes range from 9 to 10");
  // conv_transpose is the adjoint of conv: <conv(a, w), b> == <a, conv_transpose(b, w)>.
  auto w = fx::randn({3, 2, 3, 3}, fx::kFloat64);
  auto a = fx::randn({1, 2, 7, 7}, fx::kFloat64), bb = fx::randn({1, 3, 4, 4}, fx::kFloat64);
  double lhs = (F::conv2d(a, w, fx::Tensor(), 2, 1) * bb).sum().item<double>();
  double rhs = (a * F::conv_transpose2d(bb, w, fx::Tensor(), 2, 1, 0)).sum().item<double>();
  EXPECT_NEAR(lhs, rhs, 1e-10 * std::max(1.0, std::abs(lhs)));
  auto w3 = fx::randn({2, 3, 2, 3, 2}, fx::kFloat64);
  auto a3 = fx::randn({1, 3, 5, 4, 4}, fx::kFloat64), b3 = fx::randn({1, 2, 2, 1, 2}, fx::kFloat64);
  lhs = (F::conv3d(a3, w3, fx::Tensor(), 2) * b3).sum().item<double>();
  rhs = (a3 * F::conv_transpose3d(b3, w3, fx::Tensor(), 2, 0, {1, 1, 0})).sum().item<double>();
  EXPECT_NEAR(lhs, rhs, 1e-10 * std::max(1.0, std::abs(lhs)));
  fx::nn::ConvTranspose3d t3(fx::nn::ConvTranspose3dOptions(2, 3, 2).stride(2));
  EXPECT_EQ(t3(fx::randn({1, 2, 2, 3, 4})).sizes(), (fx::Shape{1, 3, 4, 6, 8}));
  fx::nn::ConvTranspose1d t1(fx::nn::ConvTranspose1dOptions(2, 4, 3).stride(2).output_padding(1));
  std::ostringstream os;
  t1->pretty_print(os);
  EXPECT_EQ(os.str(), "ConvTranspose1d(2, 4, kernel_size=(3,), stride=(2,), output_padding=(1,))");
  EXPECT_EQ(t1(fx::randn({3, 2, 5})).sizes(), (fx::Shape{3, 4, 12}));
}

// A tiny CNN (conv - relu - pool - conv - relu - adaptive pool - linear) overfits 64 random images
// with random labels using plain SGD: the loss must drop close to zero and every image be classified.
TEST(ConvTraining, TinyCnnOverfitsRandomBatch) {
  // One thread: the layers are tiny, and on a loaded CI machine 2-thread barriers dominate.
  const int threads = fx::get_num_threads();
  fx::set_num_threads(1);
  fx::manual_seed(14);
  fx::nn::Conv2d c1(fx::nn::Conv2dOptions(1, 8, 3).padding(1));
  fx::nn::Conv2d c2(fx::nn::Conv2dOptions(8, 16, 3).padding(1));
  fx::nn::MaxPool2d pool(fx::nn::MaxPool2dOptions(2));
  auto fc_w = (fx::randn({4, 16 * 4 * 4}) * 0.05).requires_grad_(true);
  auto fc_b = fx::zeros({4}).requires_grad_(true);
  auto x = fx::randn({64, 1, 8, 8});
  auto labels = fx::randint(0, 4, {64});
  std::vector<fx::Tensor> params = c1->parameters();
  for (auto& p : c2->parameters()) params.push_back(p);
  params.push_back(fc_w);
  params.push_back(fc_b);
  auto forward = [&] {
    auto h = pool(c1(x).relu());       // (64, 8, 4, 4)
    h = c2(h).relu().flatten(1);       // (64, 256)
    return h.matmul(fc_w.t()) + fc_b;  // (64, 4)
  };
  auto loss_of = [&](const fx::Tensor& logits) {
    return -(logits.log_softmax(1).gather(1, labels.unsqueeze(1))).mean();
  };
  double first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    auto loss = loss_of(forward());
    if (step == 0) first = loss.item<double>();
    last = loss.item<double>();
    auto grads = fx::autograd::grad({loss}, params);
    fx::NoGradGuard ng;
    for (size_t i = 0; i < params.size(); ++i) params[i].sub_(grads[i] * 0.1);
  }
  EXPECT_GT(first, 1.0);
  EXPECT_LT(last, 0.05);
  auto pred = forward().argmax(1);
  EXPECT_EQ(pred.eq(labels).sum().item<int64_t>(), 64);
  fx::set_num_threads(threads);
}

// output_padding >= stride (allowed below the dilation): the transposed convolution's output is
// longer than a convolution of it would give back, so gradients flowing to its input are cropped.
TEST(ConvTranspose, OutputPaddingAtLeastStrideHasExactGradients) {
  fx::manual_seed(4);
  const auto opts = fx::TensorOptions(fx::kFloat64).requires_grad(true);
  const fx::Tensor x = fx::randn({2, 3, 4, 5}, opts), w = fx::randn({3, 2, 3, 2}, opts);
  auto f = [](const fx::TensorList& in) {
    return fx::TensorList{
        fx::nn::functional::conv_transpose2d(in[0], in[1], fx::Tensor(), {2, 1}, {1, 0}, {2, 1}, 1, {3, 2})};
  };
  // H: (4-1)*2 - 2*1 + 3*(3-1) + 2 + 1 = 13; W: (5-1)*1 + 2*(2-1) + 1 + 1 = 8.
  EXPECT_EQ(f({x, w})[0].sizes(), fx::Shape({2, 2, 13, 8}));
  EXPECT_TRUE(fx::autograd::gradcheck(f, {x, w}));
  EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x, w}));
}
