// cat / stack / hstack / vstack / split / chunk / unbind: promotion, legacy empties, views,
// threading, errors and gradients.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;
using fxtest::tensors_equal;

namespace {

// Restores the thread count a test changed (tests share one process).
struct RestoreThreads {
  int prev = fx::get_num_threads();
  ~RestoreThreads() { fx::set_num_threads(prev); }
};

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

TEST(Cat, PromotesAndSkipsLegacyEmpty) {
  Tensor a = fx::tensor({1, 2});  // int32
  Tensor b = fx::tensor({0.5});   // float64
  Tensor c = fx::cat({a, b, fx::zeros({0})});
  EXPECT_EQ(c.dtype(), fx::kFloat64);
  EXPECT_TRUE(tensors_equal(c, fx::tensor({1.0, 2.0, 0.5})));
  Tensor m = fx::cat({fx::zeros({0}), fx::ones({2, 3})}, 1);  // [0] skipped even for 2-d
  EXPECT_EQ(m.sizes(), (fx::Shape{2, 3}));
  Tensor all_empty = fx::cat({fx::zeros({0}), fx::zeros({0}, fx::TensorOptions(fx::kInt64))});
  EXPECT_EQ(all_empty.sizes(), (fx::Shape{0}));
  EXPECT_EQ(all_empty.dtype(), fx::kFloat32);
  EXPECT_EQ(fx::concat({a, a}).numel(), 4);
}

TEST(Cat, NonContiguousAndThreaded) {
  RestoreThreads restore;
  Tensor x = randn64({300, 200}, 1), y = randn64({200, 300}, 2);
  fx::set_num_threads(1);
  Tensor r1 = fx::cat({x, y.t(), x.slice(1, 0, std::nullopt, 2).repeat({1, 2})}, 0);
  fx::set_num_threads(2);
  Tensor r2 = fx::cat({x, y.t(), x.slice(1, 0, std::nullopt, 2).repeat({1, 2})}, 0);
  EXPECT_TRUE(tensors_equal(r1, r2));
  EXPECT_TRUE(tensors_equal(r2.narrow(0, 300, 300), y.t()));
  EXPECT_TRUE(tensors_equal(r2.narrow(0, 0, 300), x));
}

TEST(Stack, ShapesAndViews) {
  Tensor a = fx::ones({2, 3}), b = fx::zeros({2, 3});
  EXPECT_EQ(fx::stack({a, b}).sizes(), (fx::Shape{2, 2, 3}));
  EXPECT_EQ(fx::stack({a, b}, -1).sizes(), (fx::Shape{2, 3, 2}));
  EXPECT_TRUE(tensors_equal(fx::stack({a, b}, 2).select(2, 1), b));
  EXPECT_EQ(fx::hstack({fx::scalar_tensor(1.0f), fx::ones({2})}).sizes(), (fx::Shape{3}));
  EXPECT_EQ(fx::vstack({fx::ones({3}), fx::ones({2, 3})}).sizes(), (fx::Shape{3, 3}));
  EXPECT_EQ(fx::stack({fx::scalar_tensor(1.0f), fx::scalar_tensor(2.0f)}).sizes(), (fx::Shape{2}));
}

TEST(Split, ViewsSizesAndChunks) {
  Tensor x = fx::arange(14, fx::TensorOptions(fx::kFloat32)).view({7, 2});
  auto parts = x.split(3);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].sizes(), (fx::Shape{1, 2}));
  EXPECT_EQ(parts[1].impl()->storage(), x.impl()->storage());
  parts[1].fill_(-1.0f);
  EXPECT_EQ(x.index({3, 0}).item<float>(), -1.0f);
  auto s2 = x.split(std::vector<int64_t>{2, 0, 5});
  EXPECT_EQ(s2[1].sizes(), (fx::Shape{0, 2}));
  EXPECT_EQ(x.chunk(3).size(), 3u);
  EXPECT_EQ(x.chunk(4).size(), 4u);  // ceil(7/4) = 2 -> 2, 2, 2, 1
  EXPECT_EQ(x.chunk(5).size(), 4u);  // ceil(7/5) = 2 -> still 4 pieces, as PyTorch
  EXPECT_EQ(fx::chunk(fx::zeros({0}), 3).size(), 3u);
  EXPECT_EQ(fx::split(fx::zeros({0}), 2).size(), 1u);
  auto u = x.unbind(1);
  ASSERT_EQ(u.size(), 2u);
  EXPECT_TRUE(tensors_equal(u[1], x.select(1, 1)));
}

TEST(JoinErrors, Messages) {
  EXPECT_FX_ERROR(fx::cat({}), "cat: expected a non-empty list of tensors");
  EXPECT_FX_ERROR(
      fx::cat({fx::ones({2, 3}), fx::ones({2, 4})}),
      "sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor number 1");
  EXPECT_FX_ERROR(fx::cat({fx::ones({2, 3}), fx::ones({2, 3, 1})}), "same number of dimensions: got 2 and 3");
  EXPECT_FX_ERROR(fx::cat({fx::scalar_tensor(1.0f)}), "zero-dimensional tensor (at position 0) cannot be concatenated");
  EXPECT_FX_ERROR(fx::cat({fx::ones({2})}, 1), "dimension 1 out of range");
  EXPECT_FX_ERROR(fx::stack({fx::ones({2, 3}), fx::ones({2, 4})}),
                  "stack: expects each tensor to be equal size, but got [2, 3] at entry 0 and [2, 4] at entry 1");
  EXPECT_FX_ERROR(fx::stack({}), "non-empty");
  EXPECT_FX_ERROR(fx::split(fx::ones({5}), std::vector<int64_t>{2, 2}), "split_sizes must sum exactly to 5");
  EXPECT_FX_ERROR(fx::split(fx::ones({5}), -1), "split_size must be non-negative");
  EXPECT_FX_ERROR(fx::split(fx::ones({5}), 0), "split_size can only be 0 if dimension size is 0");
  EXPECT_FX_ERROR(fx::chunk(fx::ones({5}), 0), "chunks` to be greater than 0");
  EXPECT_FX_ERROR(fx::unbind(fx::scalar_tensor(1.0f)), "unbind");
}

TEST(JoinGrad, CatStackSplit) {
  Tensor a = randn64({2, 3}, 3), b = randn64({4, 3}, 4), c = randn64({2, 3}, 5);
  check_grads([](const TensorList& t) { return TensorList{fx::cat({t[0], t[1]}, 0)}; }, {a, b});
  check_grads([](const TensorList& t) { return TensorList{fx::cat({t[0].t(), t[1].t()}, 1)}; }, {a, b});
  check_grads([](const TensorList& t) { return TensorList{fx::stack({t[0], t[1]}, 1)}; }, {a, c});
  check_grads([](const TensorList& t) { return TensorList{fx::hstack({t[0], t[1]})}; }, {a, c});
  check_grads([](const TensorList& t) { return TensorList{fx::vstack({t[0], t[1]})}; }, {a, b});
  check_grads([](const TensorList& t) { return t[0].split(3, 0); }, {b});
  check_grads([](const TensorList& t) { return t[0].chunk(2, 1); }, {b});
  check_grads([](const TensorList& t) { return t[0].unbind(0); }, {a});
}

TEST(JoinGrad, CatGradientCastsBackToInputDtype) {
  Tensor f = fx::ones({2}, fx::TensorOptions(fx::kFloat32)).requires_grad_();
  Tensor d = fx::ones({3}, f64()).requires_grad_();
  Tensor out = fx::cat({f, d, fx::zeros({0})});
  EXPECT_EQ(out.dtype(), fx::kFloat64);
  (out * fx::arange(5, f64())).sum().backward();
  EXPECT_EQ(f.grad().dtype(), fx::kFloat32);
  EXPECT_TRUE(tensors_equal(f.grad(), fx::tensor({0.0f, 1.0f})));
  EXPECT_TRUE(tensors_equal(d.grad(), fx::tensor({2.0, 3.0, 4.0})));
}

}  // namespace
