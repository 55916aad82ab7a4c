// Advanced indexing (Tensor::index / index_put_ with TensorIndex), index_select, index_put,
// index_add, index_fill, masked_select, masked_scatter, nonzero: semantics beyond the golden
// file (views, in-place writes, threading), error messages and gradients.
#include <gtest/gtest.h>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Ellipsis;
using fx::None;
using fx::Slice;
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

// gradcheck + (optionally) gradgradcheck + forward/reverse consistency for f at inputs.
void check_grads(const fx::autograd::CheckedFn& f, const TensorList& inputs, bool second = true) {
  EXPECT_TRUE(fx::autograd::gradcheck(f, inputs));
  if (second) {
    EXPECT_TRUE(fx::autograd::gradgradcheck(f, inputs));
  }
  EXPECT_TRUE(fx::autograd::jvp_vjp_check(f, inputs));
}

// ---- semantics ----------------------------------------------------------------------------

TEST(Index, BasicIndicesMakeViews) {
  Tensor x = fx::arange(24, fx::TensorOptions(fx::kFloat32)).view({2, 3, 4});
  Tensor v = x.index({1, Slice(0, 2), None, Ellipsis});
  EXPECT_EQ(v.sizes(), (fx::Shape{2, 1, 4}));
  EXPECT_EQ(v.impl()->storage(), x.impl()->storage());
  v.fill_(-1.0f);
  EXPECT_EQ(x.index({1, 0, 0}).item<float>(), -1.0f);
  EXPECT_EQ(x.index({0, 0, 0}).item<float>(), 0.0f);
  // Tensor indices copy.
  Tensor c = x.index({longs({1})});
  EXPECT_NE(c.impl()->storage(), x.impl()->storage());
}

TEST(Index, AdvancedDimPlacementFollowsNumPy) {
  Tensor x = fx::zeros({2, 3, 4, 5});
  Tensor i = longs({0, 1}), j = fx::tensor({{0L}, {1L}, {2L}});
  EXPECT_EQ(x.index({Slice(), i, j}).sizes(), (fx::Shape{2, 3, 2, 5}));  // adjacent: in place
  EXPECT_EQ(x.index({i, Slice(), j}).sizes(), (fx::Shape{3, 2, 3, 5}));  // separated: first
  EXPECT_EQ(x.index({Ellipsis, i}).sizes(), (fx::Shape{2, 3, 4, 2}));
  EXPECT_EQ(x.index({true}).sizes(), (fx::Shape{1, 2, 3, 4, 5}));
  EXPECT_EQ(x.index({false}).sizes(), (fx::Shape{0, 2, 3, 4, 5}));
  Tensor m = fx::ones({2, 3}, fx::TensorOptions(fx::kBool));
  EXPECT_EQ(x.index({m, Slice(1, 3)}).sizes(), (fx::Shape{6, 2, 5}));
}

TEST(Index, NonContiguousAndExpandedSources) {
  Tensor base = randn64({4, 6}, 1);
  Tensor xt = base.t();  // (6, 4), strided
  Tensor idx = longs({5, 0, 5, -1});
  EXPECT_TRUE(tensors_equal(xt.index({idx}), xt.contiguous().index({idx})));
  Tensor xe = fx::arange(3, f64()).view({3, 1}).expand({3, 4});
  EXPECT_TRUE(tensors_equal(fx::index_select(xe, 1, longs({3, 0})), xe.contiguous().index_select(1, longs({3, 0}))));
  Tensor xs = base.slice(1, 0, std::nullopt, 2);  // (4, 3) with stride 2
  EXPECT_TRUE(tensors_equal(fx::gather(xs, 1, fx::tensor({{2L, 0L}, {1L, 1L}})),
                            fx::gather(xs.contiguous(), 1, fx::tensor({{2L, 0L}, {1L, 1L}}))));
}

TEST(Index, ZeroDimAndEmpty) {
  Tensor s = fx::scalar_tensor(3.5, f64());
  EXPECT_EQ(s.index({None}).sizes(), (fx::Shape{1}));
  EXPECT_EQ(s.index({Ellipsis}).item<double>(), 3.5);
  EXPECT_EQ(fx::index_select(s, 0, longs({0})).dim(), 0);
  Tensor e = fx::zeros({0, 3});
  EXPECT_EQ(e.index({fx::zeros({0}, fx::TensorOptions(fx::kInt64))}).sizes(), (fx::Shape{0, 3}));
  EXPECT_EQ(fx::masked_select(e, fx::zeros({0, 3}, fx::TensorOptions(fx::kBool))).numel(), 0);
  EXPECT_EQ(fx::nonzero(e).sizes(), (fx::Shape{0, 2}));
}

TEST(IndexPut, TensorIndexAssignsThroughViews) {
  Tensor x = fx::zeros({3, 4});
  x.index_put_({Slice(), longs({1, 3})}, 2.0);
  x.index_put_({2}, fx::tensor({1.0f, 2.0f, 3.0f, 4.0f}));
  x.index_put_({0, Slice(0, 2)}, fx::tensor({{5.0f, 6.0f}}));  // leading 1s dropped
  EXPECT_TRUE(
      tensors_equal(x, fx::tensor({{5.0f, 6.0f, 0.0f, 2.0f}, {0.0f, 2.0f, 0.0f, 2.0f}, {1.0f, 2.0f, 3.0f, 4.0f}})));
  x.index_put_({1, Slice(2, 4)}, fx::tensor({10.0f, 20.0f}), /*accumulate=*/true);
  EXPECT_TRUE(tensors_equal(x.index({1}), fx::tensor({0.0f, 2.0f, 10.0f, 22.0f})));
  x.index_put_({1, Slice(2, 4)}, fx::tensor({-10.0f, -20.0f}), true);
  Tensor m = x > 3.0f;
  x.index_put_({m}, -1.0);
  EXPECT_EQ(fx::count_nonzero(x == -1.0f).item<int64_t>(), 3);
}

TEST(IndexPut, AccumulateSumsDuplicatesThreaded) {
  RestoreThreads restore;
  // 200k updates into 7 rows: duplicates everywhere, so any race would lose updates.
  const int64_t n = 200000;
  Tensor idx = fx::remainder(fx::arange(n), 7);
  Tensor vals = fx::ones({n, 3}, f64());
  auto run = [&](int threads) {
    fx::set_num_threads(threads);
    Tensor out = fx::index_put(fx::zeros({7, 3}, f64()), {idx}, vals, true);
    Tensor ia = fx::index_add(fx::zeros({3, 7}, f64()), 1, idx, vals.t());
    Tensor sa = fx::scatter_add(fx::zeros({7, 3}, f64()), 0, idx.view({n, 1}).expand({n, 3}), vals);
    return std::make_tuple(out, ia, sa);
  };
  auto [a1, b1, c1] = run(1);
  auto [a2, b2, c2] = run(2);
  fx::set_num_threads(2);
  Tensor expect = fx::full({7, 3}, 0.0, f64());
  for (int64_t r = 0; r < 7; ++r) expect.index_put_({r}, static_cast<double>((n - r + 6) / 7));
  EXPECT_TRUE(tensors_equal(a1, expect));
  EXPECT_TRUE(tensors_equal(a2, expect));
  EXPECT_TRUE(tensors_equal(b2, expect.t()));
  EXPECT_TRUE(tensors_equal(c2, expect));
  EXPECT_TRUE(tensors_equal(b1, b2));
  EXPECT_TRUE(tensors_equal(c1, c2));
}

TEST(IndexSelect, LargeThreadedMatchesSingleThread) {
  RestoreThreads restore;
  Tensor x = randn64({3000, 40}, 2);
  fx::Generator g(3);
  Tensor idx = fx::randint(0, 3000, {5000}, fx::TensorOptions(fx::kInt64), &g);
  fx::set_num_threads(1);
  Tensor a = fx::index_select(x, 0, idx), b = x.t().index({Slice(), idx});
  fx::set_num_threads(2);
  EXPECT_TRUE(tensors_equal(fx::index_select(x, 0, idx), a));
  EXPECT_TRUE(tensors_equal(x.t().index({Slice(), idx}), b));
  EXPECT_TRUE(tensors_equal(a.select(0, 17), x.select(0, idx.index({17}).item<int64_t>())));
}

TEST(IndexPut, InPlaceOnNonContiguousSelf) {
  Tensor base = fx::zeros({4, 3});
  Tensor xt = base.t();  // (3, 4) view
  fx::index_put_(xt, {Tensor(), longs({0, 2})}, fx::ones({3, 2}), false);
  EXPECT_EQ(base.sum().item<float>(), 6.0f);
  EXPECT_EQ(base.index({2, 1}).item<float>(), 1.0f);
  Tensor y = fx::zeros({5});
  y.index_add_(0, longs({1, 1, 4}), fx::tensor({1.0f, 2.0f, 3.0f}), 2);
  EXPECT_TRUE(tensors_equal(y, fx::tensor({0.0f, 6.0f, 0.0f, 0.0f, 6.0f})));
  uint32_t v0 = y._version();
  y.index_add_(0, longs({0}), fx::tensor({1.0f}));
  EXPECT_GT(y._version(), v0);
}

TEST(IndexFill, MaskedScatterAndSelect) {
  Tensor x = fx::arange(6, fx::TensorOptions(fx::kFloat32)).view({2, 3});
  EXPECT_TRUE(tensors_equal(x.index_fill(1, longs({-1}), 9), fx::tensor({{0.0f, 1.0f, 9.0f}, {3.0f, 4.0f, 9.0f}})));
  Tensor m = fx::tensor({true, false, true});
  EXPECT_TRUE(tensors_equal(x.masked_select(m), fx::tensor({0.0f, 2.0f, 3.0f, 5.0f})));
  EXPECT_TRUE(tensors_equal(x.masked_scatter(m, fx::tensor({10.0f, 11.0f, 12.0f, 13.0f, 14.0f})),
                            fx::tensor({{10.0f, 1.0f, 11.0f}, {12.0f, 4.0f, 13.0f}})));
  EXPECT_TRUE(tensors_equal(fx::nonzero(fx::tensor({{0, 1}, {2, 0}})), fx::tensor({{0L, 1L}, {1L, 0L}})));
}

// ---- errors -------------------------------------------------------------------------------

TEST(IndexErrors, OutOfBoundsNameOpDimAndSize) {
  Tensor x = fx::zeros({5, 3});
  EXPECT_FX_ERROR(x.index_select(0, longs({7})), "index_select: index 7 is out of bounds for dimension 0 with size 5");
  EXPECT_FX_ERROR(x.index_select(0, longs({-1})), "index_select: index -1 is out of bounds");
  EXPECT_FX_ERROR(x.index({Slice(), longs({3})}), "index: index 3 is out of bounds for dimension 1 with size 3");
  EXPECT_FX_ERROR(x.index({longs({-6})}), "index -6 is out of bounds for dimension 0 with size 5");
  EXPECT_FX_ERROR(x.index({7}), "index 7 is out of bounds for dimension 0 with size 5");
  EXPECT_FX_ERROR(fx::index_put(x, {longs({5})}, fx::zeros({3}), true), "index 5 is out of bounds");
  EXPECT_FX_ERROR(x.index_add(0, longs({9}), fx::zeros({1, 3})), "index_add: index 9 is out of bounds");
  EXPECT_FX_ERROR(x.index_fill(1, longs({3}), 1), "index_fill: index 3 is out of bounds for dimension 1 with size 3");
  // A failed in-place write leaves the tensor untouched (indices are checked before writing).
  Tensor y = fx::zeros({3});
  EXPECT_FX_ERROR(fx::index_put_(y, {longs({0, 1, 3})}, fx::ones({3})), "out of bounds");
  EXPECT_EQ(y.sum().item<float>(), 0.0f);
}

TEST(IndexErrors, DtypesShapesAndCounts) {
  Tensor x = fx::zeros({2, 3});
  EXPECT_FX_ERROR(x.index({fx::zeros({1})}), "tensors used as indices must be long, int, byte or bool tensors");
  EXPECT_FX_ERROR(x.index_select(0, fx::zeros({1})), "index_select: expected dtype int32 or int64 for index");
  EXPECT_FX_ERROR(x.index_select(0, fx::zeros({1, 1}, fx::TensorOptions(fx::kInt64))), "at most 1 dimension");
  EXPECT_FX_ERROR(x.index_fill(0, fx::zeros({1}, fx::TensorOptions(fx::kInt32)), 1), "expected dtype int64");
  EXPECT_FX_ERROR(x.index({0, 0, 0}), "too many indices for tensor of dimension 2");
  EXPECT_FX_ERROR(x.index({Ellipsis, 0, Ellipsis}), "single ellipsis");
  EXPECT_FX_ERROR(x.index({fx::tensor({true, false, true})}), "the shape of the mask [3] at index 0 does not match");
  EXPECT_FX_ERROR(x.index({longs({0, 1}), longs({0, 1, 2})}), "could not be broadcast together with shapes [2], [3]");
  EXPECT_FX_ERROR(fx::index_put(x, {longs({0})}, fx::zeros({2})), "value tensor of shape [2] cannot be broadcast");
  EXPECT_FX_ERROR(fx::index_put(x, {longs({0})}, fx::zeros({3}, f64())), "dtypes must match");
  EXPECT_FX_ERROR(x.index_add(0, longs({0}), fx::zeros({1, 3}, f64())), "must have the same dtype");
  EXPECT_FX_ERROR(x.index_add(0, longs({0, 1}), fx::zeros({1, 3})), "does not match self of sizes [2, 3]");
  EXPECT_FX_ERROR(x.masked_select(fx::ones({3}, fx::TensorOptions(fx::kInt64))), "expected a bool mask");
  EXPECT_FX_ERROR(x.masked_scatter(fx::ones({3}, fx::TensorOptions(fx::kBool)), fx::zeros({5})),
                  "fewer than the number of ones in the mask (6)");
  EXPECT_FX_ERROR(x.masked_scatter(fx::ones({3}, fx::TensorOptions(fx::kBool)), fx::zeros({6}, f64())), "same dtype");
  Tensor e = fx::zeros({3}).expand({2, 3});
  EXPECT_FX_ERROR(fx::index_put_(e, {longs({0})}, fx::ones({3})), "more than one element of the written-to tensor");
}

// ---- gradients ------------------------------------------------------------------------------

TEST(IndexGrad, AdvancedIndexing) {
  Tensor x = randn64({4, 3, 5}, 4);
  Tensor i = longs({0, 2, 0}), j = fx::tensor({{1L}, {-1L}});
  Tensor m = randn64({4, 3}, 5) > 0.0;
  check_grads([&](const TensorList& t) { return TensorList{t[0].index({i})}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{t[0].index({Slice(1, 3), j, i})}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{t[0].index({i, Slice(), j})}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{t[0].index({m})}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{t[0].index({None, Ellipsis, 2})}; }, {x});
}

TEST(IndexGrad, IndexSelectAndPut) {
  Tensor x = randn64({5, 4}, 6), v = randn64({3, 4}, 7), vb = randn64({4}, 8);
  Tensor i = longs({4, 0, 4});
  check_grads([&](const TensorList& t) { return TensorList{fx::index_select(t[0], 0, i)}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{fx::index_select(t[0], 1, longs({3, 3, 1}))}; }, {x});
  // accumulate: duplicates (4 appears twice) add their values.
  check_grads([&](const TensorList& t) { return TensorList{fx::index_put(t[0], {i}, t[1], true)}; }, {x, v});
  check_grads(
      [&](const TensorList& t) {
        return TensorList{fx::index_put(t[0], {longs({1, 3})}, t[1], false)};
      },
      {x, vb});
  check_grads([&](const TensorList& t) { return TensorList{fx::index_add(t[0], 0, i, t[1], 0.5)}; }, {x, v});
  check_grads([&](const TensorList& t) { return TensorList{fx::index_fill(t[0], 1, longs({0, 2}), 3.0)}; }, {x});
}

TEST(IndexGrad, MaskedSelectScatter) {
  Tensor x = randn64({3, 4}, 9), src = randn64({15}, 10);
  Tensor m = randn64({3, 4}, 11) > 0.0, mb = fx::tensor({true, false, false, true});
  check_grads([&](const TensorList& t) { return TensorList{fx::masked_select(t[0], m)}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{fx::masked_select(t[0], mb)}; }, {x});
  check_grads([&](const TensorList& t) { return TensorList{fx::masked_scatter(t[0], mb, t[1])}; }, {x, src});
}

TEST(IndexGrad, InPlaceWritesThroughViewsRecordHistory) {
  Tensor w = randn64({4, 3}, 14).requires_grad_();
  Tensor v = randn64({2, 2}, 15).requires_grad_();
  Tensor y = w * 1.0;
  y.index_put_({Slice(1, 3), longs({0, 2})}, v);  // advanced write into a slice view of y
  y.index_put_({3, Slice()}, 7.0);                // basic-only write (fill of a view)
  Tensor weights = fx::arange(12, f64()).view({4, 3});
  (y * weights).sum().backward();
  EXPECT_TRUE(
      tensors_equal(w.grad(), fx::tensor({{0.0, 1.0, 2.0}, {0.0, 4.0, 0.0}, {0.0, 7.0, 0.0}, {0.0, 0.0, 0.0}})));
  EXPECT_TRUE(tensors_equal(v.grad(), fx::tensor({{3.0, 5.0}, {6.0, 8.0}})));
}

TEST(IndexGrad, InPlaceIndexPutRecordsHistory) {
  Tensor w = randn64({4, 3}, 12).requires_grad_();
  Tensor v = randn64({2, 3}, 13).requires_grad_();
  Tensor y = w * 1.0;
  y.index_put_({longs({1, 1})}, v, true);
  y.sum().backward();
  EXPECT_TRUE(tensors_equal(w.grad(), fx::ones({4, 3}, f64())));
  EXPECT_TRUE(tensors_equal(v.grad(), fx::ones({2, 3}, f64())));
  EXPECT_FX_ERROR(w.index_put_({longs({0})}, v.select(0, 0)), "index_put_");
}

}  // namespace
