// pad: constant / reflect / replicate / circular, negative pads, dtypes, errors and gradients.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

fx::TensorOptions f64() { return fx::TensorOptions(fx::kFloat64); }
Tensor randn64(const fx::Shape& s, uint64_t seed) {
  fx::Generator g(seed);
  return fx::randn(s, f64(), &g);
}

void check_grads(const fx::autograd::CheckedFn& f, const TensorList& inputs) {
  EXPECT_TRUE(fx::autograd::gradcheck(f, inputs));
  EXPECT_TRUE(fx::autograd::gradgradcheck(f, inputs));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, inputs));
}

TEST(Pad, ModesOnOneRow) {
  Tensor x = fx::arange(5, fx::TensorOptions(fx::kFloat32)).view({1, 1, 5});
  auto row = [](const Tensor& t) { return t.reshape({-1}); };
  EXPECT_TRUE(tensors_equal(row(fx::pad(x, {2, 1}, "constant", 9.0)),
                            fx::tensor({9.0f, 9.0f, 0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 9.0f})));
  EXPECT_TRUE(
      tensors_equal(row(fx::pad(x, {2, 1}, "reflect")), fx::tensor({2.0f, 1.0f, 0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 3.0f})));
  EXPECT_TRUE(tensors_equal(row(fx::pad(x, {2, 1}, "replicate")),
                            fx::tensor({0.0f, 0.0f, 0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 4.0f})));
  EXPECT_TRUE(
      tensors_equal(row(fx::pad(x, {2, 1}, "circular")), fx::tensor({3.0f, 4.0f, 0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 0.0f})));
  // Negative pads crop, in every mode.
  EXPECT_TRUE(tensors_equal(row(fx::pad(x, {-1, -2})), fx::tensor({1.0f, 2.0f})));
  EXPECT_TRUE(tensors_equal(row(fx::pad(x, {-1, 2}, "reflect")), fx::tensor({1.0f, 2.0f, 3.0f, 4.0f, 3.0f, 2.0f})));
  EXPECT_TRUE(tensors_equal(row(fx::pad(x, {-2, 1}, "circular")), fx::tensor({2.0f, 3.0f, 4.0f, 2.0f})));
}

TEST(Pad, ConstantAnyRankAndDtype) {
  Tensor x = fx::ones({2, 3}, fx::TensorOptions(fx::kInt64));
  Tensor p = fx::pad(x, {1, 1, 0, 2}, "constant", 7);
  EXPECT_EQ(p.sizes(), (fx::Shape{4, 5}));
  EXPECT_EQ(p.dtype(), fx::kInt64);
  EXPECT_EQ(p.sum().item<int64_t>(), 6 + 14 * 7);
  EXPECT_EQ(fx::pad(fx::ones({3}), {0, 0}).sizes(), (fx::Shape{3}));
  EXPECT_EQ(fx::pad(fx::ones({2, 3}), {-2, -1}).sizes(), (fx::Shape{2, 0}));
  Tensor t = randn64({4, 3}, 1).t();
  EXPECT_TRUE(tensors_equal(fx::pad(t, {1, 2}, "replicate"), fx::pad(t.contiguous(), {1, 2}, "replicate")));
}

TEST(PadErrors, Messages) {
  Tensor x = fx::zeros({1, 1, 5});
  EXPECT_FX_ERROR(fx::pad(x, {1}), "padding length must be divisible by 2");
  EXPECT_FX_ERROR(fx::pad(fx::zeros({2, 3}), {1, 1, 1, 1, 1, 1}), "padding length should be less than or equal to two");
  EXPECT_FX_ERROR(fx::pad(x, {5, 2}, "reflect"), "padding size should be less than the corresponding input dimension");
  EXPECT_FX_ERROR(fx::pad(x, {6, 0}, "circular"), "wrapping around more than once");
  EXPECT_FX_ERROR(fx::pad(fx::zeros({5}), {1, 1}, "reflect"), "padding size 2 is not supported for a 1-d input");
  EXPECT_FX_ERROR(fx::pad(x, {1, 1}, "wrap"), "mode must be one of");
  EXPECT_FX_ERROR(fx::pad(x, {-3, -3}), "resulted in a negative output size -1");
  EXPECT_FX_ERROR(fx::pad(fx::zeros({1, 1, 0}), {1, 1}, "replicate"), "non-empty dimension");
  EXPECT_FX_ERROR(fx::pad(x, {1, 1}, "reflect", 2.0), "doesn't take in value argument");
}

TEST(PadGrad, AllModes) {
  Tensor x3 = randn64({2, 2, 5}, 2), x4 = randn64({1, 2, 4, 4}, 3);
  check_grads([](const TensorList& t) { return TensorList{fx::pad(t[0], {2, -1, 1, 0}, "constant", 3.0)}; }, {x4});
  check_grads([](const TensorList& t) { return TensorList{fx::pad(t[0], {3, 1}, "reflect")}; }, {x3});
  check_grads([](const TensorList& t) { return TensorList{fx::pad(t[0], {1, 2, 3, 1}, "reflect")}; }, {x4});
  check_grads([](const TensorList& t) { return TensorList{fx::pad(t[0], {2, 3, 1, 1}, "replicate")}; }, {x4});
  check_grads([](const TensorList& t) { return TensorList{fx::pad(t[0], {2, -1}, "circular")}; }, {x3});
  check_grads(
      [](const TensorList& t) {
        return TensorList{fx::pad(t[0], {1, 1, 1, 1, 1, 1}, "replicate")};
      },
      {randn64({1, 2, 2, 3}, 4)});
}

}  // namespace
