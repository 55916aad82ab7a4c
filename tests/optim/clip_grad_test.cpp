// Gradient clipping vs torch.nn.utils.clip_grad_norm_ (golden) and clip_grad_value_.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "optim/optim_test_util.h"
#include "support/test_util.h"

namespace fx = fluxion;
namespace optim = fluxion::optim;
using fxtest::optim_util::to_vector;

namespace {
// "g" + std::to_string(i) trips GCC 12's -Wrestrict false positive.
std::string key(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}
}  // namespace

TEST(ClipGradGolden, NormsAndClippedGradsMatchPyTorch) {
  int n = 0;
  for (const auto& c : fxtest::load_golden("optim.json")) {
    if (c.name.rfind("clip/", 0) != 0) continue;
    SCOPED_TRACE(c.name);
    ++n;
    double norm_type =
        c.attrs["norm_type"].is_string() ? std::numeric_limits<double>::infinity() : c.attrs["norm_type"].get<double>();
    std::vector<fx::Tensor> ps;
    for (int i = 0; i < 3; ++i) {
      fx::Tensor g = c.at(key("g", i));
      fx::Tensor p = fx::zeros(g.sizes(), fx::TensorOptions(fx::kFloat64).requires_grad(true));
      p.set_grad(g.clone());
      ps.push_back(p);
    }
    fx::Tensor untouched = fx::zeros({2}, fx::TensorOptions(fx::kFloat64).requires_grad(true));  // no grad: skipped
    ps.push_back(untouched);
    double total = optim::clip_grad_norm_(ps, c.attrs["max_norm"].get<double>(), norm_type);
    EXPECT_NEAR(total, c.at("total").item<double>(), 1e-12 * std::abs(total));
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(fxtest::tensors_close(ps[static_cast<size_t>(i)].grad(), c.at(key("c", i)), 1e-12, 1e-15));
    EXPECT_FALSE(untouched.grad().defined());
  }
  EXPECT_EQ(n, 5);
}

TEST(ClipGrad, NonFiniteAndEdgeCases) {
  fx::Tensor p = fx::zeros({3}, fx::TensorOptions().requires_grad(true));
  p.set_grad(fx::tensor({1.0f, std::numeric_limits<float>::infinity(), 2.0f}));
  EXPECT_FX_ERROR(optim::clip_grad_norm_(p, 1.0, 2.0, /*error_if_nonfinite=*/true), "non-finite");
  EXPECT_EQ(to_vector(p.grad())[0], 1.0);  // untouched after the error
  double total = optim::clip_grad_norm_(p, 1.0);
  EXPECT_TRUE(std::isinf(total));
  // Empty parameter list and parameters without gradients: norm 0.
  EXPECT_EQ(optim::clip_grad_norm_(std::vector<fx::Tensor>{}, 1.0), 0.0);
  fx::Tensor q = fx::zeros({2}, fx::TensorOptions().requires_grad(true));
  EXPECT_EQ(optim::get_total_norm({q}), 0.0);
  // Small gradients are scaled by min(1, ...) = 1: unchanged.
  q.set_grad(fx::tensor({0.3f, 0.4f}));
  EXPECT_NEAR(optim::clip_grad_norm_(q, 10.0), 0.5, 1e-7);
  EXPECT_EQ(to_vector(q.grad()), to_vector(fx::tensor({0.3f, 0.4f})));
}

TEST(ClipGrad, ValueClampsAndHandlesLayouts) {
  fx::Tensor p = fx::zeros({2, 3}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  // A non-contiguous gradient (transposed view of a (3, 2) tensor).
  fx::Tensor g =
      fx::tensor(std::vector<double>{-3, 0.5, 2, -0.25, 7, std::nan("")}, {3, 2}, fx::TensorOptions(fx::kFloat64)).t();
  ASSERT_FALSE(g.is_contiguous());
  p.set_grad(g);
  optim::clip_grad_value_(p, 1.0);
  auto v = to_vector(p.grad());  // row-major of the (2, 3) view: -3, 2, 7 / 0.5, -0.25, nan
  EXPECT_EQ(v[0], -1.0);
  EXPECT_EQ(v[1], 1.0);
  EXPECT_EQ(v[2], 1.0);
  EXPECT_EQ(v[3], 0.5);
  EXPECT_EQ(v[4], -0.25);
  EXPECT_TRUE(std::isnan(v[5]));
  // nn::utils re-exports.
  fx::Tensor r = fx::zeros({2}, fx::TensorOptions(fx::kFloat64).requires_grad(true));
  r.set_grad(fx::tensor(std::vector<double>{3, 4}, {2}, fx::TensorOptions(fx::kFloat64)));
  EXPECT_NEAR(fx::nn::utils::clip_grad_norm_(r, 1.0), 5.0, 1e-15);
  EXPECT_NEAR(to_vector(r.grad())[1], 4.0 * (1.0 / (5.0 + 1e-6)), 1e-15);
}
