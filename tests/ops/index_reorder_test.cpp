// flip / roll / repeat / tile / repeat_interleave / tril / triu / one_hot: semantics, errors,
// threading and gradients.
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
Tensor longs(std::initializer_list<int64_t> v) { return fx::tensor(v, fx::TensorOptions(fx::kInt64)); }

void check_grads(const fx::autograd::CheckedFn& f, const TensorList& inputs) {
  EXPECT_TRUE(fx::autograd::gradcheck(f, inputs));
  EXPECT_TRUE(fx::autograd::gradgradcheck(f, inputs));
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, inputs));
}

TEST(Reorder, FlipRoll) {
  RestoreThreads restore;
  Tensor x = fx::arange(6, fx::TensorOptions(fx::kFloat32)).view({2, 3});
  EXPECT_TRUE(tensors_equal(x.flip({0, 1}), fx::tensor({{5.0f, 4.0f, 3.0f}, {2.0f, 1.0f, 0.0f}})));
  EXPECT_TRUE(tensors_equal(x.flip({}), x));
  EXPECT_FALSE(x.flip({}).is_same(x));
  EXPECT_TRUE(tensors_equal(x.roll(1), fx::tensor({{5.0f, 0.0f, 1.0f}, {2.0f, 3.0f, 4.0f}})));
  EXPECT_TRUE(tensors_equal(x.roll({1, -1}, {0, 1}), fx::tensor({{4.0f, 5.0f, 3.0f}, {1.0f, 2.0f, 0.0f}})));
  EXPECT_TRUE(tensors_equal(x.roll(3, 1), x));
  EXPECT_EQ(fx::flip(fx::scalar_tensor(2.0f), {0}).item<float>(), 2.0f);
  // Large flip of a transposed input, threaded vs single.
  Tensor big = randn64({600, 500}, 1).t();
  fx::set_num_threads(1);
  Tensor f1 = big.flip({0, 1});
  fx::set_num_threads(2);
  EXPECT_TRUE(tensors_equal(big.flip({0, 1}), f1));
  EXPECT_EQ(f1.index({0, 0}).item<double>(), big.index({-1, -1}).item<double>());
}

TEST(Reorder, RepeatTileInterleave) {
  Tensor x = fx::tensor({{1, 2}}, fx::TensorOptions(fx::kInt64));
  EXPECT_TRUE(tensors_equal(x.repeat({2, 2}), fx::tensor({{1L, 2L, 1L, 2L}, {1L, 2L, 1L, 2L}})));
  EXPECT_EQ(x.repeat({3, 1, 1}).sizes(), (fx::Shape{3, 1, 2}));
  EXPECT_EQ(x.tile({2}).sizes(), (fx::Shape{1, 4}));
  Tensor r = x.repeat({1, 1});
  EXPECT_NE(r.impl()->storage(), x.impl()->storage());  // always a copy
  Tensor y = fx::tensor({1.0f, 2.0f, 3.0f});
  EXPECT_TRUE(tensors_equal(y.repeat_interleave(2), fx::tensor({1.0f, 1.0f, 2.0f, 2.0f, 3.0f, 3.0f})));
  EXPECT_TRUE(tensors_equal(y.repeat_interleave(longs({0, 2, 1}), 0), fx::tensor({2.0f, 2.0f, 3.0f})));
  EXPECT_TRUE(tensors_equal(y.repeat_interleave(longs({2}), 0), y.repeat_interleave(2)));
}

TEST(Reorder, TriOneHot) {
  Tensor x = fx::ones({2, 3, 3}, fx::TensorOptions(fx::kInt32));
  Tensor l = x.tril();
  EXPECT_EQ(l.sum().item<int64_t>(), 12);
  EXPECT_EQ(x.triu(1).sum().item<int64_t>(), 6);
  EXPECT_EQ(x.tril(-5).sum().item<int64_t>(), 0);
  EXPECT_EQ(x.triu(-5).sum().item<int64_t>(), 18);
  Tensor nan = fx::full({2, 2}, std::nan(""));
  EXPECT_EQ(nan.tril().index({0, 1}).item<float>(), 0.0f);  // masked, not multiplied
  EXPECT_TRUE(tensors_equal(fx::one_hot(longs({2, 0}), 3), fx::tensor({{0L, 0L, 1L}, {1L, 0L, 0L}})));
  EXPECT_EQ(fx::one_hot(fx::zeros({0}, fx::TensorOptions(fx::kInt64)), 4).sizes(), (fx::Shape{0, 4}));
}

TEST(ReorderErrors, Messages) {
  Tensor x = fx::zeros({2, 3});
  EXPECT_FX_ERROR(x.flip({0, 0}), "flip: dim 0 appears multiple times in the list of dims");
  EXPECT_FX_ERROR(x.flip({2}), "dimension 2 out of range");
  EXPECT_FX_ERROR(x.roll({1, 1}, {0}), "roll: shifts and dimensions must align. shifts: 2, dims: 1");
  EXPECT_FX_ERROR(x.repeat({2}), "repeat: number of dimensions of repeat dims (1) can not be smaller");
  EXPECT_FX_ERROR(x.repeat({2, -1}), "repeats must be non-negative");
  EXPECT_FX_ERROR(x.repeat_interleave(-1), "repeats must be non-negative");
  EXPECT_FX_ERROR(x.repeat_interleave(longs({1, 2, 3}), 0), "repeats must have the same size as input along dim");
  EXPECT_FX_ERROR(x.repeat_interleave(fx::ones({2}), 0), "repeats has to be an int64 or int32 tensor");
  EXPECT_FX_ERROR(fx::tril(fx::zeros({3})), "tril: input tensor must have at least 2 dimensions");
  EXPECT_FX_ERROR(fx::one_hot(longs({-1})), "one_hot: class values must be non-negative");
  EXPECT_FX_ERROR(fx::one_hot(longs({3}), 3), "class values must be smaller than num_classes (3)");
  EXPECT_FX_ERROR(fx::one_hot(fx::zeros({0}, fx::TensorOptions(fx::kInt64))), "cannot infer the number of classes");
  EXPECT_FX_ERROR(fx::one_hot(fx::tensor({1, 2})), "expected an int64 index tensor");
}

TEST(ReorderGrad, AllOps) {
  Tensor x = randn64({3, 4}, 2), b = randn64({2, 3, 4}, 3);
  check_grads([](const TensorList& t) { return TensorList{t[0].flip({0, 1})}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].t().flip({1})}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].roll({2, -1}, {1, 0})}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].roll(5)}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].repeat({2, 1, 3})}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].tile({2})}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].repeat_interleave(2, 1)}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].repeat_interleave(longs({2, 0, 1}), 0)}; }, {x});
  check_grads([](const TensorList& t) { return TensorList{t[0].tril(1)}; }, {b});
  check_grads([](const TensorList& t) { return TensorList{t[0].mT().triu(-1)}; }, {b});
}

}  // namespace
