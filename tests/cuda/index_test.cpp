// The CUDA indexing and sorting kernels against the CPU through the public ops: advanced
// indexing, index_select, gather, scatter/scatter_add/scatter_reduce, index_put (accumulate),
// embedding, masked_select/nonzero, tril/triu, sort/argsort/topk, searchsorted, unique, with
// gradients, on several dims, dtypes and non-contiguous inputs; out-of-range indices.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "cuda/cuda_test_util.h"
#include "fluxion/nn.h"

namespace fx = fluxion;
using fxtest::kGpu;
using fxtest::matches_cpu;

namespace {

fx::Tensor rnd(const fx::Shape& s, fx::DType dt = fx::kFloat32, double lo = -3, double hi = 3) {
  return (fx::rand(s) * (hi - lo) + lo).to(dt);
}
// Integers in [0, n) as int64 (or int32).
fx::Tensor ints(const fx::Shape& s, int64_t n, fx::DType dt = fx::kInt64) {
  return (fx::rand(s) * static_cast<double>(n)).floor().clamp(0, static_cast<double>(n - 1)).to(dt);
}
fx::Tensor idx(const std::vector<int64_t>& v) {
  return fx::tensor<int64_t>(v, fx::Shape{static_cast<int64_t>(v.size())});
}

const std::vector<fx::DType> kAll = {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32, fx::kBool};

// f on both devices, then backward of (f(x) * w).sum() on both: the values and x.grad match.
void check_grad(const std::string& what, const fx::Tensor& x, const std::function<fx::Tensor(const fx::Tensor&)>& f) {
  fx::Tensor c = x.clone().requires_grad_();
  fx::Tensor g = x.to(kGpu).detach().requires_grad_();
  const fx::Tensor yc = f(c), yg = f(g);
  EXPECT_TRUE(matches_cpu(yg.detach(), yc.detach())) << what << " (value)";
  const fx::Tensor w = rnd(yc.sizes(), x.dtype());
  (yc * w).sum().backward();
  (yg * w.to(kGpu)).sum().backward();
  ASSERT_TRUE(g.grad().defined()) << what;
  EXPECT_TRUE(matches_cpu(g.grad(), c.grad())) << what << " (grad)";
}

TEST(CudaIndex, IndexSelectGatherAndAdvancedIndexing) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : kAll) {
    const fx::Tensor x = rnd({7, 9, 5}, fx::kFloat64, -20, 20).round().to(dt);
    const fx::Tensor g = x.to(kGpu);
    const std::string n = fx::dtype_name(dt);
    const fx::Tensor i = idx({4, 0, 3, 3, 2});
    for (int64_t d : {0, 1, 2}) {
      EXPECT_TRUE(matches_cpu(fx::index_select(g, d, i.to(kGpu)), fx::index_select(x, d, i))) << n << " dim " << d;
      EXPECT_TRUE(
          matches_cpu(fx::index_select(g.transpose(0, 2), d, i.to(kGpu)), fx::index_select(x.transpose(0, 2), d, i)))
          << n << " transposed dim " << d;
    }
    // int32 indices, negative indices (wrapped by advanced indexing), several index tensors.
    const fx::Tensor i32 = idx({1, 3, 3, 0}).to(fx::kInt32);
    EXPECT_TRUE(matches_cpu(fx::index_select(g, 1, i32.to(kGpu)), fx::index_select(x, 1, i32))) << n;
    const fx::Tensor neg = idx({-1, 2, -7, 0});
    EXPECT_TRUE(matches_cpu(fx::index(g, {neg.to(kGpu)}), fx::index(x, {neg}))) << n;
    EXPECT_TRUE(matches_cpu(fx::index(g, {fx::Tensor(), neg.to(kGpu)}), fx::index(x, {fx::Tensor(), neg}))) << n;
    const fx::Tensor a = ints({3, 4}, 7), b = ints({4}, 5);
    EXPECT_TRUE(matches_cpu(fx::index(g, {a.to(kGpu), fx::Tensor(), b.to(kGpu)}), fx::index(x, {a, fx::Tensor(), b})))
        << n;
    // Boolean mask indexing.
    const fx::Tensor mask = fx::gt(rnd({7, 9}), 0.0);
    EXPECT_TRUE(matches_cpu(fx::index(g, {mask.to(kGpu)}), fx::index(x, {mask}))) << n;
    // gather along every dim, on a transposed input.
    for (int64_t d : {0, 1, 2}) {
      const fx::Tensor gi = ints({5, 4, 3}, x.sizes()[d]);
      EXPECT_TRUE(matches_cpu(fx::gather(g, d, gi.to(kGpu)), fx::gather(x, d, gi))) << n << " gather dim " << d;
      const fx::Tensor xt = x.transpose(0, 1);
      const fx::Tensor gt = ints({4, 3, 2}, xt.sizes()[d]);
      EXPECT_TRUE(matches_cpu(fx::gather(xt.to(kGpu), d, gt.to(kGpu)), fx::gather(xt, d, gt))) << n;
    }
    EXPECT_TRUE(matches_cpu(fx::flip(g, {0, 2}), fx::flip(x, {0, 2}))) << n;
  }
  // A large gather (grid-stride loop, 64-bit offsets).
  const fx::Tensor big = rnd({1 << 20});
  const fx::Tensor bi = ints({1 << 21}, 1 << 20);
  EXPECT_TRUE(matches_cpu(fx::index_select(big.to(kGpu), 0, bi.to(kGpu)), fx::index_select(big, 0, bi)));
}

TEST(CudaIndex, ScatterFamilyWithDuplicates) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32}) {
    const std::string n = fx::dtype_name(dt);
    const fx::Tensor x = rnd({6, 8}, fx::kFloat64, 1, 4).round().to(dt);
    const fx::Tensor src = rnd({10, 8}, fx::kFloat64, -4, 4).round().to(dt);
    const fx::Tensor i = ints({10, 8}, 6);  // many duplicates per column
    const fx::Tensor gx = x.to(kGpu), gs = src.to(kGpu), gi = i.to(kGpu);
    EXPECT_TRUE(matches_cpu(fx::scatter_add(gx, 0, gi, gs), fx::scatter_add(x, 0, i, src))) << n;
    for (const char* r : {"sum", "prod", "amax", "amin"}) {
      EXPECT_TRUE(matches_cpu(fx::scatter_reduce(gx, 0, gi, gs, r), fx::scatter_reduce(x, 0, i, src, r)))
          << n << " " << r;
      EXPECT_TRUE(matches_cpu(fx::scatter_reduce(gx, 0, gi, gs, r, false), fx::scatter_reduce(x, 0, i, src, r, false)))
          << n << " " << r << " exclude self";
    }
    // Along dim 1 of a transposed destination; scatter without duplicates (a permutation).
    const fx::Tensor j = ints({6, 12}, 8);
    const fx::Tensor s2 = rnd({6, 12}, fx::kFloat64, -4, 4).round().to(dt);
    EXPECT_TRUE(matches_cpu(fx::scatter_add(x.t().contiguous().t().to(kGpu), 1, j.to(kGpu), s2.to(kGpu)),
                            fx::scatter_add(x, 1, j, s2)))
        << n;
    const fx::Tensor perm = fx::argsort(fx::rand({6, 8}), 1);
    EXPECT_TRUE(
        matches_cpu(fx::scatter(gx, 1, perm.to(kGpu), gs.slice(0, 0, 6)), fx::scatter(x, 1, perm, src.slice(0, 0, 6))))
        << n;
    EXPECT_TRUE(matches_cpu(fx::scatter(gx, 1, perm.to(kGpu), 7), fx::scatter(x, 1, perm, 7))) << n;
  }
  // Float mean, and NaN propagation of amax/amin.
  const fx::Tensor x = rnd({5, 4}), src = rnd({9, 4});
  const fx::Tensor i = ints({9, 4}, 5);
  EXPECT_TRUE(matches_cpu(fx::scatter_reduce(x.to(kGpu), 0, i.to(kGpu), src.to(kGpu), "mean"),
                          fx::scatter_reduce(x, 0, i, src, "mean")));
  fx::Tensor sn = src.clone();
  sn.narrow(0, 3, 1).fill_(std::numeric_limits<float>::quiet_NaN());
  for (const char* r : {"amax", "amin"})
    EXPECT_TRUE(
        matches_cpu(fx::scatter_reduce(x.to(kGpu), 0, i.to(kGpu), sn.to(kGpu), r), fx::scatter_reduce(x, 0, i, sn, r)))
        << r;  // NaNs compare equal
  // Bool scatter_add (logical or) and amin (logical and).
  const fx::Tensor b = fx::gt(rnd({5, 4}), 1.0), bs = fx::gt(rnd({9, 4}), 0.0);
  EXPECT_TRUE(matches_cpu(fx::scatter_add(b.to(kGpu), 0, i.to(kGpu), bs.to(kGpu)), fx::scatter_add(b, 0, i, bs)));
  EXPECT_TRUE(matches_cpu(fx::scatter_reduce(b.to(kGpu), 0, i.to(kGpu), bs.to(kGpu), "amin"),
                          fx::scatter_reduce(b, 0, i, bs, "amin")));
}

TEST(CudaIndex, IndexPutWithAccumulate) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : kAll) {
    const std::string n = fx::dtype_name(dt);
    const fx::Tensor x = rnd({6, 5}, fx::kFloat64, -5, 5).round().to(dt);
    const fx::Tensor i = idx({0, 3, 3, 5, 0, 0}), j = idx({1, 4, 4, 2, 1, 0});
    const fx::Tensor v = rnd({6}, fx::kFloat64, -5, 5).round().to(dt);
    EXPECT_TRUE(matches_cpu(fx::index_put(x.to(kGpu), {i.to(kGpu), j.to(kGpu)}, v.to(kGpu), true),
                            fx::index_put(x, {i, j}, v, true)))
        << n;
    // Rows with duplicates accumulate; assignment without duplicates is deterministic.
    const fx::Tensor rows = rnd({4, 5}, fx::kFloat64, -5, 5).round().to(dt);
    const fx::Tensor ri = idx({5, 1, 5, 2});
    EXPECT_TRUE(
        matches_cpu(fx::index_put(x.to(kGpu), {ri.to(kGpu)}, rows.to(kGpu), true), fx::index_put(x, {ri}, rows, true)))
        << n;
    const fx::Tensor ui = idx({4, 0, 2});
    EXPECT_TRUE(
        matches_cpu(fx::index_put(x.t().to(kGpu), {fx::Tensor(), ui.to(kGpu)}, rows.t().slice(1, 0, 3).to(kGpu)),
                    fx::index_put(x.t(), {fx::Tensor(), ui}, rows.t().slice(1, 0, 3))))
        << n;
    // A boolean mask as the index (masked assignment).
    const fx::Tensor mask = fx::gt(rnd({6, 5}), 0.0);
    fx::Tensor gx = x.to(kGpu).clone(), cx = x.clone();
    fx::index_put_(gx, {mask.to(kGpu)}, fx::full({}, 1, fx::TensorOptions(dt)).to(kGpu));
    fx::index_put_(cx, {mask}, fx::full({}, 1, fx::TensorOptions(dt)));
    EXPECT_TRUE(matches_cpu(gx, cx)) << n;
  }
  // Many duplicates into few elements (contended atomics), f32 and f64.
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor x = fx::zeros({4}, fx::TensorOptions(dt));
    const fx::Tensor i = ints({100000}, 4);
    const fx::Tensor v = rnd({100000}, dt, 0, 1);
    const fx::Tensor got = fx::index_put(x.to(kGpu), {i.to(kGpu)}, v.to(kGpu), true).cpu();
    EXPECT_TRUE(fxtest::tensors_close(got, fx::index_put(x, {i}, v, true), dt == fx::kFloat32 ? 1e-4 : 1e-10, 0));
  }
}

TEST(CudaIndex, GradientsOfGatherLikeOps) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor x = rnd({7, 6}, dt);
    const fx::Tensor i = idx({3, 3, 0, 6, 3});
    check_grad("index_select", x, [&](const fx::Tensor& t) { return fx::index_select(t, 0, i.to(t.device())); });
    check_grad("index", x.t(), [&](const fx::Tensor& t) { return fx::index(t, {fx::Tensor(), i.to(t.device())}); });
    const fx::Tensor gi = ints({9, 6}, 7);
    check_grad("gather", x, [&](const fx::Tensor& t) { return fx::gather(t, 0, gi.to(t.device())); });
    const fx::Tensor src = rnd({9, 6}, dt);
    check_grad("scatter_add src", src,
               [&](const fx::Tensor& t) { return fx::scatter_add(x.to(t.device()), 0, gi.to(t.device()), t); });
    check_grad("index_put values", rnd({5, 6}, dt),
               [&](const fx::Tensor& t) { return fx::index_put(x.to(t.device()), {i.to(t.device())}, t, true); });
    // Embedding: forward is a gather, backward an accumulate into the weight rows.
    const fx::Tensor w = rnd({10, 4}, dt);
    const fx::Tensor tok = ints({3, 7}, 10);
    check_grad("embedding", w,
               [&](const fx::Tensor& t) { return fx::nn::functional::embedding(tok.to(t.device()), t); });
    check_grad("masked_select", x, [&](const fx::Tensor& t) { return fx::masked_select(t, fx::gt(t, 0.0)); });
  }
}

TEST(CudaIndex, OutOfRangeIndexIsAClearError) {
  FX_SKIP_WITHOUT_GPU();
  const fx::Tensor g = rnd({7, 3}).to(kGpu);
  EXPECT_FX_ERROR(fx::index_select(g, 0, idx({1, 7}).to(kGpu)), "index 7 is out of bounds for dimension 0 with size 7");
  EXPECT_FX_ERROR(fx::index(g, {idx({-8}).to(kGpu)}), "out of bounds");
  EXPECT_FX_ERROR(fx::gather(g, 1, idx({3}).view({1, 1}).to(kGpu)),
                  "index 3 is out of bounds for dimension 1 with size 3");
  EXPECT_FX_ERROR(fx::scatter_add(g, 0, idx({-1}).view({1, 1}).to(kGpu), g.slice(0, 0, 1).slice(1, 0, 1)), "-1");
  EXPECT_FX_ERROR(fx::index_select(g, 0, idx({100}).to(fx::kInt32).to(kGpu)), "index 100 is out of bounds");
  // The device and the stream are still usable afterwards.
  EXPECT_TRUE(matches_cpu(fx::index_select(g, 0, idx({6}).to(kGpu)), fx::index_select(g.cpu(), 0, idx({6}))));
}

TEST(CudaIndex, NonzeroMaskedSelectTrilTriu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : kAll) {
    const std::string n = fx::dtype_name(dt);
    const fx::Tensor x = rnd({6, 7, 5}, fx::kFloat64, -1.5, 1.5).round().to(dt);  // about a third zeros
    const fx::Tensor g = x.to(kGpu);
    EXPECT_TRUE(matches_cpu(fx::nonzero(g), fx::nonzero(x))) << n;
    EXPECT_TRUE(matches_cpu(fx::nonzero(g.transpose(0, 2)), fx::nonzero(x.transpose(0, 2)))) << n;
    const fx::Tensor mask = fx::gt(rnd({6, 7, 5}), 0.5);
    EXPECT_TRUE(matches_cpu(fx::masked_select(g, mask.to(kGpu)), fx::masked_select(x, mask))) << n;
    for (int64_t d : {-2, 0, 1, 3}) {
      EXPECT_TRUE(matches_cpu(fx::tril(g, d), fx::tril(x, d))) << n << " tril " << d;
      EXPECT_TRUE(matches_cpu(fx::triu(g.transpose(1, 2), d), fx::triu(x.transpose(1, 2), d))) << n << " triu " << d;
    }
  }
  // Many chunks, NaN counts as non-zero, no non-zero at all, a 0-d input.
  fx::Tensor big = fx::gt(rnd({1000, 333}), 2.5).to(fx::kFloat32);
  big.narrow(0, 500, 1).fill_(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(matches_cpu(fx::nonzero(big.to(kGpu)), fx::nonzero(big)));
  const fx::Tensor z = fx::zeros({40, 3});
  EXPECT_TRUE(matches_cpu(fx::nonzero(z.to(kGpu)), fx::nonzero(z)));
  const fx::Tensor s = fx::full({}, 2.0f);
  EXPECT_TRUE(matches_cpu(fx::nonzero(s.to(kGpu)), fx::nonzero(s)));
  check_grad("tril", rnd({4, 5, 6}, fx::kFloat64), [](const fx::Tensor& t) { return fx::tril(t, 1); });
}

TEST(CudaIndex, SortArgsortTopkWithTiesAndNan) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : kAll) {
    const std::string n = fx::dtype_name(dt);
    // Few distinct values: ties everywhere, so stability is checked by the indices.
    const fx::Tensor x = rnd({5, 40, 30}, fx::kFloat64, -4, 4).round().to(dt);
    const fx::Tensor g = x.to(kGpu);
    for (int64_t d : {0, 1, 2}) {
      for (bool desc : {false, true}) {
        auto [gv, gi] = fx::sort(g, d, desc, true);
        auto [cv, ci] = fx::sort(x, d, desc, true);
        EXPECT_TRUE(matches_cpu(gv, cv)) << n << " dim " << d << " desc " << desc;
        EXPECT_TRUE(matches_cpu(gi, ci)) << n << " dim " << d << " desc " << desc;
      }
      EXPECT_TRUE(matches_cpu(fx::argsort(g.transpose(0, 2), d), fx::argsort(x.transpose(0, 2), d))) << n;
      if (dt == fx::kBool) continue;
      for (bool largest : {true, false}) {
        auto [gv, gi] = fx::topk(g, 4, d, largest);
        auto [cv, ci] = fx::topk(x, 4, d, largest);
        EXPECT_TRUE(matches_cpu(gv, cv)) << n << " topk dim " << d;
        EXPECT_TRUE(matches_cpu(gi, ci)) << n << " topk dim " << d;
      }
    }
  }
  // NaN sorts largest, -0 ties with +0, infinities, on float and double.
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    const fx::Tensor sp =
        fx::tensor<double>(std::vector<double>{3, nan, -0.0, 0.0, -inf, inf, nan, -2, 0.0, -0.0, 1e-300, -1},
                           fx::Shape{2, 6})
            .to(dt);
    for (bool desc : {false, true}) {
      auto [gv, gi] = fx::sort(sp.to(kGpu), 1, desc, true);
      auto [cv, ci] = fx::sort(sp, 1, desc, true);
      EXPECT_TRUE(fxtest::tensors_equal(gv.cpu(), cv)) << "desc " << desc;
      EXPECT_TRUE(matches_cpu(gi, ci)) << "desc " << desc;
      auto [tv, ti] = fx::topk(sp.to(kGpu), 3, 1, !desc);
      auto [uv, ui] = fx::topk(sp, 3, 1, !desc);
      EXPECT_TRUE(fxtest::tensors_equal(tv.cpu(), uv));
      EXPECT_TRUE(matches_cpu(ti, ui));
    }
    // Many rows of 64-bit keys (two radix sorts), one long row.
    const fx::Tensor many = rnd({3000, 17}, fx::kFloat64, -3, 3).round().to(dt);
    EXPECT_TRUE(matches_cpu(fx::argsort(many.to(kGpu), 1, false, true), fx::argsort(many, 1, false, true)));
    const fx::Tensor lng = rnd({200000}, dt);
    EXPECT_TRUE(matches_cpu(std::get<0>(fx::sort(lng.to(kGpu))), std::get<0>(fx::sort(lng))));
  }
  check_grad("sort", rnd({6, 9}, fx::kFloat64), [](const fx::Tensor& t) { return std::get<0>(fx::sort(t, 0)); });
  check_grad("topk", rnd({6, 9}, fx::kFloat64), [](const fx::Tensor& t) { return std::get<0>(fx::topk(t, 3, 1)); });
}

TEST(CudaIndex, SearchsortedAndUnique) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32}) {
    const std::string n = fx::dtype_name(dt);
    const fx::Tensor seq = std::get<0>(fx::sort(rnd({4, 20}, fx::kFloat64, -10, 10).round().to(dt), 1));
    const fx::Tensor v = rnd({4, 13}, fx::kFloat64, -12, 12).round().to(dt);
    for (bool right : {false, true}) {
      EXPECT_TRUE(
          matches_cpu(fx::searchsorted(seq.to(kGpu), v.to(kGpu), false, right), fx::searchsorted(seq, v, false, right)))
          << n;
      EXPECT_TRUE(matches_cpu(fx::searchsorted(seq[0].to(kGpu), v.to(kGpu), true, right),
                              fx::searchsorted(seq[0], v, true, right)))
          << n << " shared, int32";
    }
    EXPECT_TRUE(matches_cpu(fx::bucketize(v.to(kGpu), seq[1].to(kGpu)), fx::bucketize(v, seq[1]))) << n;
  }
  for (fx::DType dt : kAll) {
    const std::string n = fx::dtype_name(dt);
    const fx::Tensor x = rnd({50}, fx::kFloat64, -4, 4).round().to(dt);
    auto [gu, ginv, gc] = fx::unique(x.to(kGpu), true, true, true);
    auto [cu, cinv, cc] = fx::unique(x, true, true, true);
    EXPECT_TRUE(matches_cpu(gu, cu)) << n;
    EXPECT_TRUE(matches_cpu(ginv, cinv)) << n;
    EXPECT_TRUE(matches_cpu(gc, cc)) << n;
    const fx::Tensor r = rnd({30, 3}, fx::kFloat64, -1, 1).round().to(dt);
    auto [ru, rinv, rc] = fx::unique(r.to(kGpu), true, true, true, 0);
    auto [su, sinv, sc] = fx::unique(r, true, true, true, 0);
    EXPECT_TRUE(matches_cpu(ru, su)) << n;
    EXPECT_TRUE(matches_cpu(rinv, sinv)) << n;
    EXPECT_TRUE(matches_cpu(rc, sc)) << n;
  }
  // Every NaN is its own group, -0 and +0 are one; large inputs (several radix passes for rows).
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<fx::Tensor> inputs = {
      fx::tensor<float>(std::vector<float>{1, nan, -0.0f, 0.0f, nan, 1, -1}, fx::Shape{7}),
      rnd({100000}, fx::kFloat64, -50, 50).round().to(fx::kInt32), rnd({5000, 4}, fx::kFloat64, -2, 2).round()};
  for (const fx::Tensor& x : inputs) {
    const std::optional<int64_t> dim = x.dim() == 2 ? std::optional<int64_t>(0) : std::nullopt;
    auto [gu, ginv, gc] = fx::unique(x.to(kGpu), true, true, true, dim);
    auto [cu, cinv, cc] = fx::unique(x, true, true, true, dim);
    EXPECT_TRUE(fxtest::tensors_equal(gu.cpu(), cu));
    EXPECT_TRUE(matches_cpu(ginv, cinv));
    EXPECT_TRUE(matches_cpu(gc, cc));
  }
  // Dtypes without CUDA arithmetic (int8, uint8) go through the host.
  for (fx::DType dt : {fx::kInt8, fx::kUInt8}) {
    const fx::Tensor h = rnd({40}, fx::kFloat64, 0, 6).round().to(dt);
    auto [hu, hinv, hc] = fx::unique(h.to(kGpu), true, true, true);
    auto [su, sinv, sc] = fx::unique(h, true, true, true);
    EXPECT_TRUE(matches_cpu(hu, su)) << fx::dtype_name(dt);
    EXPECT_TRUE(matches_cpu(hinv, sinv)) << fx::dtype_name(dt);
    EXPECT_TRUE(matches_cpu(hc, sc)) << fx::dtype_name(dt);
  }
  const fx::Tensor h = rnd({40}, fx::kFloat64, -3, 3).round().to(fx::kFloat16);
  EXPECT_TRUE(fxtest::tensors_equal(std::get<0>(fx::unique(h.to(kGpu))).cpu(), std::get<0>(fx::unique(h))));
}

TEST(CudaIndex, Float16AndBFloat16) {
  FX_SKIP_WITHOUT_GPU();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    const std::string n = fx::dtype_name(dt);
    // Small integers (exact in 16 bits), with NaN and -0 in the mix.
    fx::Tensor xf = rnd({6, 40}, fx::kFloat64, -4, 4).round().to(fx::kFloat32);
    xf.narrow(1, 3, 1).fill_(nan);
    xf.narrow(1, 7, 2).fill_(-0.0f);
    const fx::Tensor x = xf.to(dt), g = x.to(kGpu);
    for (int64_t d : {0, 1}) {
      for (bool desc : {false, true}) {
        auto [gv, gi] = fx::sort(g, d, desc, true);
        auto [cv, ci] = fx::sort(x, d, desc, true);
        EXPECT_TRUE(fxtest::tensors_equal(gv.cpu(), cv)) << n << " sort dim " << d;
        EXPECT_TRUE(matches_cpu(gi, ci)) << n << " sort dim " << d;
      }
      auto [tv, ti] = fx::topk(g, 5, d);
      auto [uv, ui] = fx::topk(x, 5, d);
      EXPECT_TRUE(fxtest::tensors_equal(tv.cpu(), uv)) << n << " topk dim " << d;
      EXPECT_TRUE(matches_cpu(ti, ui)) << n << " topk dim " << d;
    }
    auto [gu, ginv, gc] = fx::unique(g, true, true, true);
    auto [cu, cinv, cc] = fx::unique(x, true, true, true);
    EXPECT_TRUE(fxtest::tensors_equal(gu.cpu(), cu)) << n;
    EXPECT_TRUE(matches_cpu(ginv, cinv)) << n;
    EXPECT_TRUE(matches_cpu(gc, cc)) << n;
    EXPECT_TRUE(matches_cpu(fx::nonzero(g), fx::nonzero(x))) << n;
    const fx::Tensor i = ints({9}, 6);
    EXPECT_TRUE(fxtest::tensors_equal(fx::index_select(g, 0, i.to(kGpu)).cpu(), fx::index_select(x, 0, i))) << n;
    // Accumulation with duplicates (integers: exact in any order), and amax/amin with NaN; compared
    // as numbers, since the sign of a zero may depend on the order of the atomic updates.
    const fx::Tensor v = rnd({9, 40}, fx::kFloat64, -4, 4).round().to(dt);
    EXPECT_TRUE(fxtest::tensors_close(fx::index_put(g, {i.to(kGpu)}, v.to(kGpu), true).cpu(),
                                      fx::index_put(x, {i}, v, true), 0, 0))
        << n;
    const fx::Tensor si = ints({9, 40}, 6);
    for (const char* r : {"amax", "amin", "prod"})
      EXPECT_TRUE(fxtest::tensors_close(fx::scatter_reduce(g, 0, si.to(kGpu), v.to(kGpu), r).cpu(),
                                        fx::scatter_reduce(x, 0, si, v, r), 0, 0))
          << n << " " << r;
    // Heavy contention on a 3-element tensor: elements 0 and 1 share a 32-bit word and element 2
    // starts one (the 16-bit compare-and-swap touches only its own element). Adding ones is exact
    // in any order (bfloat16 saturates at 256 the same way); amax/amin are order-independent.
    const fx::Tensor three = fx::zeros({3}, fx::TensorOptions(dt));
    const fx::Tensor ci = ints({3000}, 3);
    const fx::Tensor ones = fx::ones({3000}, fx::TensorOptions(dt));
    EXPECT_TRUE(fxtest::tensors_equal(fx::index_put(three.to(kGpu), {ci.to(kGpu)}, ones.to(kGpu), true).cpu(),
                                      fx::index_put(three, {ci}, ones, true)))
        << n << " contended add";
    const fx::Tensor cv = rnd({3000}, fx::kFloat64, -100, 100).round().to(dt);
    for (const char* r : {"amax", "amin"})
      EXPECT_TRUE(fxtest::tensors_close(fx::scatter_reduce(three.to(kGpu), 0, ci.to(kGpu), cv.to(kGpu), r).cpu(),
                                        fx::scatter_reduce(three, 0, ci, cv, r), 0, 0))
          << n << " contended " << r;
    const fx::Tensor seq = std::get<0>(fx::sort(rnd({30}, fx::kFloat64, -4, 4).round().to(dt)));
    EXPECT_TRUE(matches_cpu(fx::searchsorted(seq.to(kGpu), g), fx::searchsorted(seq, x))) << n;
    EXPECT_TRUE(fxtest::tensors_equal(fx::tril(g, 1).cpu(), fx::tril(x, 1))) << n;
  }
}

}  // namespace
