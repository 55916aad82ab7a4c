// Forward mode: dual tensors, nesting, and mixing with reverse mode.
#include <gtest/gtest.h>

#include <cmath>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace fwd = fluxion::autograd::forward_ad;
using fxtest::tensors_close;

TEST(ForwardAD, MakeAndUnpackDual) {
  fwd::dual_level level;
  auto x = fx::tensor({0.5}, fx::kFloat64);
  auto y = fx::tensor({4.2}, fx::kFloat64);
  auto xd = fwd::make_dual(x, fx::ones_like(x));
  auto z = xd * y + xd.sin();
  auto [p, t] = fwd::unpack_dual(z);
  EXPECT_NEAR(p.item<double>(), 2.579425538604203, 1e-12);
  EXPECT_NEAR(t.item<double>(), 4.2 + std::cos(0.5), 1e-12);
  auto [pp, tt] = fwd::unpack_dual(y);
  EXPECT_FALSE(tt.defined());
}

TEST(ForwardAD, TangentsThroughViewsAndInplace) {
  fwd::dual_level level;
  auto x = fx::tensor({1.0, 2.0, 3.0}, fx::kFloat64);
  auto xd = fwd::make_dual(x, fx::tensor({1.0, 0.0, 0.0}, fx::kFloat64));
  auto y = xd.narrow(0, 0, 2) * 3;
  auto [p, t] = fwd::unpack_dual(y);
  EXPECT_TRUE(tensors_close(t, fx::tensor({3.0, 0.0}, fx::kFloat64)));
  auto w = xd * 1.0;
  w.mul_(w);  // w = x^2, tangent 2 x dx
  EXPECT_TRUE(tensors_close(fwd::unpack_dual(w).second, fx::tensor({2.0, 0.0, 0.0}, fx::kFloat64)));
}

TEST(ForwardAD, TangentsClearedWhenLevelExits) {
  fx::Tensor d;
  {
    fwd::dual_level level;
    d = fwd::make_dual(fx::ones({2}, fx::kFloat64), fx::ones({2}, fx::kFloat64));
  }
  fwd::dual_level level2;
  EXPECT_FALSE(fwd::unpack_dual(d).second.defined());
}

TEST(ForwardAD, ErrorsWithoutLevelAndOnShapeMismatch) {
  EXPECT_FX_ERROR(fwd::make_dual(fx::ones({2}), fx::ones({2})), "no dual level");
  fwd::dual_level level;
  EXPECT_FX_ERROR(fwd::make_dual(fx::ones({2}), fx::ones({3})), "must match");
}

TEST(ForwardAD, ForwardOverReverseHessianVectorProduct) {
  // f(x) = sum(x^3); H = diag(6x); H v = 6 x v
  auto x = fx::tensor({1.0, 2.0}, fx::kFloat64);
  auto v = fx::tensor({1.0, -1.0}, fx::kFloat64);
  auto f = [](const fx::Tensor& t) { return (t * t * t).sum(); };
  auto hv = fx::func::hvp(f, x, v);
  EXPECT_TRUE(tensors_close(hv, fx::tensor({6.0, -12.0}, fx::kFloat64)));
}

TEST(ForwardAD, ReverseOverForward) {
  // g(x) = d/dt f(x + t v) = <grad f, v>; grad_x g = H v.
  auto x = fx::tensor({1.0, 2.0}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  auto v = fx::tensor({1.0, -1.0}, fx::kFloat64);
  fx::Tensor jv;
  {
    fwd::dual_level level;
    auto xd = fwd::make_dual(x, v);
    auto y = (xd * xd * xd).sum();
    jv = fwd::unpack_dual(y).second;
  }
  auto g = fx::autograd::grad({jv}, {x})[0];
  EXPECT_TRUE(tensors_close(g, fx::tensor({6.0, -12.0}, fx::kFloat64)));
}
