// Reverse-mode engine: accumulation, graph lifetime, errors, hooks, views, in-place, long chains.
#include <gtest/gtest.h>

#include <cmath>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fxtest::tensors_close;

namespace {
fx::Tensor leaf(std::initializer_list<double> v) {
  return fx::tensor(v, fx::TensorOptions(fx::kFloat64).requires_grad(true));
}
}  // namespace

TEST(Engine, SimpleProductRule) {
  auto x = leaf({0.5});
  auto y = leaf({4.2});
  auto z = (x * y + x.sin()).sum();
  z.backward();
  EXPECT_NEAR(z.item<double>(), 2.579425538604203, 1e-12);
  EXPECT_NEAR(x.grad().item<double>(), 4.2 + std::cos(0.5), 1e-12);
  EXPECT_NEAR(y.grad().item<double>(), 0.5, 1e-12);
}

TEST(Engine, AccumulatesAcrossCallsAndUses) {
  auto x = leaf({1.0, 2.0});
  auto y = (x * x + x).sum();  // x used three times
  y.backward();
  EXPECT_TRUE(tensors_close(x.grad(), fx::tensor({3.0, 5.0})));
  auto y2 = (x * 2).sum();
  y2.backward();
  EXPECT_TRUE(tensors_close(x.grad(), fx::tensor({5.0, 7.0})));
}

TEST(Engine, BroadcastGradientIsReducedToInputShape) {
  auto a = fx::ones({3, 1}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  auto b = fx::ones({4}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  (a * b).sum().backward();
  EXPECT_EQ(a.grad().sizes(), fx::Shape({3, 1}));
  EXPECT_TRUE(tensors_close(a.grad(), fx::full({3, 1}, 4.0, fx::kFloat64)));
  EXPECT_TRUE(tensors_close(b.grad(), fx::full({4}, 3.0, fx::kFloat64)));
}

TEST(Engine, GraphFreedAfterBackward) {
  auto x = leaf({1.0, 2.0});
  auto y = (x.exp() * x).sum();
  y.backward();
  EXPECT_FX_ERROR(y.backward(), "second time");
}

TEST(Engine, RetainGraphAllowsSecondBackward) {
  auto x = leaf({1.0, 2.0});
  auto y = (x.exp() * x).sum();
  y.backward({}, /*retain_graph=*/true);
  auto g1 = x.grad().clone();
  y.backward();
  EXPECT_TRUE(tensors_close(x.grad(), g1 * 2));
}

TEST(Engine, NonScalarNeedsGradient) {
  auto x = leaf({1.0, 2.0});
  auto y = x * 2;
  EXPECT_FX_ERROR(y.backward(), "implicitly created only for scalar");
  y.backward(fx::tensor({1.0, 10.0}));
  EXPECT_TRUE(tensors_close(x.grad(), fx::tensor({2.0, 20.0})));
}

TEST(Engine, ErrorsOnTensorsWithoutGrad) {
  auto x = fx::tensor({1.0, 2.0});
  EXPECT_FX_ERROR(x.sum().backward(), "does not require grad");
  auto w = leaf({1.0});
  auto out = (w * 3).sum();
  EXPECT_FX_ERROR(fx::autograd::grad({out}, {x}), "does not require grad");
}

TEST(Engine, MismatchedGradOutputShape) {
  auto x = leaf({1.0, 2.0});
  auto y = x * 2;
  EXPECT_FX_ERROR(fx::autograd::grad({y}, {x}, {fx::ones({3}, fx::kFloat64)}), "mismatch in shape");
}

TEST(Engine, InplaceOnSavedTensorIsDetected) {
  auto x = leaf({1.0, 2.0});
  auto y = x * 1.0;
  auto z = y.exp();  // saves its output
  auto w = y * y;    // saves y
  y.add_(1.0);
  EXPECT_FX_ERROR(w.sum().backward(), "modified by an inplace operation");
  (void)z;
}

TEST(Engine, InplaceOnLeafRequiringGradIsAnError) {
  auto x = leaf({1.0, 2.0});
  EXPECT_FX_ERROR(x.add_(1.0), "leaf tensor that requires grad");
  EXPECT_FX_ERROR(x.narrow(0, 0, 1).mul_(2.0), "view of a leaf");
  {
    fx::NoGradGuard g;
    x.add_(1.0);  // allowed without grad mode
  }
  EXPECT_TRUE(tensors_close(x.detach(), fx::tensor({2.0, 3.0})));
}

TEST(Engine, InplaceOnNonLeafRebasesHistory) {
  auto x = leaf({1.0, 2.0});
  auto y = x * 2;
  y.mul_(y);  // y = (2x)^2
  y.sum().backward();
  EXPECT_TRUE(tensors_close(x.grad(), fx::tensor({8.0, 16.0})));  // d/dx 4x^2 = 8x
}

TEST(Engine, InplaceThroughViewOfNonLeaf) {
  auto x = leaf({1.0, 2.0, 3.0});
  auto y = x * 1.0;
  y.narrow(0, 1, 1).mul_(10.0);  // y = [x0, 10 x1, x2]
  (y * y).sum().backward();
  EXPECT_TRUE(tensors_close(x.grad(), fx::tensor({2.0, 400.0, 6.0})));
}

TEST(Engine, RetainGradAndHooks) {
  auto x = leaf({1.0, 2.0});
  auto y = x * 3;
  y.retain_grad();
  int calls = 0;
  y.register_hook([&](const fx::Tensor& g) {
    ++calls;
    return g * 2;  // doubles the gradient flowing on
  });
  y.sum().backward();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(tensors_close(x.grad(), fx::tensor({6.0, 6.0})));
  ASSERT_TRUE(y.grad().defined());
}

TEST(Engine, LeafHookAndPostAccumulateHook) {
  auto x = leaf({1.0});
  x.register_hook([](const fx::Tensor& g) { return g + 1; });
  int post = 0;
  x.register_post_accumulate_grad_hook([&](const fx::Tensor& t) {
    ++post;
    EXPECT_TRUE(t.grad().defined());
  });
  (x * 5).sum().backward();
  EXPECT_NEAR(x.grad().item<double>(), 6.0, 1e-12);
  EXPECT_EQ(post, 1);
}

TEST(Engine, LongChainHasNoRecursionLimit) {
  auto x = leaf({1.0});
  fx::Tensor y = x;
  for (int i = 0; i < 100000; ++i) y = y * 1.0;
  y.sum().backward();
  EXPECT_NEAR(x.grad().item<double>(), 1.0, 1e-12);
  // Dropping a long un-run graph must not overflow the stack either.
  fx::Tensor z = x;
  for (int i = 0; i < 100000; ++i) z = z + 0.0;
  z = fx::Tensor();
}

TEST(Engine, CreateGraphGivesSecondDerivative) {
  auto x = leaf({0.7});
  auto y = (x * x * x).sum();
  auto g = fx::autograd::grad({y}, {x}, {}, true, /*create_graph=*/true)[0];
  EXPECT_NEAR(g.item<double>(), 3 * 0.49, 1e-12);
  auto gg = fx::autograd::grad({g.sum()}, {x})[0];
  EXPECT_NEAR(gg.item<double>(), 6 * 0.7, 1e-12);
}

TEST(Engine, GradOfNonLeafAndAllowUnused) {
  auto x = leaf({1.0, 2.0});
  auto unused = leaf({3.0});
  auto h = x * 2;
  auto y = (h * h).sum();
  auto gs = fx::autograd::grad({y}, {h, unused}, {}, true, false, /*allow_unused=*/true);
  EXPECT_TRUE(tensors_close(gs[0], fx::tensor({4.0, 8.0})));
  EXPECT_FALSE(gs[1].defined());
  EXPECT_FX_ERROR(fx::autograd::grad({y}, {unused}), "not used in the graph");
  EXPECT_FALSE(x.grad().defined());  // grad() does not accumulate into leaves
}

TEST(Engine, DetachAndNoGrad) {
  auto x = leaf({1.0});
  auto d = x.detach();
  EXPECT_FALSE(d.requires_grad());
  {
    fx::NoGradGuard g;
    auto y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    {
      fx::EnableGradGuard e;
      EXPECT_TRUE((x * 2).requires_grad());
    }
  }
  {
    fx::InferenceModeGuard im;
    EXPECT_FALSE((x * 2).requires_grad());
  }
  EXPECT_TRUE((x * 2).requires_grad());
  EXPECT_EQ((x * 2).grad_fn()->name(), "MulBackward0");
}

TEST(Engine, RequiresGradOnlyForFloats) {
  auto i = fx::tensor({1, 2});
  EXPECT_FX_ERROR(i.requires_grad_(true), "floating-point");
  auto y = leaf({1.0}) * 2;
  EXPECT_FX_ERROR(y.requires_grad_(false), "leaf");
}

TEST(Engine, AnomalyModeNamesTheOp) {
  fx::autograd::DetectAnomalyGuard guard;
  auto x = leaf({0.0});
  auto y = x.sqrt().sum();  // d sqrt at 0 = inf
  EXPECT_FX_ERROR(y.backward(), "Sqrt");
}

TEST(Engine, DotExport) {
  auto x = leaf({1.0});
  auto y = (x.exp() * 2).sum();
  std::string dot = fx::autograd::to_dot(y);
  EXPECT_NE(dot.find("ExpBackward0"), std::string::npos);
  EXPECT_NE(dot.find("AccumulateGrad"), std::string::npos);
}

TEST(Engine, MemoryDoesNotGrowOverTrainingLikeLoop) {
  auto w = fx::randn({64, 64}, fx::TensorOptions(fx::kFloat32).requires_grad(true));
  auto x = fx::randn({32, 64});
  auto step = [&] {
    auto loss = (x.matmul(w).tanh() * 0.5).sum();
    loss.backward();
    fx::NoGradGuard g;
    w.sub_(w.grad() * 1e-3);
    w.mutable_grad().zero_();
  };
  for (int i = 0; i < 50; ++i) step();
  auto before = fx::cpu_memory_stats().allocated;
  for (int i = 0; i < 1000; ++i) step();
  auto after = fx::cpu_memory_stats().allocated;
  EXPECT_LE(after, before) << "allocated bytes grew from " << before << " to " << after;
}
