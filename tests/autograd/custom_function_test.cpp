// Custom autograd functions and gradient checkpointing.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fxtest::tensors_close;

namespace {
struct ScaledExp : fx::autograd::Function<ScaledExp> {
  static fx::TensorList forward(fx::autograd::AutogradContext* ctx, const fx::Tensor& x, double scale) {
    fx::Tensor y = x.exp() * scale;
    ctx->save_for_backward({y});
    ctx->save_for_forward({y});
    ctx->saved_data["scale"] = scale;
    return {y};
  }
  static fx::TensorList backward(fx::autograd::AutogradContext* ctx, const fx::TensorList& g) {
    EXPECT_TRUE(ctx->needs_input_grad(0));
    return {g[0] * ctx->get_saved_variables()[0]};
  }
  static fx::TensorList jvp(fx::autograd::AutogradContext* ctx, const fx::TensorList& t) {
    return {t[0] * ctx->get_saved_for_forward()[0]};  // d(s e^x) = s e^x dx
  }
};

struct Cube : fx::autograd::Function<Cube> {
  static fx::TensorList forward(fx::autograd::AutogradContext* ctx, const fx::Tensor& x) {
    ctx->save_for_backward({x});
    return {x * x * x};
  }
  static fx::TensorList backward(fx::autograd::AutogradContext* ctx, const fx::TensorList& g) {
    auto x = ctx->get_saved_variables()[0];
    return {g[0] * 3 * x * x};
  }
};
}  // namespace

TEST(CustomFunction, BackwardIsUsed) {
  auto x = fx::tensor({0.1, 0.2}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  auto y = ScaledExp::apply(x, 2.0)[0];
  EXPECT_EQ(y.grad_fn()->name(), "CustomFunctionBackward");
  y.sum().backward();
  EXPECT_TRUE(tensors_close(x.grad(), x.detach().exp() * 2));
}

TEST(CustomFunction, GradcheckAndDoubleBackward) {
  auto f = [](const fx::TensorList& xs) { return Cube::apply(xs[0]); };
  auto x = fx::tensor({0.3, -0.7, 1.1}, fx::kFloat64);
  EXPECT_TRUE(fx::autograd::gradcheck(f, {x}));
  EXPECT_TRUE(fx::autograd::gradgradcheck(f, {x}));
}

TEST(CustomFunction, UserJvpIsUsedInForwardMode) {
  fx::autograd::forward_ad::dual_level level;
  auto x0 = fx::tensor({0.1, 0.2}, fx::kFloat64);
  auto x = fx::autograd::forward_ad::make_dual(x0, fx::tensor({1.0, 2.0}, fx::kFloat64));
  auto y = ScaledExp::apply(x, 3.0)[0];
  auto t = fx::autograd::forward_ad::unpack_dual(y).second;
  EXPECT_TRUE(tensors_close(t, x0.exp() * 3 * fx::tensor({1.0, 2.0}, fx::kFloat64)));
}

TEST(CustomFunction, MissingJvpIsAClearError) {
  fx::autograd::forward_ad::dual_level level;
  auto x = fx::autograd::forward_ad::make_dual(fx::ones({2}, fx::kFloat64), fx::ones({2}, fx::kFloat64));
  EXPECT_FX_ERROR(Cube::apply(x), "does not define jvp");
}

TEST(Checkpoint, SameGradientsLessMemory) {
  fx::manual_seed(0);
  auto w = fx::randn({256, 256}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  auto x = fx::randn({64, 256}, fx::kFloat64);
  // Tensors that need gradients are passed as inputs (as with PyTorch's reentrant checkpoint).
  auto block = [](const fx::TensorList& in) {
    fx::Tensor h = in[0];
    for (int i = 0; i < 8; ++i) h = (h.matmul(in[1]) * 0.05).tanh();
    return fx::TensorList{h};
  };
  fx::empty_cache();
  fx::reset_peak_memory_stats();
  auto base0 = fx::cpu_memory_stats().allocated;
  auto plain = block({x, w})[0].sum();
  auto peak_plain = fx::cpu_memory_stats().peak_allocated - base0;
  plain.backward();
  auto g_plain = w.grad().clone();
  w.mutable_grad() = fx::Tensor();

  fx::empty_cache();
  fx::reset_peak_memory_stats();
  auto base1 = fx::cpu_memory_stats().allocated;
  auto ck = fx::checkpoint(block, {x, w})[0].sum();
  auto peak_ck = fx::cpu_memory_stats().peak_allocated - base1;
  ck.backward();
  EXPECT_TRUE(tensors_close(w.grad(), g_plain, 1e-12, 1e-12));
  EXPECT_LT(peak_ck, peak_plain) << "checkpointed forward peak " << peak_ck << " vs plain " << peak_plain;
}
