// View ops (src/ops/view.cpp): storage sharing, writes through views, strides, and errors.
#include <gtest/gtest.h>

#include "support/test_util.h"

namespace fx = fluxion;
using fxtest::tensors_equal;

namespace {
// 0, 1, ..., n-1 as int64 with the given sizes.
fx::Tensor iota(const fx::Shape& sizes) {
  std::vector<int64_t> v(static_cast<size_t>(fx::shape_numel(sizes)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i);
  return fx::tensor(v, sizes);
}
fx::Tensor ints(std::vector<int64_t> v, const fx::Shape& sizes) { return fx::tensor(v, sizes); }
bool same_storage(const fx::Tensor& a, const fx::Tensor& b) {
  return a.impl()->storage().get() == b.impl()->storage().get();
}
}  // namespace

TEST(View, ViewSharesStorageAndWritesAreVisibleInTheBase) {
  fx::Tensor x = iota({2, 3});
  fx::Tensor v = x.view({3, 2});
  EXPECT_TRUE(same_storage(x, v));
  EXPECT_EQ(v.data_ptr(), x.data_ptr());
  // is_view() is tracked for autograd only (bases that require grad), unlike PyTorch's _is_view().
  fx::Tensor g = fx::zeros({2, 3}, fx::TensorOptions().requires_grad(true));
  EXPECT_TRUE(g.view({6}).is_view());
  EXPECT_FALSE(g.is_view());
  v.select(0, 1).fill_(-1);  // elements 2 and 3 of the base
  EXPECT_TRUE(tensors_equal(x, ints({0, 1, -1, -1, 4, 5}, {2, 3})));
  // Writes through a transposed, sliced view land in the right places.
  fx::Tensor y = iota({3, 4});
  y.t().slice(0, 1, 4, 2).fill_(100);  // columns 1 and 3 of y
  EXPECT_TRUE(tensors_equal(y, ints({0, 100, 2, 100, 4, 100, 6, 100, 8, 100, 10, 100}, {3, 4})));
  // Views share the version counter with the base.
  uint32_t v0 = y._version();
  y.narrow(1, 0, 1).zero_();
  EXPECT_GT(y._version(), v0);
}

TEST(View, InferredSizesAndViewErrors) {
  fx::Tensor x = iota({2, 3, 4});
  EXPECT_EQ(x.view({-1, 4}).sizes(), (fx::Shape{6, 4}));
  EXPECT_EQ(x.view({4, -1}).sizes(), (fx::Shape{4, 6}));
  EXPECT_EQ(x.view({24}).strides(), (fx::Shape{1}));
  EXPECT_FX_ERROR(x.view({-1, -1}), "only one dimension can be inferred");
  EXPECT_FX_ERROR(x.view({5, -1}), "is invalid for input of size 24");
  EXPECT_FX_ERROR(x.view({7, 3}), "is invalid for input of size 24");
  EXPECT_FX_ERROR(x.view({-2, 12}), "invalid size");
  // A transposed tensor cannot be flattened without a copy ...
  fx::Tensor t = x.transpose(1, 2);
  EXPECT_FX_ERROR(t.view({24}), "use reshape instead");
  // ... but merging dims that are still adjacent in memory works.
  EXPECT_EQ(x.permute({1, 2, 0}).view({12, 2}).strides(), (fx::Shape{1, 12}));
}

TEST(View, ReshapeViewsWhenPossibleAndCopiesOtherwise) {
  fx::Tensor x = iota({2, 3});
  fx::Tensor r = x.reshape({3, 2});
  EXPECT_TRUE(same_storage(r, x));
  fx::Tensor rt = x.t().reshape({6});
  EXPECT_FALSE(same_storage(rt, x));
  EXPECT_TRUE(tensors_equal(rt, ints({0, 3, 1, 4, 2, 5}, {6})));
  rt.fill_(9);  // the copy is independent
  EXPECT_TRUE(tensors_equal(x, iota({2, 3})));
  EXPECT_EQ(fx::full({}, 3.0).reshape({1, 1}).sizes(), (fx::Shape{1, 1}));
  EXPECT_EQ(fx::zeros({0, 4}).reshape({-1, 2}).sizes(), (fx::Shape{0, 2}));
}

TEST(View, ExpandUsesStrideZero) {
  fx::Tensor x = ints({1, 2, 3}, {3, 1});
  fx::Tensor e = x.expand({3, 4});
  EXPECT_EQ(e.strides(), (fx::Shape{1, 0}));
  EXPECT_TRUE(same_storage(e, x));
  EXPECT_TRUE(tensors_equal(e.contiguous(), ints({1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, {3, 4})));
  fx::Tensor lead = x.expand({2, -1, 2});
  EXPECT_EQ(lead.sizes(), (fx::Shape{2, 3, 2}));
  EXPECT_EQ(lead.strides(), (fx::Shape{0, 1, 0}));
  EXPECT_FX_ERROR(x.expand({4, 4}), "must match the existing size 3");
  EXPECT_FX_ERROR(x.expand({4}), "must be >= the number of dims");
  EXPECT_FX_ERROR(x.expand({-1, 3, 1}), "not allowed for a new leading dimension");
  EXPECT_EQ(fx::broadcast_shapes({3, 1}, {2, 1, 5}), (fx::Shape{2, 3, 5}));
  EXPECT_FX_ERROR(fx::broadcast_shapes({3}, {4}), "not broadcastable");
  auto bt = fx::broadcast_tensors({x, ints({7, 8}, {2})});
  EXPECT_EQ(bt[0].sizes(), (fx::Shape{3, 2}));
  EXPECT_EQ(bt[1].strides(), (fx::Shape{0, 1}));
}

TEST(View, UnfoldWindows) {
  fx::Tensor x = iota({7});
  fx::Tensor u = x.unfold(0, 3, 2);
  EXPECT_EQ(u.sizes(), (fx::Shape{3, 3}));
  EXPECT_EQ(u.strides(), (fx::Shape{2, 1}));
  EXPECT_TRUE(tensors_equal(u.contiguous(), ints({0, 1, 2, 2, 3, 4, 4, 5, 6}, {3, 3})));
  fx::Tensor m = iota({2, 5}).unfold(1, 2, 3);
  EXPECT_EQ(m.sizes(), (fx::Shape{2, 2, 2}));
  EXPECT_TRUE(tensors_equal(m.contiguous(), ints({0, 1, 3, 4, 5, 6, 8, 9}, {2, 2, 2})));
  EXPECT_FX_ERROR(x.unfold(0, 8, 1), "exceeds dimension");
  EXPECT_FX_ERROR(x.unfold(0, 2, 0), "step must be positive");
  EXPECT_FX_ERROR(x.unfold(1, 2, 1), "out of range");
}

TEST(View, DiagonalReadsAndWrites) {
  fx::Tensor x = iota({3, 4});
  EXPECT_TRUE(tensors_equal(x.diagonal().contiguous(), ints({0, 5, 10}, {3})));
  EXPECT_TRUE(tensors_equal(x.diagonal(1).contiguous(), ints({1, 6, 11}, {3})));
  EXPECT_TRUE(tensors_equal(x.diagonal(-1).contiguous(), ints({4, 9}, {2})));
  EXPECT_EQ(x.diagonal(5).numel(), 0);
  EXPECT_TRUE(tensors_equal(x.diagonal(0, 1, 0).contiguous(), ints({0, 5, 10}, {3})));
  fx::Tensor b = iota({2, 2, 2});
  EXPECT_TRUE(tensors_equal(b.diagonal(0, 1, 2).contiguous(), ints({0, 3, 4, 7}, {2, 2})));
  x.diagonal().fill_(-7);
  EXPECT_EQ(x.data_ptr<int64_t>()[5], -7);
  EXPECT_FX_ERROR(x.diagonal(0, 1, 1), "must differ");
  EXPECT_FX_ERROR(iota({3}).diagonal(), "at least 2 dims");
}

TEST(View, AsStridedChecksStorageBounds) {
  fx::Tensor x = iota({6});
  fx::Tensor a = x.as_strided({2, 2}, {1, 2}, 1);
  EXPECT_TRUE(tensors_equal(a.contiguous(), ints({1, 3, 2, 4}, {2, 2})));
  EXPECT_TRUE(same_storage(a, x));
  EXPECT_FX_ERROR(x.as_strided({2, 3}, {3, 1}, 1), "but the storage holds 6");
  EXPECT_FX_ERROR(x.as_strided({2}, {1}, -1), "negative storage offset");
  EXPECT_FX_ERROR(x.as_strided({2}, {-1}), "negative size or stride");
  EXPECT_FX_ERROR(x.as_strided({2, 2}, {1}), "2 sizes but 1 strides");
  EXPECT_EQ(x.as_strided({0, 100}, {100, 1}).numel(), 0);  // empty views reach nothing
}

TEST(View, SqueezeUnsqueezeFlattenUnflatten) {
  fx::Tensor x = iota({2, 1, 3, 1});
  EXPECT_EQ(x.squeeze().sizes(), (fx::Shape{2, 3}));
  EXPECT_EQ(x.squeeze(1).sizes(), (fx::Shape{2, 3, 1}));
  EXPECT_EQ(x.squeeze(0).sizes(), (fx::Shape{2, 1, 3, 1}));  // not size 1: unchanged
  EXPECT_EQ(x.squeeze({1, -1}).sizes(), (fx::Shape{2, 3}));
  EXPECT_FX_ERROR(x.squeeze(4), "out of range");
  EXPECT_EQ(iota({2, 3}).unsqueeze(0).sizes(), (fx::Shape{1, 2, 3}));
  EXPECT_EQ(iota({2, 3}).unsqueeze(-1).sizes(), (fx::Shape{2, 3, 1}));
  EXPECT_EQ(iota({2, 3}).unsqueeze(1).strides(), (fx::Shape{3, 3, 1}));
  EXPECT_FX_ERROR(iota({2, 3}).unsqueeze(3), "out of range");
  EXPECT_EQ(fx::full({}, 1.0).unsqueeze(0).sizes(), (fx::Shape{1}));
  fx::Tensor y = iota({2, 3, 4});
  EXPECT_EQ(y.flatten().sizes(), (fx::Shape{24}));
  EXPECT_EQ(y.flatten(1).sizes(), (fx::Shape{2, 12}));
  EXPECT_EQ(y.flatten(0, 1).sizes(), (fx::Shape{6, 4}));
  EXPECT_EQ(fx::full({}, 1.0).flatten().sizes(), (fx::Shape{1}));
  EXPECT_FX_ERROR(y.flatten(2, 1), "must not come after");
  EXPECT_TRUE(same_storage(y.transpose(0, 1).flatten(0, 1), y) == false);  // needs a copy
  EXPECT_EQ(y.unflatten(2, {2, 2}).sizes(), (fx::Shape{2, 3, 2, 2}));
  EXPECT_EQ(y.unflatten(-1, {-1, 2}).sizes(), (fx::Shape{2, 3, 2, 2}));
  EXPECT_FX_ERROR(y.unflatten(1, {2, 2}), "is invalid for input of size 3");
}

TEST(View, PermuteTransposeMovedim) {
  fx::Tensor x = iota({2, 3, 4});
  fx::Tensor p = x.permute({2, 0, 1});
  EXPECT_EQ(p.sizes(), (fx::Shape{4, 2, 3}));
  EXPECT_EQ(p.strides(), (fx::Shape{1, 12, 4}));
  EXPECT_EQ(x.permute({-1, 0, 1}).sizes(), p.sizes());
  EXPECT_FX_ERROR(x.permute({0, 1}), "got 2 dims");
  EXPECT_FX_ERROR(x.permute({0, 1, 1}), "repeated");
  EXPECT_FX_ERROR(x.permute({0, 1, 3}), "out of range");
  EXPECT_EQ(x.transpose(0, -1).sizes(), (fx::Shape{4, 3, 2}));
  EXPECT_EQ(fx::full({}, 1.0).transpose(0, 0).dim(), 0);
  EXPECT_FX_ERROR(x.t(), "<= 2 dims");
  EXPECT_EQ(x.mT().sizes(), (fx::Shape{2, 4, 3}));
  EXPECT_EQ(x.movedim(0, -1).sizes(), (fx::Shape{3, 4, 2}));
  EXPECT_EQ(x.movedim({0, 1}, {2, 0}).sizes(), (fx::Shape{3, 4, 2}));
  EXPECT_TRUE(tensors_equal(x.movedim(0, 2).contiguous(), x.permute({1, 2, 0}).contiguous()));
  EXPECT_FX_ERROR(x.movedim({0, 1}, {2}), "source has 2 dims but destination has 1");
  EXPECT_FX_ERROR(x.movedim({0, 0}, {1, 2}), "repeated");
}

TEST(View, SelectNarrowSliceBounds) {
  fx::Tensor x = iota({3, 4});
  EXPECT_TRUE(tensors_equal(x.select(1, -1).contiguous(), ints({3, 7, 11}, {3})));
  EXPECT_TRUE(tensors_equal(x[2], ints({8, 9, 10, 11}, {4})));
  EXPECT_FX_ERROR(x.select(0, 3), "index 3 out of range");
  EXPECT_FX_ERROR(x.select(0, -4), "out of range");
  EXPECT_FX_ERROR(fx::full({}, 1.0).select(0, 0), "0-d");
  EXPECT_EQ(x.narrow(1, 1, 2).sizes(), (fx::Shape{3, 2}));
  EXPECT_FX_ERROR(x.narrow(1, 3, 2), "exceeds dimension 1 of size 4");
  EXPECT_EQ(x.slice(1, -2).sizes(), (fx::Shape{3, 2}));
  EXPECT_EQ(x.slice(1, 2, 100).sizes(), (fx::Shape{3, 2}));  // clamped like Python
  EXPECT_EQ(x.slice(0, 2, 1).numel(), 0);
  EXPECT_FX_ERROR(x.slice(0, 0, 2, 0), "step must be positive");
  EXPECT_TRUE(tensors_equal(x.slice(1, 0, 4, 3).contiguous(), ints({0, 3, 4, 7, 8, 11}, {3, 2})));
}

TEST(View, ReinterpretDtype) {
  fx::Tensor f = fx::tensor({1.0f, -2.0f});
  fx::Tensor i = f.view(fx::kInt32);
  EXPECT_EQ(i.data_ptr<int32_t>()[0], 0x3F800000);
  EXPECT_TRUE(same_storage(i, f));
  EXPECT_FX_ERROR(f.view(fx::kFloat64), "element sizes differ");
}
