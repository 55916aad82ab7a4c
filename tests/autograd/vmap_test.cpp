// vmap's batching rules (Note [Batched tensors]): every function here is checked against the
// per-example loop it replaces, and the fallback counter shows whether the batched path ran.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "fluxion/fluxion.h"
#include "support/test_util.h"

namespace fx = fluxion;
using fx::Tensor;
using fx::TensorList;
using fxtest::tensors_close;

namespace {

// Runs f once per example (the meaning of vmap), stacking along out_dim.
TensorList reference(const fx::func::Fn& f, const TensorList& xs, const std::vector<int64_t>& in_dims,
                     int64_t out_dim = 0) {
  int64_t batch = -1;
  for (size_t i = 0; i < xs.size(); ++i)
    if (in_dims[i] >= 0) batch = xs[i].size(in_dims[i]);
  std::vector<TensorList> per_out;
  for (int64_t b = 0; b < batch; ++b) {
    TensorList slice;
    for (size_t i = 0; i < xs.size(); ++i) slice.push_back(in_dims[i] < 0 ? xs[i] : xs[i].select(in_dims[i], b));
    TensorList r = f(slice);
    per_out.resize(r.size());
    for (size_t k = 0; k < r.size(); ++k) per_out[k].push_back(r[k]);
  }
  TensorList outs;
  for (auto& l : per_out) outs.push_back(fx::stack(l, out_dim));
  return outs;
}

// vmap(f) equals the loop, and ran batched (no fallback) when `batched` is true.
void expect_vmap_matches(const fx::func::Fn& f, const TensorList& xs, const std::vector<int64_t>& in_dims,
                         int64_t out_dim = 0, bool batched = true) {
  const int64_t before = fx::func::vmap_fallback_count();
  TensorList got = fx::func::vmap(f, in_dims, out_dim)(xs);
  if (batched) {
    EXPECT_EQ(fx::func::vmap_fallback_count(), before)
        << "fell back; ops without rules so far: " << ::testing::PrintToString(fx::func::vmap_fallback_ops());
  }
  TensorList want = reference(f, xs, in_dims, out_dim);
  ASSERT_EQ(got.size(), want.size());
  for (size_t k = 0; k < got.size(); ++k) {
    EXPECT_EQ(got[k].sizes(), want[k].sizes()) << "output " << k;
    EXPECT_TRUE(tensors_close(got[k], want[k], 1e-10, 1e-10)) << "output " << k;
  }
}

Tensor randn(fx::Shape s) { return fx::randn(s, fx::kFloat64); }

}  // namespace

TEST(Vmap, ElementwiseAndBroadcasting) {
  fx::manual_seed(1);
  expect_vmap_matches([](const TensorList& a) { return TensorList{(a[0].sin() * 2 + a[0].exp()).tanh()}; },
                      {randn({5, 3})}, {0});
  // Batched [3] against an unbatched [2, 3]: the batch dim must not meet the 2.
  expect_vmap_matches(
      [](const TensorList& a) {
        return TensorList{a[0] * a[1] + 1, a[1] - a[0]};
      },
      {randn({4, 3}), randn({2, 3})}, {0, -1});
  // Scalars per example, numbers, comparisons, where, dtype conversion, clamp.
  expect_vmap_matches(
      [](const TensorList& a) {
        Tensor s = a[0].sum();
        Tensor m = fx::where(a[0] > 0, a[0], s * 0.5);
        return TensorList{m.clamp(-1.0, 1.0), (a[0] > s).to(fx::kFloat64), a[0].to(fx::kFloat32).to(fx::kFloat64)};
      },
      {randn({6, 4})}, {0});
}

TEST(Vmap, InAndOutDims) {
  fx::manual_seed(2);
  expect_vmap_matches([](const TensorList& a) { return TensorList{a[0] * a[1]}; }, {randn({3, 5}), randn({5, 3})},
                      {1, 0}, 1);
  expect_vmap_matches([](const TensorList& a) { return TensorList{a[0].sum(0)}; }, {randn({2, 7, 3})}, {2}, 0);
}

TEST(Vmap, Reductions) {
  fx::manual_seed(3);
  expect_vmap_matches(
      [](const TensorList& a) {
        const Tensor& x = a[0];
        return TensorList{x.sum(),
                          x.mean({1}, true),
                          x.amax({0}),
                          fx::logsumexp(x, {1}, false),
                          x.var({1}),
                          x.norm(),
                          std::get<0>(x.max(1, false)),
                          std::get<1>(x.min(0, true)),
                          x.prod(1)};
      },
      {randn({4, 3, 5})}, {0});
}

TEST(Vmap, ViewsAndReshapes) {
  fx::manual_seed(4);
  expect_vmap_matches(
      [](const TensorList& a) {
        const Tensor& x = a[0];  // [3, 4] per example
        return TensorList{
            x.t().contiguous() * 2, x.reshape({2, 6}), x.unsqueeze(0).expand({2, 3, 4}) + 0, x.select(1, 2),
            x.narrow(0, 1, 2),      x.flatten(),       x.permute({1, 0}).reshape({-1}),      x.t().reshape({12})};
      },
      {randn({5, 3, 4})}, {0});
}

TEST(Vmap, MatrixProducts) {
  fx::manual_seed(5);
  auto f = [](const TensorList& a) {
    const Tensor &x = a[0], &W = a[1], &v = a[2];
    return TensorList{x.matmul(W),    W.t().matmul(x), x.dot(x), x.unsqueeze(0).mm(W), fx::addmm(v, x.unsqueeze(0), W),
                      fx::outer(x, v)};
  };
  expect_vmap_matches(f, {randn({6, 3}), randn({3, 2}), randn({2})}, {0, -1, -1});
  // Batched weights against a shared input, and both batched.
  auto g = [](const TensorList& a) { return TensorList{a[0].matmul(a[1]), a[1].t().matmul(a[0].t())}; };
  expect_vmap_matches(g, {randn({4, 3}), randn({5, 3, 2})}, {-1, 0});
  expect_vmap_matches(g, {randn({5, 2, 4}), randn({5, 4, 3})}, {0, 0});
  EXPECT_THROW(fx::func::vmap(g, {-1, 0})({randn({4, 3}), randn({5, 4, 3})}), fx::Error);  // logical shapes named
  expect_vmap_matches([](const TensorList& a) { return TensorList{fx::bmm(a[0], a[1])}; },
                      {randn({3, 2, 4, 5}), randn({2, 5, 3})}, {0, -1});
}

TEST(Vmap, SoftmaxAndLosses) {
  fx::manual_seed(6);
  expect_vmap_matches(
      [](const TensorList& a) {
        Tensor logits = a[0].matmul(a[1]);
        return TensorList{fx::softmax(logits, -1), fx::log_softmax(logits, 0), (logits - a[2]).pow(2).mean()};
      },
      {randn({8, 4, 3}), randn({3, 5}), randn({4, 5})}, {0, -1, -1});
}

TEST(Vmap, PerSampleGradientsOfAnMlpRunBatched) {
  fx::manual_seed(7);
  Tensor W1 = randn({4, 8}), b1 = randn({8}), w2 = randn({8});
  auto loss = [&](const Tensor& w, const Tensor& x, const Tensor& y) {
    Tensor h = (x.matmul(W1) + b1).relu();
    return (h.matmul(w) - y).pow(2).mean() + 0.1 * w.pow(2).sum();
  };
  fx::func::Fn per_example = [&](const TensorList& a) {
    return TensorList{fx::func::grad([&](const Tensor& w) { return loss(w, a[0], a[1]); })(w2)};
  };
  expect_vmap_matches(per_example, {randn({16, 3, 4}), randn({16, 3})}, {0, 0});
}

TEST(Vmap, GradientOfAVmappedFunction) {
  // grad(vmap(f)): the nodes recorded inside vmap run their backward at vmap's level afterwards.
  fx::manual_seed(8);
  Tensor X = randn({6, 3}), W = randn({3, 2});
  auto total = [&](const Tensor& w, bool batched) {
    fx::func::Fn f = [&](const TensorList& a) { return TensorList{a[0].matmul(w).tanh().sum()}; };
    Tensor per = batched ? fx::func::vmap(f, {0})({X})[0] : reference(f, {X}, {0})[0];
    return (per * per).sum();
  };
  const int64_t before = fx::func::vmap_fallback_count();
  Tensor g = fx::func::grad([&](const Tensor& w) { return total(w, true); })(W);
  EXPECT_EQ(fx::func::vmap_fallback_count(), before);
  Tensor want = fx::func::grad([&](const Tensor& w) { return total(w, false); })(W);
  EXPECT_TRUE(tensors_close(g, want, 1e-10, 1e-10));
  // And with respect to the mapped input itself.
  fx::func::Fn f = [](const TensorList& a) { return TensorList{a[0].sin().sum()}; };
  Tensor gx = fx::func::grad([&](const Tensor& x) { return fx::func::vmap(f, {0})({x})[0].sum(); })(X);
  EXPECT_TRUE(tensors_close(gx, X.cos(), 1e-12, 1e-12));
}

TEST(Vmap, OpsWithoutARuleFallBackExactlyAndAreNamed) {
  // nonzero's result size depends on the data, so it can never be batched.
  fx::manual_seed(9);
  const int64_t before = fx::func::vmap_fallback_count();
  Tensor x = fx::tensor({{1.0, 0.0, 2.0}, {0.0, 3.0, 4.0}, {5.0, 0.0, 0.0}}, fx::kFloat64);
  expect_vmap_matches([](const TensorList& a) { return TensorList{(a[0] + 1).nonzero().sum().reshape({1})}; }, {x}, {0},
                      0, /*batched=*/false);
  EXPECT_EQ(fx::func::vmap_fallback_count(), before + 1);
  auto ops = fx::func::vmap_fallback_ops();
  EXPECT_TRUE(std::any_of(ops.begin(), ops.end(), [](const std::string& s) {
    return s.find("nonzero") != std::string::npos;
  })) << ::testing::PrintToString(ops);
}

TEST(Vmap, SortTopkAndScansRunBatched) {
  fx::manual_seed(19);
  expect_vmap_matches(
      [](const TensorList& a) {
        auto [v, i] = fx::sort(a[0], 1, true);
        auto [tv, ti] = a[0].topk(2, 0);
        return TensorList{v, i, tv, ti, a[0].cumsum(1), a[0].cumprod(0), a[0].argsort(-1)};
      },
      {randn({4, 3, 5})}, {0});
}

TEST(Vmap, RandomOpsDrawPerExample) {
  fx::manual_seed(10);
  Tensor out =
      fx::func::vmap([](const Tensor& x) { return x + fx::randn({3}, fx::kFloat64); })(fx::zeros({4, 3}, fx::kFloat64));
  // Each example got its own numbers, as in a loop.
  EXPECT_FALSE(tensors_close(out[0], out[1]));
  auto ops = fx::func::vmap_fallback_ops();
  EXPECT_NE(std::find(ops.begin(), ops.end(), "random number generation"), ops.end());
}

TEST(Vmap, NestedVmapAndUnmappedResults) {
  fx::manual_seed(11);
  Tensor X = randn({3, 4, 5});
  auto inner = fx::func::vmap([](const Tensor& r) { return r * r.sum(); });
  Tensor got = fx::func::vmap(inner)(X);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 4; ++j) EXPECT_TRUE(tensors_close(got[i][j], X[i][j] * X[i][j].sum(), 1e-12, 1e-12));
  // A result that does not depend on the mapped input is broadcast along the batch.
  Tensor c = randn({2});
  Tensor r = fx::func::vmap([&](const Tensor&) { return c * 2; })(X);
  ASSERT_EQ(r.sizes(), fx::Shape({3, 2}));
  EXPECT_TRUE(tensors_close(r[2], c * 2));
}

TEST(Vmap, EscapedBatchedTensorIsAClearError) {
  Tensor leaked;
  fx::func::vmap([&](const Tensor& x) {
    leaked = x;
    return x * 2;
  })(fx::ones({3, 2}));
  try {
    (void)leaked.sum().item<float>();
    FAIL() << "expected an error";
  } catch (const fx::Error& e) {
    EXPECT_NE(std::string(e.what()).find("vmap"), std::string::npos) << e.what();
  }
}

TEST(Vmap, ArgumentErrors) {
  auto f = fx::func::vmap([](const TensorList& a) { return TensorList{a[0] + a[1]}; }, {0, 0});
  EXPECT_THROW(f({fx::ones({3, 2}), fx::ones({4, 2})}), fx::Error);
  EXPECT_THROW(fx::func::vmap([](const Tensor& x) { return x; }, 2)(fx::ones({3, 2})), fx::Error);
}

TEST(Vmap, NnFunctionalAndMoreProductsRunBatched) {
  fx::manual_seed(12);
  namespace F = fx::nn::functional;
  const Tensor ln_w = randn({6}), ln_b = randn({6});
  expect_vmap_matches(
      [&](const TensorList& a) {
        const Tensor &x = a[0], &W = a[1], &b = a[2], &y = a[3];
        Tensor h = F::gelu(F::linear(x, W, b));
        return TensorList{F::mse_loss(h, y), F::mse_loss(h, y, "sum"),          F::relu(h) * F::sigmoid(h),
                          F::silu(h),        F::layer_norm(h, {6}, ln_w, ln_b), F::group_norm(h.t().unsqueeze(0), 2)};
      },
      {randn({5, 3, 4}), randn({6, 4}), randn({6}), randn({5, 3, 6})}, {0, -1, -1, 0});
  expect_vmap_matches(
      [](const TensorList& a) {
        const Tensor &m = a[0], &v = a[1];
        return TensorList{m.diagonal(), fx::mv(m, v), fx::addmv(v, m, v, 0.5, 2.0),
                          fx::baddbmm(m.unsqueeze(0), m.unsqueeze(0), m.unsqueeze(0), 1.0, 3.0)};
      },
      {randn({4, 3, 3}), randn({3})}, {0, -1});
}

TEST(Vmap, CatAndStackRunBatched) {
  fx::manual_seed(13);
  expect_vmap_matches(
      [](const TensorList& a) {
        return TensorList{fx::cat({a[0], a[1], a[0] * 2}, 0), fx::stack({a[0], a[1]}, 1), fx::cat({a[0], a[0]}, -1)};
      },
      {randn({4, 2, 3}), randn({2, 3})}, {0, -1});
}

TEST(Vmap, IndexingRunsBatched) {
  fx::manual_seed(14);
  Tensor idx = fx::tensor(std::vector<int64_t>{2, 0, 2, 1});
  expect_vmap_matches(
      [&](const TensorList& a) {
        const Tensor &x = a[0], &g = a[1];  // x [3, 4], g [3, 2] per example (g: batched indices)
        return TensorList{x.index_select(0, idx),
                          x.index_select(1, idx.narrow(0, 0, 2)),
                          fx::index(x, {idx}),
                          x.gather(1, g),
                          fx::scatter_add(fx::zeros({3, 4}, fx::kFloat64), 1, g, x.narrow(1, 0, 2)),
                          fx::index_put(x, {idx.narrow(0, 1, 2)}, x.narrow(0, 0, 2) * 2, true)};
      },
      {randn({5, 3, 4}), fx::randint(0, 4, {5, 3, 2})}, {0, 0});
}

TEST(Vmap, PerSampleCrossEntropyGradientsRunBatched) {
  fx::manual_seed(15);
  namespace F = fx::nn::functional;
  Tensor W = randn({6, 4}), b = randn({4});
  fx::func::Fn per_example = [&](const TensorList& a) {
    return TensorList{fx::func::grad([&](const Tensor& w) { return F::cross_entropy(a[0].matmul(w) + b, a[1]); })(W)};
  };
  expect_vmap_matches(per_example, {randn({8, 5, 6}), fx::randint(0, 4, {8, 5})}, {0, 0});
}

TEST(Vmap, ConvolutionAndPoolingRunBatched) {
  fx::manual_seed(16);
  namespace F = fx::nn::functional;
  Tensor w = randn({4, 2, 3, 3}), b = randn({4});
  auto net = [&](const Tensor& x, const Tensor& wt) {
    Tensor h = F::relu(F::conv2d(x, wt, b, {1, 1}, {1, 1}));
    return F::avg_pool2d(F::max_pool2d(h, {2, 2}), {2, 2});
  };
  // Batched activations (folded into N), then per-example weights (a loop over the batch inside).
  expect_vmap_matches([&](const TensorList& a) { return TensorList{net(a[0], w)}; }, {randn({3, 2, 2, 8, 8})}, {0});
  expect_vmap_matches([&](const TensorList& a) { return TensorList{net(a[0], a[1])}; },
                      {randn({3, 2, 2, 8, 8}), randn({3, 4, 2, 3, 3})}, {0, 0});
  // Per-sample gradients of a small CNN.
  fx::func::Fn per_example = [&](const TensorList& a) {
    return TensorList{fx::func::grad([&](const Tensor& wt) { return net(a[0].unsqueeze(0), wt).pow(2).sum(); })(w)};
  };
  expect_vmap_matches(per_example, {randn({5, 2, 8, 8})}, {0});
}

TEST(Vmap, LayerNormGradientsRunBatched) {
  fx::manual_seed(17);
  namespace F = fx::nn::functional;
  Tensor w = randn({6}), b = randn({6});
  fx::func::Fn per_example = [&](const TensorList& a) {
    fx::func::Fn loss = [&](const TensorList& p) {
      return TensorList{F::layer_norm(a[0], {6}, p[0], p[1]).tanh().sum()};
    };
    return fx::func::grad(loss, {0, 1})({w, b});
  };
  expect_vmap_matches(per_example, {randn({4, 3, 6})}, {0});
}

TEST(Vmap, MoreNnOpsRunBatched) {
  fx::manual_seed(18);
  namespace F = fx::nn::functional;
  Tensor w = randn({2, 3, 3, 3});
  expect_vmap_matches(
      [&](const TensorList& a) {
        return TensorList{F::conv_transpose2d(a[0], w), F::adaptive_avg_pool2d(a[0], {2, 2}),
                          F::adaptive_max_pool2d(a[0], {3, 3})};
      },
      {randn({3, 1, 2, 6, 6})}, {0});
}
