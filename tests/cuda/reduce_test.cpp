// The remaining CUDA reductions and scans against the CPU through the public ops: prod, norm,
// logsumexp, all/any/count_nonzero, var/std/var_mean, cumsum/cumprod, along several dims, on
// non-contiguous inputs, with special values and gradients.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "cuda/cuda_test_util.h"

namespace fx = fluxion;
using fxtest::kGpu;
using fxtest::matches_cpu;

namespace {

fx::Tensor rnd(const fx::Shape& s, fx::DType dt = fx::kFloat32, double lo = -3, double hi = 3) {
  return (fx::rand(s) * (hi - lo) + lo).to(dt);
}

// f on both devices, then backward of (f(x) * w).sum() on both: the values and x.grad match
// (within matches_cpu's tolerances, or `atol` when given: for a different summation order).
void check_grad(const std::string& what, const fx::Tensor& x, const std::function<fx::Tensor(const fx::Tensor&)>& f,
                double atol = -1) {
  fx::Tensor c = x.clone().requires_grad_();
  fx::Tensor g = x.to(kGpu).detach().requires_grad_();
  const fx::Tensor yc = f(c), yg = f(g);
  EXPECT_TRUE(matches_cpu(yg.detach(), yc.detach())) << what << " (value)";
  const fx::Tensor w = rnd(yc.sizes(), x.dtype());
  (yc * w).sum().backward();
  (yg * w.to(kGpu)).sum().backward();
  ASSERT_TRUE(g.grad().defined()) << what;
  if (atol >= 0) {
    EXPECT_TRUE(fxtest::tensors_close(g.grad().cpu(), c.grad(), 1e-10, atol)) << what << " (grad)";
  } else {
    EXPECT_TRUE(matches_cpu(g.grad(), c.grad())) << what << " (grad)";
  }
}

// The inputs each reduction runs on: contiguous, transposed (packed by the host side), sliced.
std::vector<std::pair<std::string, fx::Tensor>> layouts(fx::DType dt, double lo, double hi) {
  return {{"contiguous", rnd({6, 50, 70}, dt, lo, hi)},
          {"transposed", rnd({70, 50, 6}, dt, lo, hi).transpose(0, 2)},
          {"sliced", rnd({6, 100, 70}, dt, lo, hi).slice(1, 0, std::nullopt, 2)}};
}
const std::vector<std::vector<int64_t>> kDims = {{0}, {1}, {2}, {0, 2}, {1, 2}};

TEST(CudaReduce, ProdMatchesCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    for (const auto& [layout, x] : layouts(dt, 0.9, 1.1)) {
      const fx::Tensor g = x.to(kGpu);
      for (int64_t d : {0, 1, 2}) EXPECT_TRUE(matches_cpu(fx::prod(g, d), fx::prod(x, d))) << layout << " dim " << d;
      EXPECT_TRUE(fxtest::tensors_close(fx::prod(g).cpu(), fx::prod(x), dt == fx::kFloat32 ? 1e-4 : 1e-11, 0))
          << layout;
    }
  }
  for (fx::DType dt : {fx::kInt64, fx::kInt32, fx::kBool}) {
    const fx::Tensor x = rnd({4, 9, 5}, fx::kFloat64, -2.4, 2.4).round().to(dt);
    for (int64_t d : {0, 1, 2})
      EXPECT_TRUE(matches_cpu(fx::prod(x.to(kGpu), d, true), fx::prod(x, d, true))) << fx::dtype_name(dt);
    EXPECT_TRUE(matches_cpu(fx::prod(x.to(kGpu).transpose(0, 2), 1), fx::prod(x.transpose(0, 2), 1)));
  }
  check_grad("prod", rnd({5, 6}, fx::kFloat64, 0.5, 1.5), [](const fx::Tensor& t) { return fx::prod(t, 1); });
}

TEST(CudaReduce, LogicalReductionsMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64, fx::kInt64, fx::kInt32, fx::kBool}) {
    const std::string n = fx::dtype_name(dt);
    // Mostly non-zero with some zeros: all() is false in some rows only.
    fx::Tensor x = rnd({6, 50, 70}, fx::kFloat64, -0.02, 3).round().to(dt);
    const fx::Tensor g = x.to(kGpu);
    for (int64_t d : {0, 1, 2}) {
      EXPECT_TRUE(matches_cpu(fx::all(g, d), fx::all(x, d))) << n << " dim " << d;
      EXPECT_TRUE(matches_cpu(fx::any(g, d, true), fx::any(x, d, true))) << n << " dim " << d;
      EXPECT_TRUE(matches_cpu(fx::all(g.transpose(0, 2), d), fx::all(x.transpose(0, 2), d))) << n;
    }
    EXPECT_TRUE(matches_cpu(fx::all(g), fx::all(x))) << n;
    EXPECT_TRUE(matches_cpu(fx::any(g), fx::any(x))) << n;
    for (const auto& dims : kDims)
      EXPECT_TRUE(matches_cpu(fx::count_nonzero(g, dims), fx::count_nonzero(x, dims))) << n;
    EXPECT_TRUE(matches_cpu(fx::count_nonzero(g), fx::count_nonzero(x))) << n;
    const fx::Tensor z = fx::zeros({3, 4}, fx::TensorOptions(dt));
    EXPECT_TRUE(matches_cpu(fx::any(z.to(kGpu)), fx::any(z))) << n;
    EXPECT_TRUE(matches_cpu(fx::all(z.to(kGpu), 1), fx::all(z, 1))) << n;
  }
  // NaN is true; empty reductions give the identity.
  const fx::Tensor nan = fx::full({2, 3}, std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(matches_cpu(fx::all(nan.to(kGpu)), fx::all(nan)));
  const fx::Tensor e = fx::empty({3, 0});
  EXPECT_TRUE(matches_cpu(fx::all(e.to(kGpu), 1), fx::all(e, 1)));
  EXPECT_TRUE(matches_cpu(fx::any(e.to(kGpu), 1), fx::any(e, 1)));
}

TEST(CudaReduce, NormsAndLogsumexpMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  const double inf = std::numeric_limits<double>::infinity(), nan = std::numeric_limits<double>::quiet_NaN();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    for (const auto& [layout, x] : layouts(dt, -3, 3)) {
      const fx::Tensor g = x.to(kGpu);
      for (double p : {0.0, 1.0, 2.0, inf, -inf, 3.0, 0.5})
        for (const auto& dims : kDims)
          EXPECT_TRUE(matches_cpu(fx::norm(g, p, dims), fx::norm(x, p, dims))) << layout << " p " << p;
      EXPECT_TRUE(fxtest::tensors_close(fx::norm(g).cpu(), fx::norm(x), dt == fx::kFloat32 ? 1e-4 : 1e-11, 0));
      for (const auto& dims : kDims)
        EXPECT_TRUE(matches_cpu(fx::logsumexp(g, dims, true), fx::logsumexp(x, dims, true))) << layout;
    }
    // Special rows: large values, -inf rows, NaN, +inf.
    const fx::Tensor sp =
        fx::tensor<double>(std::vector<double>{1000, -1000, 0, -inf, -inf, -inf, 1, nan, 2, 3, inf, 4}, fx::Shape{4, 3})
            .to(dt);
    EXPECT_TRUE(matches_cpu(fx::logsumexp(sp.to(kGpu), {1}), fx::logsumexp(sp, {1})));
    EXPECT_TRUE(matches_cpu(fx::logsumexp(sp.to(kGpu), {0}), fx::logsumexp(sp, {0})));
    for (double p : {1.0, 2.0, inf, -inf})
      EXPECT_TRUE(
          matches_cpu(fx::norm(sp.to(kGpu), p, std::vector<int64_t>{1}), fx::norm(sp, p, std::vector<int64_t>{1})));
    // One long row (a block per row).
    const fx::Tensor lng = rnd({2, 300000}, dt, -1, 1);
    EXPECT_TRUE(fxtest::tensors_close(fx::norm(lng.to(kGpu), 2, std::vector<int64_t>{1}).cpu(),
                                      fx::norm(lng, 2, std::vector<int64_t>{1}), dt == fx::kFloat32 ? 1e-4 : 1e-11, 0));
    EXPECT_TRUE(fxtest::tensors_close(fx::logsumexp(lng.to(kGpu), {1}).cpu(), fx::logsumexp(lng, {1}),
                                      dt == fx::kFloat32 ? 1e-5 : 1e-12, 0));
    // The same rows through the other split reductions (partial accumulators, then a fold).
    EXPECT_TRUE(fxtest::tensors_close(fx::var(lng.to(kGpu), std::vector<int64_t>{1}).cpu(),
                                      fx::var(lng, std::vector<int64_t>{1}), dt == fx::kFloat32 ? 1e-4 : 1e-10, 0));
    EXPECT_TRUE(matches_cpu(fx::count_nonzero(fx::gt(lng, 0.5).to(kGpu), std::vector<int64_t>{1}),
                            fx::count_nonzero(fx::gt(lng, 0.5), std::vector<int64_t>{1})));
    EXPECT_TRUE(matches_cpu(fx::all(fx::gt(lng, -2.0).to(kGpu)), fx::all(fx::gt(lng, -2.0))));
    EXPECT_TRUE(matches_cpu(fx::norm(lng.to(kGpu), inf), fx::norm(lng, inf)));
  }
  check_grad("norm", rnd({5, 6}, fx::kFloat64),
             [](const fx::Tensor& t) { return fx::norm(t, 2, std::vector<int64_t>{1}); });
  check_grad("norm p=3", rnd({5, 6}, fx::kFloat64),
             [](const fx::Tensor& t) { return fx::norm(t, 3.0, std::vector<int64_t>{0}); });
  check_grad("logsumexp", rnd({5, 6}, fx::kFloat64), [](const fx::Tensor& t) { return fx::logsumexp(t, {0}); });
}

TEST(CudaReduce, VarStdVarMeanMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    // A large mean: the statistics must not cancel catastrophically.
    for (const auto& [layout, x] : layouts(dt, 1000, 1010)) {
      const fx::Tensor g = x.to(kGpu);
      for (const auto& dims : kDims) {
        for (double corr : {0.0, 1.0}) {
          EXPECT_TRUE(fxtest::tensors_close(fx::var(g, dims, corr).cpu(), fx::var(x, dims, corr),
                                            dt == fx::kFloat32 ? 1e-4 : 1e-10, 0))
              << layout;
          EXPECT_TRUE(fxtest::tensors_close(fx::std(g, dims, corr, true).cpu(), fx::std(x, dims, corr, true),
                                            dt == fx::kFloat32 ? 1e-4 : 1e-10, 0))
              << layout;
        }
        auto [gv, gm] = fx::var_mean(g, dims);
        auto [cv, cm] = fx::var_mean(x, dims);
        EXPECT_TRUE(fxtest::tensors_close(gv.cpu(), cv, dt == fx::kFloat32 ? 1e-4 : 1e-10, 0)) << layout;
        EXPECT_TRUE(matches_cpu(gm, cm)) << layout;
      }
      EXPECT_TRUE(fxtest::tensors_close(fx::var(g).cpu(), fx::var(x), dt == fx::kFloat32 ? 1e-4 : 1e-10, 0));
    }
    // One element per row with correction 1: nan (as the CPU).
    const fx::Tensor one = rnd({4, 1}, dt);
    EXPECT_TRUE(matches_cpu(fx::var(one.to(kGpu), std::vector<int64_t>{1}), fx::var(one, std::vector<int64_t>{1})));
  }
  check_grad("var", rnd({5, 6}, fx::kFloat64), [](const fx::Tensor& t) { return fx::var(t, std::vector<int64_t>{1}); });
  check_grad("std", rnd({5, 6}, fx::kFloat64), [](const fx::Tensor& t) { return fx::std(t, std::vector<int64_t>{0}); });
}

TEST(CudaReduce, CumsumCumprodMatchCpu) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat32, fx::kFloat64}) {
    for (const auto& [layout, x] : layouts(dt, 0.95, 1.05)) {
      const fx::Tensor g = x.to(kGpu);
      for (int64_t d : {0, 1, 2}) {
        EXPECT_TRUE(matches_cpu(fx::cumsum(g, d), fx::cumsum(x, d))) << layout << " dim " << d;
        EXPECT_TRUE(matches_cpu(fx::cumprod(g, d), fx::cumprod(x, d))) << layout << " dim " << d;
      }
    }
    // Long rows along the last dim (a block per row, tiles with a carry), positive values.
    const fx::Tensor lng = rnd({3, 5000}, dt, 0, 1);
    EXPECT_TRUE(fxtest::tensors_close(fx::cumsum(lng.to(kGpu), 1).cpu(), fx::cumsum(lng, 1),
                                      dt == fx::kFloat32 ? 1e-5 : 1e-12, 0));
    // Long lines along dim 0 with few columns (a block per line, elements `inner` apart).
    const fx::Tensor tall = rnd({4000, 3}, dt, 0, 1);
    EXPECT_TRUE(fxtest::tensors_close(fx::cumsum(tall.to(kGpu), 0).cpu(), fx::cumsum(tall, 0),
                                      dt == fx::kFloat32 ? 1e-5 : 1e-12, 0));
    const fx::Tensor near1 = rnd({2, 3000}, dt, 0.999, 1.001);
    EXPECT_TRUE(fxtest::tensors_close(fx::cumprod(near1.to(kGpu), 1).cpu(), fx::cumprod(near1, 1),
                                      dt == fx::kFloat32 ? 1e-5 : 1e-12, 0));
  }
  for (fx::DType dt : {fx::kInt64, fx::kInt32, fx::kBool}) {
    const fx::Tensor x = rnd({4, 9, 1500}, fx::kFloat64, -2.4, 2.4).round().to(dt);
    for (int64_t d : {0, 1, 2}) {
      EXPECT_TRUE(matches_cpu(fx::cumsum(x.to(kGpu), d), fx::cumsum(x, d))) << fx::dtype_name(dt) << " dim " << d;
      EXPECT_TRUE(matches_cpu(fx::cumprod(x.to(kGpu), d), fx::cumprod(x, d))) << fx::dtype_name(dt) << " dim " << d;
    }
  }
  // The VJPs use the reverse scans.
  check_grad("cumsum", rnd({5, 6, 4}, fx::kFloat64), [](const fx::Tensor& t) { return fx::cumsum(t, 1); });
  check_grad("cumprod", rnd({5, 6}, fx::kFloat64, 0.5, 1.5), [](const fx::Tensor& t) { return fx::cumprod(t, 1); });
  check_grad(
      "cumsum long", rnd({2, 3000}, fx::kFloat64, 0, 1), [](const fx::Tensor& t) { return fx::cumsum(t, 1); }, 1e-10);
  check_grad(
      "cumsum tall", rnd({3000, 2}, fx::kFloat64, 0, 1), [](const fx::Tensor& t) { return fx::cumsum(t, 0); }, 1e-10);
}

TEST(CudaReduce, Float16AndBFloat16ThroughFloat32) {
  FX_SKIP_WITHOUT_GPU();
  for (fx::DType dt : {fx::kFloat16, fx::kBFloat16}) {
    const std::string n = fx::dtype_name(dt);
    const double tol = dt == fx::kFloat16 ? 2e-3 : 1.6e-2;
    auto close = [&](const fx::Tensor& g, const fx::Tensor& c) {
      return fxtest::tensors_close(g.cpu().to(fx::kFloat32), c.to(fx::kFloat32), tol, tol);
    };
    const fx::Tensor x = rnd({9, 70}, fx::kFloat32, -3, 3).to(dt), g = x.to(kGpu);
    const fx::Tensor p = rnd({9, 20}, fx::kFloat32, 0.8, 1.2).to(dt);
    EXPECT_TRUE(close(fx::prod(p.to(kGpu), 1), fx::prod(p, 1))) << n;
    EXPECT_TRUE(close(fx::norm(g, 2, std::vector<int64_t>{1}), fx::norm(x, 2, std::vector<int64_t>{1}))) << n;
    EXPECT_TRUE(close(fx::norm(g, 1, std::vector<int64_t>{0}), fx::norm(x, 1, std::vector<int64_t>{0}))) << n;
    EXPECT_TRUE(close(fx::logsumexp(g, {1}), fx::logsumexp(x, {1}))) << n;
    EXPECT_TRUE(close(fx::var(g, std::vector<int64_t>{1}), fx::var(x, std::vector<int64_t>{1}))) << n;
    EXPECT_TRUE(close(fx::cumsum(g, 1), fx::cumsum(x, 1))) << n;
    EXPECT_TRUE(close(fx::cumprod(p.to(kGpu), 1), fx::cumprod(p, 1))) << n;
    const fx::Tensor z = fx::gt(x, 1.0).to(dt);
    EXPECT_TRUE(matches_cpu(fx::all(z.to(kGpu), 1), fx::all(z, 1))) << n;
    EXPECT_TRUE(matches_cpu(fx::any(z.to(kGpu), 0), fx::any(z, 0))) << n;
    EXPECT_TRUE(matches_cpu(fx::count_nonzero(z.to(kGpu), std::vector<int64_t>{1}),
                            fx::count_nonzero(z, std::vector<int64_t>{1})))
        << n;
  }
}

}  // namespace
