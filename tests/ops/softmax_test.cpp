// softmax / log_softmax: normalisation, stability, dtype argument, layouts, threading, gradients.
#include <gtest/gtest.h>

#include <cmath>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

TensorList T1(const Tensor& t) { return TensorList{t}; }

// Reference computed in double by the definition (for moderate inputs).
Tensor ref_softmax(const Tensor& x, int64_t dim) {
  Tensor e = x.to(fx::kFloat64).exp();
  return (e / e.sum({dim}, true)).to(x.dtype());
}

TEST(Softmax, MatchesDefinitionAlongEveryDim) {
  Tensor x = fx::randn({3, 4, 70});
  for (int64_t d : {0, 1, 2, -1}) {
    Tensor y = x.softmax(d);
    EXPECT_TRUE(tensors_close(y, ref_softmax(x, d), 1e-5, 1e-7)) << d;
    EXPECT_TRUE(tensors_close(y.sum({d}), fx::ones(y.sum({d}).sizes()), 1e-5, 1e-6)) << d;
    EXPECT_TRUE(tensors_close(x.log_softmax(d), ref_softmax(x, d).to(fx::kFloat64).log().to(fx::kFloat32), 1e-5, 1e-5))
        << d;
  }
}

TEST(Softmax, StableForExtremeInputs) {
  Tensor x = fx::tensor({{1000.0f, 1001.0f}, {-1000.0f, -1001.0f}});
  Tensor y = x.softmax(1);
  const float a = 1.0f / (1.0f + std::exp(1.0f));
  EXPECT_TRUE(tensors_close(y, fx::tensor({{a, 1 - a}, {1 - a, a}}), 1e-5, 1e-6));
  Tensor l = x.log_softmax(1);
  EXPECT_TRUE(
      tensors_close(l, fx::tensor({{std::log(a), std::log(1 - a)}, {std::log(1 - a), std::log(a)}}), 1e-5, 1e-5));
  // -inf entries get probability 0 (log-prob -inf); an all -inf row is nan, as PyTorch.
  Tensor m = fx::tensor({{-INFINITY, 0.0f}, {-INFINITY, -INFINITY}}).softmax(1);
  EXPECT_EQ(m[0][0].item<float>(), 0.0f);
  EXPECT_EQ(m[0][1].item<float>(), 1.0f);
  EXPECT_TRUE(std::isnan(m[1][0].item<float>()));
  EXPECT_EQ(fx::tensor({-INFINITY, 0.0f}).log_softmax(0)[0].item<float>(), -INFINITY);
  EXPECT_TRUE(std::isnan(fx::tensor({NAN, 0.0f}).softmax(0)[1].item<float>()));
}

TEST(Softmax, DtypesLayoutsAndShapes) {
  Tensor i = fx::tensor({1, 2, 3});
  EXPECT_FX_ERROR(i.softmax(0), "floating point");
  EXPECT_FX_ERROR(i.log_softmax(0), "log_softmax");
  EXPECT_EQ(i.softmax(0, fx::kFloat64).dtype(), fx::kFloat64);
  Tensor h = fx::randn({5, 9}).to(fx::kFloat16);
  EXPECT_EQ(h.softmax(1).dtype(), fx::kFloat16);
  EXPECT_EQ(h.softmax(1, fx::kFloat32).dtype(), fx::kFloat32);
  EXPECT_TRUE(tensors_close(h.softmax(1).to(fx::kFloat32), h.to(fx::kFloat32).softmax(1), 2e-3, 1e-3));
  Tensor b = fx::randn({5, 9}).to(fx::kBFloat16);
  EXPECT_TRUE(tensors_close(b.log_softmax(0).to(fx::kFloat32), b.to(fx::kFloat32).log_softmax(0), 2e-2, 2e-2));
  Tensor x = fx::randn({6, 8});
  EXPECT_TRUE(tensors_close(x.t().softmax(1), x.t().contiguous().softmax(1)));
  EXPECT_TRUE(tensors_close(x.slice(1, 0, std::nullopt, 2).log_softmax(0),
                            x.slice(1, 0, std::nullopt, 2).contiguous().log_softmax(0)));
  EXPECT_EQ(fx::scalar_tensor(3.0).softmax(0).item<double>(), 1.0);
  EXPECT_EQ(fx::scalar_tensor(3.0).log_softmax(-1).item<double>(), 0.0);
  EXPECT_EQ(fx::zeros({2, 0}).softmax(1).sizes(), fx::Shape({2, 0}));
  EXPECT_FX_ERROR(x.softmax(2), "out of range");
}

TEST(Softmax, ThreadCountIndependent) {
  const int prev = fx::get_num_threads();
  Tensor x = fx::randn({512, 300});
  fx::set_num_threads(1);
  Tensor a = x.softmax(1), b = x.log_softmax(0);
  fx::set_num_threads(2);
  Tensor c = x.softmax(1), d = x.log_softmax(0);
  fx::set_num_threads(prev);
  EXPECT_TRUE(tensors_equal(a, c));
  EXPECT_TRUE(tensors_equal(b, d));
}

TEST(SoftmaxGrad, GradcheckBothAlongEveryDim) {
  Tensor x = fx::randn({3, 4}, fx::kFloat64);
  for (int64_t d : {0, 1}) {
    auto s = [d](const TensorList& in) { return T1(in[0].softmax(d)); };
    auto l = [d](const TensorList& in) { return T1(in[0].log_softmax(d)); };
    for (const auto& f : {fx::autograd::CheckedFn(s), fx::autograd::CheckedFn(l)}) {
      EXPECT_TRUE(fx::autograd::gradcheck(f, {x})) << d;
      EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x})) << d;
      EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, {x})) << d;
    }
  }
  // Through a dtype conversion.
  Tensor xf = fx::randn({2, 3}).requires_grad_();
  (xf.softmax(1, fx::kFloat64) * fx::tensor({{1.0, 0.0, 0.0}, {0.0, 0.0, 1.0}})).sum().backward();
  EXPECT_EQ(xf.grad().dtype(), fx::kFloat32);
  // Known value: d softmax_0 / d x at x = 0 (2 classes) is [1/4, -1/4].
  Tensor z = fx::zeros({2}, fx::kFloat64).requires_grad_();
  z.softmax(0)[0].backward();
  EXPECT_TRUE(tensors_close(z.grad(), fx::tensor({0.25, -0.25})));
}

}  // namespace
